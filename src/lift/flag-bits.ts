/**
 * Building OSZAPC by hand for the instructions whose flags no thunk kind
 * describes (bt*, bsf/bsr, BCD adjusts, rcl/rcr, shld/shrd, sahf, clc/stc/
 * cmc, popcnt…): the result feeds an `explicit` flags.set, whose res holds
 * the flags as EFLAGS bits.
 */
import type { Value } from '../ir/types.js';
import type { LiftContext } from './context.js';
import { signBit } from './operands.js';

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const OSZAPC = CF | PF | AF | ZF | SF | OF;

/** SF, ZF and PF of a result of `size` bytes, as EFLAGS bits. */
export function szpBits(ctx: LiftContext, size: number, res: Value): Value {
  const m = ctx.mask(res, size);
  const sf = ctx.op('and', ctx.op('shr', m, size * 8 - 8), SF); // bit n-1 lands on bit 7
  const zf = ctx.op('shl', ctx.op('eq', m, 0), 6);
  const pf = ctx.op('shl', ctx.un('parity', m), 2);
  return ctx.op('or', ctx.op('or', sf, zf), pf);
}

/** A 0/1 value moved to flag bit `bit` (a mask such as CF or OF). */
export function bitAt(ctx: LiftContext, v01: Value, bit: number): Value {
  const shift = 31 - Math.clz32(bit);
  return shift === 0 ? v01 : ctx.op('shl', v01, shift);
}

/** The current OSZAPC with the bits of `clear` removed (the flags an instruction leaves alone). */
export function keptFlags(ctx: LiftContext, clear: number): Value {
  return ctx.op('and', ctx.flagsAll(), ~clear & OSZAPC);
}

/** msb of a `size`-byte value as 0/1. */
export function msb(ctx: LiftContext, v: Value, size: number): Value {
  return ctx.op('ne', ctx.op('and', v, signBit(size)), 0);
}

/** OR together a list of flag-bit values. */
export function orAll(ctx: LiftContext, parts: readonly Value[]): Value {
  let acc = parts[0]!;
  for (let i = 1; i < parts.length; i++) acc = ctx.op('or', acc, parts[i]!);
  return acc;
}
