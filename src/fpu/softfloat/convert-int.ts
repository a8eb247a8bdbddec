/**
 * Conversions between the 80-bit format and two's-complement integers:
 * FILD (exact), FIST/FISTP (rounded under the rounding control) and FISTTP
 * (truncated). Out-of-range values, NaNs, infinities and unsupported
 * encodings raise IE and store the integer indefinite (the most negative
 * integer of the size) when IE is masked, nothing when it is unmasked.
 *
 * Integers travel as two words: out[o] the high word and out[o+1] the low
 * word of a 64-bit value; for 16- and 32-bit sizes the value is sign-extended
 * to 64 bits, so out[o+1] holds it sign-extended to 32 bits.
 */
import { BIAS, C1, F80Class, IE, PE, RC_ZERO, SIGN, classify, writeF80 } from '../float80.js';
import { isDenormalClass, U, unpackFinite } from './operands.js';
import { INEXACT, ROUNDED_UP, roundToInteger, W } from './round.js';

/** fild: the signed 64-bit integer hi:lo (or a sign-extended smaller one) as an exact 80-bit value. */
export function fromInt64(hi: number, lo: number, out: Uint32Array, o: number): void {
  if ((hi | lo) === 0) {
    writeF80(out, o, 0, 0, 0);
    return;
  }
  let sign = 0;
  if (hi & 0x80000000) {
    sign = SIGN;
    lo = (0 - lo) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  unpackFinite(BIAS + 63, hi >>> 0, lo >>> 0);
  writeF80(out, o, sign | U[0], U[1], U[2]);
}

/** fild m16 / m32: a signed 32-bit integer (int32 or uint32 bits) as an exact 80-bit value. */
export function fromInt32(v: number, out: Uint32Array, o: number): void {
  fromInt64(v < 0 || v > 0x7fffffff ? 0xffffffff : 0, v >>> 0, out, o);
}

function writeIndefiniteInt(out: Uint32Array, o: number, bits: number): void {
  out[o] = bits === 64 ? 0x80000000 : 0xffffffff;
  out[o + 1] = bits === 64 ? 0 : bits === 32 ? 0x80000000 : 0xffff8000;
}

/**
 * fist/fistp (`truncate` false: rounded by RC) and fisttp (`truncate` true):
 * ST(0) as a signed integer of `bits` (16, 32 or 64), written as two words.
 * Returns the exception bits and C1 (rounded up in magnitude).
 */
export function toInt(se: number, hi: number, lo: number, bits: number, truncate: boolean, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(se, hi, lo);
  if (c === F80Class.Zero) {
    out[o] = 0;
    out[o + 1] = 0;
    return 0;
  }
  if (c !== F80Class.Normal && !isDenormalClass(c)) {
    if (fcw & IE) writeIndefiniteInt(out, o, bits);
    return IE;
  }
  // A denormal source raises no DE on a store (measured).
  const negative = (se & SIGN) !== 0;
  unpackFinite(se, hi, lo);
  const e = U[0] - BIAS; // value = significand / 2^63 · 2^e
  if (e > 63) {
    if (fcw & IE) writeIndefiniteInt(out, o, bits);
    return IE;
  }
  const r = roundToInteger(U[1], U[2], e, truncate ? RC_ZERO : (fcw >>> 10) & 3, negative);
  let ih = W[0] >>> 0, il = W[1] >>> 0;
  // Magnitude limit: 2^(bits-1) − 1, or 2^(bits-1) for a negative value.
  const limHi = bits === 64 ? 0x80000000 : 0;
  const limLo = bits === 64 ? 0 : bits === 32 ? 0x80000000 : 0x8000;
  // e ≤ 62 here unless e = 63, where there is no fraction: the magnitude cannot wrap past 2^64.
  if (ih > limHi || (ih === limHi && (il > limLo || (il === limLo && !negative)))) {
    if (fcw & IE) writeIndefiniteInt(out, o, bits);
    return IE;
  }
  if (negative) {
    il = (0 - il) >>> 0;
    ih = (~ih + (il === 0 ? 1 : 0)) >>> 0;
  }
  out[o] = ih;
  out[o + 1] = il;
  return r & INEXACT ? PE | (r & ROUNDED_UP ? C1 : 0) : 0;
}
