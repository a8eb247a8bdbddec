/**
 * Packed BCD, the 10-byte format of FBLD and FBSTP: 18 decimal digits, two
 * per byte in bytes 0..8 (byte 0's low nibble the least significant), and
 * the sign in bit 7 of byte 9. The ten bytes travel as three words:
 * top16 = bytes 9..8, hi = bytes 7..4, lo = bytes 3..0.
 *
 * FBLD is exact (|value| < 10^18 < 2^60). FBSTP rounds ST(0) to an integer
 * under the rounding control; NaNs, infinities, unsupported encodings and
 * magnitudes of 10^18 or more raise IE and store the BCD indefinite
 * (FFFF C000 0000 0000 0000).
 */
import { BIAS, C1, F80Class, IE, PE, SIGN, classify, writeF80 } from '../float80.js';
import { isDenormalClass, U, unpackFinite } from './operands.js';
import { mul128, P } from './mul.js';
import { INEXACT, ROUNDED_UP, roundToInteger, W } from './round.js';

const E9 = 1000000000;

/** The 9-digit decimal number in the nibbles of n (bits 0..35 as a JS number), digit values taken as they are. */
function nibblesValue(word: number, count: number): number {
  let v = 0;
  for (let i = count - 1; i >= 0; i--) v = v * 10 + ((word >>> (4 * i)) & 15);
  return v;
}

/** fbld: the BCD number as an 80-bit value (exact; an invalid digit counts with its nibble value). */
export function fromBcd(top16: number, hi: number, lo: number, out: Uint32Array, o: number): number {
  const sign = top16 & 0x8000 ? SIGN : 0;
  // Digits 17..9 (H) and 8..0 (L): value = H·10^9 + L.
  const high = nibblesValue(top16 & 0xff, 2) * 1e7 + nibblesValue(hi >>> 4, 7);
  const low = (hi & 15) * 1e8 + nibblesValue(lo, 8);
  mul128(0, high, 0, E9);
  let l = (P[0] >>> 0) + low;
  let h = P[1] >>> 0;
  if (l > 0xffffffff) {
    l -= 4294967296;
    h++;
  }
  if ((h | l) === 0) {
    writeF80(out, o, sign, 0, 0);
    return 0;
  }
  unpackFinite(BIAS + 63, h >>> 0, l >>> 0);
  writeF80(out, o, sign | U[0], U[1], U[2]);
  return 0;
}

/** Nine decimal digits of x (< 10^9), as nibbles of a number (bits 0..35). */
function digitsOf(x: number): number {
  let v = 0;
  let scale = 1;
  for (let i = 0; i < 9; i++) {
    v += (x % 10) * scale;
    x = Math.floor(x / 10);
    scale *= 16;
  }
  return v;
}

/** fbstp: ST(0) rounded by RC as 18 BCD digits: out[o] = bytes 9..8, out[o+1] = bytes 7..4, out[o+2] = bytes 3..0. */
export function toBcd(se: number, hi: number, lo: number, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(se, hi, lo);
  const sign = se & SIGN;
  if (c === F80Class.Zero) {
    writeF80(out, o, sign, 0, 0);
    return 0;
  }
  if (c !== F80Class.Normal && !isDenormalClass(c)) return indefinite(fcw, out, o);
  // A denormal source raises no DE on a store (measured).
  unpackFinite(se, hi, lo);
  const e = U[0] - BIAS;
  if (e > 59) return indefinite(fcw, out, o); // ≥ 2^60 > 10^18
  const r = roundToInteger(U[1], U[2], e, (fcw >>> 10) & 3, sign !== 0);
  const ih = W[0] >>> 0, il = W[1] >>> 0;
  // Split into H = ⌊M / 10^9⌋ and L = M mod 10^9 in 16-bit steps so every intermediate is an exact double.
  const q1 = Math.floor(ih / E9);
  let t = (ih - q1 * E9) * 65536 + (il >>> 16);
  const q2 = Math.floor(t / E9);
  t = (t - q2 * E9) * 65536 + (il & 0xffff);
  const q3 = Math.floor(t / E9);
  const low = t - q3 * E9;
  const high = q1 * 4294967296 + q2 * 65536 + q3;
  if (high >= E9) return indefinite(fcw, out, o);
  const hd = digitsOf(high);
  const ld = digitsOf(low);
  out[o] = sign | Math.floor(hd / 0x10000000);
  out[o + 1] = ((hd % 0x10000000) * 16 + Math.floor(ld / 0x100000000)) >>> 0;
  out[o + 2] = ld % 0x100000000;
  return r & INEXACT ? PE | (r & ROUNDED_UP ? C1 : 0) : 0;
}

function indefinite(fcw: number, out: Uint32Array, o: number): number {
  if (fcw & IE) writeF80(out, o, 0xffff, 0xc0000000, 0);
  return IE;
}
