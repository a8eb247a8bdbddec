/**
 * Shifts and rotates: shl shr sar rol ror (thunk kinds), rcl rcr shld shrd
 * (explicit flags).
 *
 * The count is masked to 5 bits as on every CPU since the 286. A masked count
 * of zero changes nothing, flags included: with an immediate count the lifter
 * knows it statically; with CL the flags.set carries the count as its guard
 * (and the written value equals the old one). Counts at or above the operand
 * width follow the SDM pseudo-code bit by bit (the result is computed in 32
 * bits from the zero-extended operand, so shl/shr by 8..31 of a byte give 0
 * and sar gives the sign fill); 8- and 16-bit rotates are done by rotating
 * the value replicated across 32 bits, rcl/rcr rotate through CF modulo
 * width+1 as the SDM says.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { Value } from '../ir/types.js';
import type { LiftContext } from './context.js';
import { CF, OF, bitAt, keptFlags, msb, orAll, szpBits } from './flag-bits.js';
import { inline, type LifterTable } from './lifter-entry.js';
import { loadOperand, operand, operandSize, writeOperand } from './operands.js';

interface Count {
  /** Masked count (0..31). */
  readonly v: Value;
  /** Known count, or -1 when it comes from CL. */
  readonly known: number;
}

function maskedCount(ctx: LiftContext, insn: DecodedInsn, index: number): Count {
  const o = operand(insn, index);
  if (o.kind === 'imm') {
    const k = o.value & 31;
    return { v: ctx.c(k), known: k };
  }
  return { v: ctx.op('and', loadOperand(ctx, o, 1), 31), known: -1 };
}

/** Guard for flags.set: null when the count is known non-zero. */
const guardOf = (c: Count): Value | null => (c.known >= 0 ? null : c.v);

function shift(kind: 'shl' | 'shr' | 'sar') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const count = maskedCount(ctx, insn, 1);
    if (count.known === 0) return; // no architectural effect (a fault on the operand is not modelled)
    const a = loadOperand(ctx, d);
    const src = kind === 'sar' ? ctx.sext(a, size) : a;
    const res = ctx.op(kind, src, count.v);
    writeOperand(ctx, d, res);
    ctx.setFlags(kind, size, res, a, count.v, ctx.c(0), guardOf(count));
  };
}

/** Value of `size` bytes replicated so a 32-bit rotate rotates it within its width. */
function replicate(ctx: LiftContext, a: Value, size: number): Value {
  if (size === 4) return a;
  if (size === 2) return ctx.op('or', a, ctx.op('shl', a, 16));
  return ctx.op('mul', a, 0x01010101);
}

function rotate(kind: 'rol' | 'ror') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const count = maskedCount(ctx, insn, 1);
    if (count.known === 0) return;
    const a = loadOperand(ctx, d);
    const before = ctx.flagsAll();
    const res = ctx.op(kind, replicate(ctx, a, size), count.v);
    writeOperand(ctx, d, res);
    ctx.setFlags(kind, size, res, a, count.v, before, guardOf(count));
  };
}

/**
 * rcl/rcr: rotate the (width+1)-bit value CF:dst. For 8 and 16 bits that
 * value fits in 17 bits and one 32-bit computation does it; for 32 bits the
 * 33-bit rotate is assembled from three shifts (count 1..31).
 */
