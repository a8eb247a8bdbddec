/**
 * String instructions: movs cmps scas lods stos, with and without
 * rep/repe/repne.
 *
 * One element per execution of the lifted code: source ds:[esi] (segment
 * overridable), destination es:[edi], indices stepped by ±size by DF, SI/DI
 * and CX alone with a 16-bit address size.
 *
 * A repeated form is lifted as a block of its own (lifter.ts sees to that)
 * that does ONE iteration: a side exit to the next instruction when the
 * count is zero at entry, the element, the count decrement, and a branch
 * back to the instruction itself while the count is non-zero (and, for
 * repe/repne, while ZF of this iteration's comparison says so). Region
 * compilation turns the self-branch into a JS loop; an interrupt can be
 * taken between iterations, with the registers describing the rest of the
 * work, as on hardware.
 */
import type { DecodedInsn, MemOperand } from '../decoder/insn.js';
import type { MemSize, Value } from '../ir/types.js';
import type { LiftContext, SegAccess } from './context.js';
import { inline, type LifterTable } from './lifter-entry.js';
import { memOperand, operandSize } from './operands.js';

const EAX = 0, ECX = 1, ESI = 6, EDI = 7;

/** Linear address of seg:[index reg] for a `size`-byte element access. */
function element(ctx: LiftContext, m: MemOperand, size: MemSize, access: SegAccess): Value {
  const idx = ctx.readReg(m.base, m.addrSize);
  return ctx.linear(m.seg, idx, size, access);
}

function advance(ctx: LiftContext, reg: number, addrSize: 2 | 4, step: Value): void {
  ctx.writeReg(reg, addrSize, ctx.op('add', ctx.reg32(reg), step));
}

/** +size, or -size when DF is set. */
function stepOf(ctx: LiftContext, size: MemSize): Value {
  return ctx.op('sub', size, ctx.op('shl', ctx.df(), size === 1 ? 1 : size === 2 ? 2 : 3));
}

type Body = (ctx: LiftContext, insn: DecodedInsn, size: MemSize, step: Value) => Value | null;

/** movs: [edi] = [esi]. */
const movs: Body = (ctx, insn, size, step) => {
  const src = memOperand(ctx, 1);
  const dst = memOperand(ctx, 0);
  const v = ctx.load(size, element(ctx, src, size, 'read'));
  ctx.store(size, element(ctx, dst, size, 'write'), v);
  advance(ctx, ESI, insn.addrSize, step);
  advance(ctx, EDI, insn.addrSize, step);
  return null;
};

/** cmps: flags of [esi] - [edi]. Returns ZF of the comparison for repe/repne. */
const cmps: Body = (ctx, insn, size, step) => {
  const a = ctx.load(size, element(ctx, memOperand(ctx, 0), size, 'read'));
  const b = ctx.load(size, element(ctx, memOperand(ctx, 1), size, 'read'));
  advance(ctx, ESI, insn.addrSize, step);
  advance(ctx, EDI, insn.addrSize, step);
  ctx.setFlags('sub', size, ctx.op('sub', a, b), a, b);
  return ctx.op('eq', a, b);
};

/** scas: flags of acc - [edi]. */
const scas: Body = (ctx, insn, size, step) => {
  const a = ctx.readReg(EAX, size);
  const b = ctx.load(size, element(ctx, memOperand(ctx, 1), size, 'read'));
  advance(ctx, EDI, insn.addrSize, step);
  ctx.setFlags('sub', size, ctx.op('sub', a, b), a, b);
  return ctx.op('eq', a, b);
};

const lods: Body = (ctx, insn, size, step) => {
  const v = ctx.load(size, element(ctx, memOperand(ctx, 1), size, 'read'));
  ctx.writeReg(EAX, size, v);
  advance(ctx, ESI, insn.addrSize, step);
  return null;
};

const stos: Body = (ctx, insn, size, step) => {
  ctx.store(size, element(ctx, memOperand(ctx, 0), size, 'write'), ctx.readReg(EAX, size));
  advance(ctx, EDI, insn.addrSize, step);
  return null;
};

function stringOp(body: Body, elementOperand: number) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const size = operandSize(insn.operands[elementOperand]!);
    if (insn.rep === 0) {
      body(ctx, insn, size, stepOf(ctx, size));
      return;
    }
    const as = insn.addrSize;
    const count = ctx.readReg(ECX, as);
    ctx.b.exitIf(ctx.op('eq', count, 0), ctx.next);
    const zf = body(ctx, insn, size, stepOf(ctx, size));
    const left = ctx.op('sub', count, 1);
    ctx.writeReg(ECX, as, left);
    let again: Value = ctx.op('ne', ctx.mask(left, as), 0);
    if (zf !== null && insn.rep === 'repe') again = ctx.op('and', again, zf);
    if (zf !== null && insn.rep === 'repne') again = ctx.op('and', again, ctx.op('xor', zf, 1));
    ctx.exit = { kind: 'branch', cond: again, taken: insn.address >>> 0, fallthrough: ctx.next };
  };
}

/** Mnemonics whose rep form must be lifted as a block of its own. */
export const REPEATABLE_STRING_OPS: ReadonlySet<string> = new Set(['movs', 'cmps', 'scas', 'lods', 'stos']);

export const STRING_LIFTERS: LifterTable = {
  movs: inline(stringOp(movs, 0)),
  cmps: inline(stringOp(cmps, 0)),
  scas: inline(stringOp(scas, 1)),
  lods: inline(stringOp(lods, 1)),
  stos: inline(stringOp(stos, 0)),
};
