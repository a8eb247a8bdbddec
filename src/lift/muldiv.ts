/**
 * Multiplication and division: mul, imul (one, two and three operands),
 * div, idiv.
 *
 * Products: the `mul` thunk takes the low part as res and, as aux, whether
 * the high part is significant (CF = OF = aux; SF ZF AF PF are undefined on
 * hardware). 8×8 and 16×16 products fit in 32 bits; 32×32 uses umulhi /
 * smulhi for the high half.
 *
 * Division raises #DE (vector 0) for a zero divisor and for a quotient that
 * does not fit the destination, both before any register is written. The
 * helpers run with the divisor forced to 1 when it is 0, so a helper is never
 * asked to divide by zero even if a pass hoists it above the raise. Flags are
 * undefined after div/idiv; the thunk is left as it was.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { Value } from '../ir/types.js';
import type { LiftContext } from './context.js';
import { inline, type LifterTable } from './lifter-entry.js';
import { loadOperand, operand, operandSize, writeOperand } from './operands.js';

const EAX = 0, EDX = 2;
const DE = 0;

function mulOne(signed: boolean) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const s = operand(insn, 0);
    const size = operandSize(s);
    const src = loadOperand(ctx, s);
    const acc = ctx.readReg(EAX, size);
    if (size === 4) {
      const lo = ctx.op('mul', acc, src);
      const hi = ctx.op(signed ? 'smulhi' : 'umulhi', acc, src);
      const big = signed ? ctx.op('ne', hi, ctx.op('sar', lo, 31)) : ctx.op('ne', hi, 0);
      ctx.setReg32(EAX, lo);
      ctx.setReg32(EDX, hi);
      ctx.setFlags('mul', 4, lo, acc, src, big);
      return;
    }
    const a = signed ? ctx.sext(acc, size) : acc;
    const b = signed ? ctx.sext(src, size) : src;
    const p = ctx.op('mul', a, b);
    const big = signed ? ctx.op('ne', p, ctx.sext(p, size)) : ctx.op('ne', ctx.op('shr', p, size * 8), 0);
    if (size === 1) {
      ctx.writeReg(EAX, 2, p); // AX = AL * src
    } else {
      ctx.writeReg(EAX, 2, p);
      ctx.writeReg(EDX, 2, ctx.op('shr', p, 16));
    }
    ctx.setFlags('mul', size, p, a, b, big);
  };
}

/** imul r, r/m [, imm]: truncated signed product, CF = OF = the product did not fit. */
function imulMulti(ctx: LiftContext, insn: DecodedInsn): void {
  if (insn.operands.length === 1) return mulOne(true)(ctx, insn);
  const d = operand(insn, 0);
  const size = operandSize(d);
  const three = insn.operands.length === 3;
  const x = loadOperand(ctx, operand(insn, three ? 1 : 0), size);
  const y = loadOperand(ctx, operand(insn, three ? 2 : 1), size);
  let res: Value;
  let big: Value;
  if (size === 4) {
    res = ctx.op('mul', x, y);
    big = ctx.op('ne', ctx.op('smulhi', x, y), ctx.op('sar', res, 31));
  } else {
    res = ctx.op('mul', ctx.sext(x, size), ctx.sext(y, size));
    big = ctx.op('ne', res, ctx.sext(res, size));
  }
  writeOperand(ctx, d, res);
  ctx.setFlags('mul', size, res, x, y, big);
}

function divide(signed: boolean) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const s = operand(insn, 0);
    const size = operandSize(s);
    const raw = loadOperand(ctx, s);
    const divisor = signed ? ctx.sext(raw, size) : raw;
    const isZero = ctx.op('eq', raw, 0);
    ctx.raise(DE, null, isZero);
    const safe = ctx.select(isZero, 1, divisor);
    let hi: Value;
    let lo: Value;
    if (size === 1) {
      const ax = ctx.readReg(EAX, 2);
      lo = signed ? ctx.sext(ax, 2) : ax;
      hi = signed ? ctx.op('sar', lo, 31) : ctx.c(0);
    } else if (size === 2) {
      lo = ctx.op('or', ctx.op('shl', ctx.readReg(EDX, 2), 16), ctx.readReg(EAX, 2));
      hi = signed ? ctx.op('sar', lo, 31) : ctx.c(0);
    } else {
      lo = ctx.reg32(EAX);
      hi = ctx.reg32(EDX);
    }
    const [q, r] = ctx.b.helper(signed ? 'div64s' : 'div64u', [hi, lo, safe], 2);
    let overflow: Value;
    if (!signed) {
      overflow = size === 4 ? ctx.op('leu', safe, hi) : ctx.op('ltu', size === 1 ? 0xff : 0xffff, q);
    } else {
      const [ov] = ctx.b.helper('div64sOverflow', [hi, lo, safe], 1);
      overflow = size === 4 ? ov : ctx.op('or', ov, ctx.op('ne', q, ctx.sext(q, size)));
    }
    ctx.raise(DE, null, overflow);
    if (size === 1) {
      ctx.writeReg(EAX, 2, ctx.op('or', ctx.op('and', q, 0xff), ctx.op('shl', ctx.op('and', r!, 0xff), 8)));
    } else {
      ctx.writeReg(EAX, size, q);
      ctx.writeReg(EDX, size, r!);
    }
  };
}

export const MULDIV_LIFTERS: LifterTable = {
  mul: inline(mulOne(false)),
  imul: inline(imulMulti),
  div: inline(divide(false)),
  idiv: inline(divide(true)),
};