function rotateCarry(dir: 'rcl' | 'rcr') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const n = size * 8;
    const count = maskedCount(ctx, insn, 1);
    if (count.known === 0) return;
    const a = loadOperand(ctx, d);
    const cfIn = ctx.flag('cf');
    const kept = keptFlags(ctx, CF | OF);
    let c: Value; // effective rotate count
    let res: Value;
    let cfOut: Value;
    if (size === 4) {
      c = count.v;
      const cm1 = ctx.op('sub', c, 1);
      const inv = ctx.op('sub', 32, c); // 1..31 when c is 1..31
      if (dir === 'rcl') {
        // res = a<<c | cf<<(c-1) | a>>>(33-c); CF = bit 32-c of a
        res = orAll(ctx, [ctx.op('shl', a, c), ctx.op('shl', cfIn, cm1), ctx.op('shr', ctx.op('shr', a, 1), inv)]);
        cfOut = ctx.op('and', ctx.op('shr', a, inv), 1);
      } else {
        // res = a>>>c | cf<<(32-c) | a<<(33-c); CF = bit c-1 of a
        res = orAll(ctx, [ctx.op('shr', a, c), ctx.op('shl', cfIn, inv), ctx.op('shl', ctx.op('shl', a, 1), inv)]);
        cfOut = ctx.op('and', ctx.op('shr', a, cm1), 1);
      }
      res = ctx.select(ctx.op('ne', c, 0), res, a); // shift counts of 32 would wrap: keep c = 0 exact
    } else {
      // Count modulo width+1 (9 or 17), done by subtraction: count <= 31.
      const mod = n + 1;
      let k: Value = count.v;
      k = ctx.select(ctx.op('ltu', k, mod), k, ctx.op('sub', k, mod));
      if (size === 1) k = ctx.select(ctx.op('ltu', k, mod), k, ctx.op('sub', k, mod)); // 31 → 22 → 13 → 4 needs three
      if (size === 1) k = ctx.select(ctx.op('ltu', k, mod), k, ctx.op('sub', k, mod));
      c = k;
      const v = ctx.op('or', a, ctx.op('shl', cfIn, n)); // CF:dst, n+1 bits
      const back = ctx.op('sub', mod, c); // 1..n+1
      const wide = dir === 'rcl'
        ? ctx.op('or', ctx.op('shl', v, c), ctx.op('shr', v, back))
        : ctx.op('or', ctx.op('shr', v, c), ctx.op('shl', v, back));
      // with c = 0, `back` is n+1 and v>>>(n+1) = 0, v<<(n+1) lands above bit n: masked off below.
      const w = ctx.op('and', wide, (1 << mod) - 1);
      res = w;
      cfOut = ctx.op('and', ctx.op('shr', w, n), 1);
    }
    const of = dir === 'rcl'
      ? ctx.op('xor', msb(ctx, res, size), cfOut)
      : ctx.op('xor', msb(ctx, res, size), ctx.op('and', ctx.op('shr', res, n - 2), 1));
    writeOperand(ctx, d, res);
    ctx.setFlagsExplicit(orAll(ctx, [kept, cfOut, bitAt(ctx, of, OF)]), count.known > 0 && size === 4 ? null : c);
  };
}

/**
 * shld/shrd dst, src, count: dst shifted with bits of src coming in. For 16
 * bits the pair is handled as one 32-bit value (counts above 16 are
 * undefined on hardware; this gives the natural continuation).
 */
function doubleShift(dir: 'shld' | 'shrd') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const count = maskedCount(ctx, insn, 2);
    if (count.known === 0) return;
    const a = loadOperand(ctx, d);
    const s = loadOperand(ctx, operand(insn, 1), size);
    const c = count.v;
    const cm1 = ctx.op('sub', c, 1);
    let res: Value;
    let cfOut: Value;
    if (size === 4) {
      const inv = ctx.op('sub', 32, c);
      if (dir === 'shld') {
        res = ctx.op('or', ctx.op('shl', a, c), ctx.op('shr', s, inv));
        cfOut = ctx.op('and', ctx.op('shr', a, inv), 1);
      } else {
        res = ctx.op('or', ctx.op('shr', a, c), ctx.op('shl', s, inv));
        cfOut = ctx.op('and', ctx.op('shr', a, cm1), 1);
      }
      if (count.known < 0) res = ctx.select(ctx.op('ne', c, 0), res, a); // a shift by 32 would wrap to 0 in the IR
    } else {
      if (dir === 'shld') {
        const v = ctx.op('or', ctx.op('shl', a, 16), s); // dst:src
        res = ctx.op('shr', ctx.op('shl', v, c), 16);
        cfOut = ctx.op('and', ctx.op('shr', v, ctx.op('sub', 32, c)), 1);
      } else {
        const v = ctx.op('or', ctx.op('shl', s, 16), a); // src:dst
        res = ctx.op('shr', v, c);
        cfOut = ctx.op('and', ctx.op('shr', v, cm1), 1);
      }
    }
    const of = ctx.op('xor', msb(ctx, res, size), msb(ctx, a, size));
    writeOperand(ctx, d, res);
    ctx.setFlagsExplicit(orAll(ctx, [szpBits(ctx, size, res), cfOut, bitAt(ctx, of, OF)]), guardOf(count));
  };
}

export const SHIFT_LIFTERS: LifterTable = {
  shl: inline(shift('shl')),
  shr: inline(shift('shr')),
  sar: inline(shift('sar')),
  rol: inline(rotate('rol')),
  ror: inline(rotate('ror')),
  rcl: inline(rotateCarry('rcl')),
  rcr: inline(rotateCarry('rcr')),
  shld: inline(doubleShift('shld')),
  shrd: inline(doubleShift('shrd')),
};
