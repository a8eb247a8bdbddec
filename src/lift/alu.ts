/**
 * Integer arithmetic and logic: add adc sub sbb cmp and or xor test inc dec
 * neg not. Each is operand load → one or two IR ops → writeback → one flags
 * thunk whose kind the op table (ir/ops.ts) defines exactly as the SDM does,
 * so no flag is computed here.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { BinaryOpName, FlagKind, Value } from '../ir/types.js';
import type { LiftContext } from './context.js';
import { inline, type LifterTable } from './lifter-entry.js';
import { loadOperand, operand, operandSize, writeOperand } from './operands.js';

type ArithKind = 'add' | 'adc' | 'sub' | 'sbb';

/** add/adc/sub/sbb/cmp: dst op= src with the carry in for adc/sbb. */
function arith(kind: ArithKind, writeBack: boolean) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const a = loadOperand(ctx, d);
    const b = loadOperand(ctx, operand(insn, 1), size);
    const isAdd = kind === 'add' || kind === 'adc';
    let res: Value = ctx.op(isAdd ? 'add' : 'sub', a, b);
    let aux: Value = ctx.c(0);
    if (kind === 'adc' || kind === 'sbb') {
      aux = ctx.flag('cf');
      res = ctx.op(isAdd ? 'add' : 'sub', res, aux);
    }
    if (writeBack) writeOperand(ctx, d, res);
    ctx.setFlags(kind, size, res, a, b, aux);
  };
}

/** and/or/xor/test: CF = OF = 0, SZP from the result (AF undefined: the thunk clears it). */
function logic(name: BinaryOpName, writeBack: boolean) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const a = loadOperand(ctx, d);
    const b = loadOperand(ctx, operand(insn, 1), size);
    const res = ctx.op(name, a, b);
    if (writeBack) writeOperand(ctx, d, res);
    ctx.setFlags('logic', size, res, a, b);
  };
}

/** inc/dec keep CF: the thunk takes the old CF as aux. */
function incDec(kind: FlagKind & ('inc' | 'dec')) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const a = loadOperand(ctx, d);
    const cf = ctx.flag('cf');
    const res = ctx.op(kind === 'inc' ? 'add' : 'sub', a, 1);
    writeOperand(ctx, d, res);
    ctx.setFlags(kind, size, res, a, ctx.c(1), cf);
  };
}

/** neg is 0 - x for the flags (CF = x != 0). */
function neg(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const size = operandSize(d);
  const a = loadOperand(ctx, d);
  const res = ctx.un('neg', a);
  writeOperand(ctx, d, res);
  ctx.setFlags('sub', size, res, ctx.c(0), a);
}

function not(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  writeOperand(ctx, d, ctx.un('not', loadOperand(ctx, d)));
}

export const ALU_LIFTERS: LifterTable = {
  add: inline(arith('add', true)),
  adc: inline(arith('adc', true)),
  sub: inline(arith('sub', true)),
  sbb: inline(arith('sbb', true)),
  cmp: inline(arith('sub', false)),
  and: inline(logic('and', true)),
  or: inline(logic('or', true)),
  xor: inline(logic('xor', true)),
  test: inline(logic('and', false)),
  inc: inline(incDec('inc')),
  dec: inline(incDec('dec')),
  neg: inline(neg),
  not: inline(not),
};
