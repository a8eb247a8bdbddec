/**
 * FSQRT on an 80-bit value: digit-by-digit binary square root of the
 * significand to 66 bits plus a sticky bit from the remainder, then one
 * rounding (round.ts). Calling convention in float80.ts.
 */
import { BIAS, DE, EXP_MAX, F80Class, SIGN, classify, writeF80 } from '../float80.js';
import { checkOperand, invalid, isDenormalClass, NOT_HANDLED, U, unpackFinite } from './operands.js';
import { roundPack } from './round.js';

/** √a */
export function fsqrt(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(aSe, aHi, aLo);
  const special = checkOperand(c, aSe, aHi, aLo, fcw, out, o);
  if (special !== NOT_HANDLED) return special;
  if (c === F80Class.Zero) {
    writeF80(out, o, aSe, 0, 0); // √±0 = ±0
    return 0;
  }
  if (aSe & SIGN) return invalid(fcw, out, o); // no DE for a negative denormal (measured)
  const flags = isDenormalClass(c) ? DE : 0;
  if (c === F80Class.Infinity) {
    writeF80(out, o, EXP_MAX, 0x80000000, 0);
    return 0;
  }
  if (flags & ~fcw) return flags;
  unpackFinite(aSe, aHi, aLo);
  const u = U[0] - BIAS;
  const odd = u & 1;
  // The radicand is a 132-bit number whose top 64 bits are S (odd exponent) or S/2 (even), so the
  // root has 66 bits; `extra` is the bit of S that S/2 drops (bit 67 of the radicand).
  const tHi = odd ? U[1] : U[1] >>> 1;
  const tLo = odd ? U[2] : ((U[2] >>> 1) | (U[1] << 31)) >>> 0;
  const extra = odd ? 0 : U[2] & 1;
  let r2 = 0, r1 = 0, r0 = 0; // remainder
  let s2 = 0, s1 = 0, s0 = 0; // root so far
  for (let k = 0; k < 66; k++) {
    const pair = k < 16 ? (tHi >>> (30 - 2 * k)) & 3 : k < 32 ? (tLo >>> (62 - 2 * k)) & 3 : k === 32 ? extra << 1 : 0;
    // remainder = remainder·4 + pair
    r2 = ((r2 << 2) | (r1 >>> 30)) >>> 0;
    r1 = ((r1 << 2) | (r0 >>> 30)) >>> 0;
    r0 = ((r0 << 2) | pair) >>> 0;
    // trial = root·4 + 1
    const t2 = ((s2 << 2) | (s1 >>> 30)) >>> 0;
    const t1 = ((s1 << 2) | (s0 >>> 30)) >>> 0;
    const t0 = ((s0 << 2) | 1) >>> 0;
    // root = root·2 (+1 below)
    s2 = ((s2 << 1) | (s1 >>> 31)) >>> 0;
    s1 = ((s1 << 1) | (s0 >>> 31)) >>> 0;
    s0 = (s0 << 1) >>> 0;
    if (r2 > t2 || (r2 === t2 && (r1 > t1 || (r1 === t1 && r0 >= t0)))) {
      let d = r0 - t0;
      let borrow = d < 0 ? 1 : 0;
      r0 = d >>> 0;
      d = r1 - t1 - borrow;
      borrow = d < 0 ? 1 : 0;
      r1 = d >>> 0;
      r2 = (r2 - t2 - borrow) >>> 0;
      s0 = (s0 | 1) >>> 0;
    }
  }
  const sticky = (r2 | r1 | r0) !== 0 ? 1 : 0;
  const hi = (s2 << 30) | (s1 >>> 2);
  const lo = (s1 << 30) | (s0 >>> 2);
  const ext = (s0 << 30) | sticky;
  return flags | roundPack(0, Math.floor(u / 2) + BIAS, hi, lo, ext, fcw, out, o);
}
