/**
 * Comparisons of floating-point lanes: CMPPS/CMPSS/CMPPD/CMPSD (a mask of
 * all ones or zeros per lane by predicate imm8[2:0]), MIN and MAX (which
 * return the second operand when either is a NaN or both are zeros, SDM
 * Vol. 2 MINPS), and COMISS/UCOMISS/COMISD/UCOMISD (ZF, PF, CF).
 *
 * Flags: IE for an SNaN operand, and for a QNaN too where the operation
 * signals on it (the LT/LE/NLT/NLE predicates, MIN/MAX, COMIS); DE for a
 * denormal operand when no NaN is involved and DAZ is clear. Compares
 * produce no post-computation flags.
 */
import type { SimdScratch } from '../simd-scratch.js';
import { MXCSR_DE, MXCSR_IE } from '../simd-scratch.js';
import { ENV } from './mxcsr-env.js';
import { CLS, DENORMAL, isNaNClass, load, SNAN, VAL, writeValue } from './operands.js';

export const UNORDERED = 0;
export const LESS = 1;
export const EQUAL = 2;
export const GREATER = 3;

/**
 * Relation of the lanes at word indices wa and wb, with IE when a NaN
 * operand signals (`quietSignals`: a QNaN does too) and DE for denormals.
 */
export function relate(x: SimdScratch, wide: boolean, wa: number, wb: number, quietSignals: boolean): number {
  const ca = load(x, wide, wa, 0);
  const cb = load(x, wide, wb, 1);
  if (isNaNClass(ca) || isNaNClass(cb)) {
    if (quietSignals || ca === SNAN || cb === SNAN) ENV.pre |= MXCSR_IE;
    return UNORDERED;
  }
  if (!ENV.daz && (ca === DENORMAL || cb === DENORMAL)) ENV.pre |= MXCSR_DE;
  const a = VAL[0];
  const b = VAL[1];
  return a < b ? LESS : a > b ? GREATER : EQUAL;
}

/** Predicates 0..7 (EQ LT LE UNORD NEQ NLT NLE ORD): whether each relation satisfies it, as bit `relation` of a mask. */
const PREDICATE_TRUE = [
  1 << EQUAL,
  1 << LESS,
  (1 << LESS) | (1 << EQUAL),
  1 << UNORDERED,
  (1 << UNORDERED) | (1 << LESS) | (1 << GREATER),
  (1 << UNORDERED) | (1 << EQUAL) | (1 << GREATER),
  (1 << UNORDERED) | (1 << GREATER),
  (1 << LESS) | (1 << EQUAL) | (1 << GREATER),
];

/** Lane of CMPccPS/PD/SS/SD: `op` is the predicate (imm8 & 7). */
export function compareLane(x: SimdScratch, wide: boolean, op: number, wa: number, wb: number, out: number): void {
  // LT, LE and their negations are the signalling predicates.
  const signalling = (op & 3) === 1 || (op & 3) === 2;
  const r = relate(x, wide, wa, wb, signalling);
  const v = (PREDICATE_TRUE[op] >>> r) & 1 ? 0xffffffff : 0;
  x.u32[out] = v;
  if (wide) x.u32[out + 1] = v;
}

export const MIN = 0;
export const MAX = 1;

/** Lane of MIN/MAX: the first operand only when it is strictly less (min) or greater (max). */
export function minMaxLane(x: SimdScratch, wide: boolean, op: number, wa: number, wb: number, out: number): void {
  const r = relate(x, wide, wa, wb, true);
  if (r === (op === MIN ? LESS : GREATER)) writeValue(x, wide, out, VAL[0]);
  else if (r === UNORDERED && isNaNClass(CLS[1])) {
    // A NaN second operand comes out as it is, an SNaN not quietened.
    const u = x.u32;
    u[out] = u[wb];
    if (wide) u[out + 1] = u[wb + 1];
  } else writeValue(x, wide, out, VAL[1]); // with DAZ, a denormal second operand comes out as zero
}

/** EFLAGS ZF, PF, CF of (U)COMIS by relation. */
const COMIS_EFLAGS = [0x45, 0x01, 0x40, 0x00];

/** (U)COMISS/SD: compare lane 0 of A and B into x.eflags; `op` 1 for COMIS (a QNaN signals), 0 for UCOMIS. */
export function comisLane(x: SimdScratch, wide: boolean, op: number, wa: number, wb: number): void {
  x.eflags = COMIS_EFLAGS[relate(x, wide, wa, wb, op === 1)];
}
