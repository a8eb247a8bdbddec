/**
 * FSQRT on an 80-bit value: the square root of the significand to 66 bits
 * plus a sticky bit from the remainder (the first 48 bits from Math.sqrt,
 * corrected exactly; the rest digit by digit), then one rounding (round.ts). Calling convention in float80.ts.
 */
import { BIAS, DE, EXP_MAX, F80Class, SIGN, classify, writeF80 } from '../float80.js';
import { checkOperand, invalid, isDenormalClass, NOT_HANDLED, U, unpackFinite } from './operands.js';
import { fastSqrt, NOT_TAKEN } from './double-fast-path.js';
import { roundPack } from './round.js';

const TWO16 = 65536;
const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;

/**
 * P − sq² exactly, for the 96-bit P = tHi·2^64 + tLo·2^32 + extra·2^31 and
 * sq < 2^48 within one of ⌊√P⌋ (so the result is below 2^51 in magnitude and
 * an exact double): 16-bit limbs, borrows propagated, then summed from the top.
 */
function prefixMinusSquare(tHi: number, tLo: number, extra: number, sq: number): number {
  const q2 = Math.floor(sq / TWO32), q1 = (sq >>> 16) & 0xffff, q0 = sq & 0xffff;
  let d0 = -(q0 * q0);
  let d1 = (extra ? 0x8000 : 0) - 2 * q0 * q1;
  let d2 = (tLo & 0xffff) - (q1 * q1 + 2 * q0 * q2);
  let d3 = (tLo >>> 16) - 2 * q1 * q2;
  let d4 = (tHi & 0xffff) - q2 * q2;
  let d5 = tHi >>> 16;
  let c = Math.floor(d0 / TWO16); d0 -= c * TWO16; d1 += c;
  c = Math.floor(d1 / TWO16); d1 -= c * TWO16; d2 += c;
  c = Math.floor(d2 / TWO16); d2 -= c * TWO16; d3 += c;
  c = Math.floor(d3 / TWO16); d3 -= c * TWO16; d4 += c;
  c = Math.floor(d4 / TWO16); d4 -= c * TWO16; d5 += c;
  return ((((d5 * TWO16 + d4) * TWO16 + d3) * TWO16 + d2) * TWO16 + d1) * TWO16 + d0;
}

/** √a */
export function fsqrt(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  const fast = fastSqrt(aSe, aHi, aLo, fcw, out, o);
  if (fast !== NOT_TAKEN) return fast;
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
  const tHi = odd ? U[1] >>> 0 : U[1] >>> 1;
  const tLo = odd ? U[2] >>> 0 : ((U[2] >>> 1) | (U[1] << 31)) >>> 0;
  const extra = odd ? 0 : U[2] & 1;
  // The first 48 root bits at once: the integer square root of the radicand's top 96 bits,
  // P = tHi·2^64 + tLo·2^32 + extra·2^31, from Math.sqrt (off by at most one) corrected exactly.
  let sq = Math.floor(Math.sqrt(tHi * TWO64 + tLo * TWO32 + extra * 2147483648));
  let rem = prefixMinusSquare(tHi, tLo, extra, sq);
  while (rem < 0) {
    sq--;
    rem += 2 * sq + 1;
  }
  while (rem > 2 * sq) {
    rem -= 2 * sq + 1;
    sq++;
  }
  // Then the remaining 18 bits (radicand pairs all zero) digit by digit from that root and remainder.
  let r2 = 0, r1 = Math.floor(rem / TWO32), r0 = rem >>> 0; // remainder
  let s2 = 0, s1 = Math.floor(sq / TWO32), s0 = sq >>> 0; // root so far
  for (let k = 48; k < 66; k++) {
    const pair = 0;
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
