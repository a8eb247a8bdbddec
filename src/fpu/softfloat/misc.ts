/**
 * The x87's exact helper operations: FRNDINT (round to an integer under RC),
 * FSCALE (multiply by 2^trunc(ST(1))), FXTRACT (split into exponent and
 * significand). None of them is subject to precision control; their
 * results are exact except where FRNDINT rounds or FSCALE leaves the
 * exponent range. FPREM/FPREM1 are in remainder.ts. Calling convention in
 * float80.ts.
 */
import { BIAS, DE, EXP_MAX, F80Class, IE, PC_64, PE, C1, SIGN, ZE, classify, writeF80 } from '../float80.js';
import { fromInt64 } from './convert-int.js';
import { checkOperand, checkOperands, invalid, isDenormalClass, NOT_HANDLED, U, unpackFinite } from './operands.js';
import { INEXACT, ROUNDED_UP, roundPack, roundToInteger, W } from './round.js';

/** fcw with precision control forced to 64 bits: these operations ignore PC. */
function fullPrecision(fcw: number): number {
  return fcw | (PC_64 << 8);
}

/** frndint: a rounded to an integer under RC. */
export function frndint(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(aSe, aHi, aLo);
  const special = checkOperand(c, aSe, aHi, aLo, fcw, out, o);
  if (special !== NOT_HANDLED) return special;
  if (c === F80Class.Zero || c === F80Class.Infinity) {
    writeF80(out, o, aSe, aHi, aLo);
    return 0;
  }
  const flags = isDenormalClass(c) ? DE : 0;
  if (flags & ~fcw) return flags;
  const sign = aSe & SIGN;
  unpackFinite(aSe, aHi, aLo);
  const e = U[0] - BIAS;
  if (e >= 63) {
    writeF80(out, o, sign | U[0], U[1], U[2]);
    return flags;
  }
  const r = roundToInteger(U[1], U[2], e, (fcw >>> 10) & 3, sign !== 0);
  const ih = W[0], il = W[1]; // below 2^63: only bit operations and fromInt64 read them
  const inexact = r & INEXACT ? PE | (r & ROUNDED_UP ? C1 : 0) : 0;
  if ((ih | il) === 0) {
    writeF80(out, o, sign, 0, 0);
    return flags | inexact;
  }
  if (ih < 0) {
    // e = 62 rounded up to 2^63 (e.g. 2^63 − 0.5 to even): one bit too wide for fromInt64's signed input.
    writeF80(out, o, sign | (BIAS + 63), 0x80000000, 0);
    return flags | inexact;
  }
  fromInt64(ih, il, out, o); // the integer is below 2^63, so this is exact and positive
  out[o] |= sign;
  return flags | inexact;
}

/** fscale: a · 2^trunc(b). */
export function fscale(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  const ca = classify(aSe, aHi, aLo);
  const cb = classify(bSe, bHi, bLo);
  const special = checkOperands(ca, aSe, aHi, aLo, cb, bSe, bHi, bLo, fcw, out, o);
  if (special !== NOT_HANDLED) return special;
  const sign = aSe & SIGN;
  const flags = isDenormalClass(ca) || isDenormalClass(cb) ? DE : 0;
  if (cb === F80Class.Infinity) {
    const bNeg = (bSe & SIGN) !== 0;
    // 0 · 2^+∞ and ∞ · 2^−∞ are invalid; otherwise the scale drives a to ∞ or 0.
    if ((ca === F80Class.Zero && !bNeg) || (ca === F80Class.Infinity && bNeg)) return invalid(fcw, out, o);
    if (flags & ~fcw) return flags;
    if (ca === F80Class.Zero || ca === F80Class.Infinity) writeF80(out, o, aSe, aHi, aLo);
    else writeF80(out, o, bNeg ? sign : sign | EXP_MAX, bNeg ? 0 : 0x80000000, 0);
    return flags;
  }
  if (flags & ~fcw) return flags;
  if (ca === F80Class.Zero || ca === F80Class.Infinity) {
    writeF80(out, o, aSe, aHi, aLo);
    return flags;
  }
  // trunc(b), clamped far beyond any exponent that can still produce a finite non-zero result.
  let n = 0;
  if (cb !== F80Class.Zero) {
    unpackFinite(bSe, bHi, bLo);
    const e = U[0] - BIAS;
    if (e >= 20) n = 1 << 20;
    else if (e >= 0) n = U[1] >>> (31 - e);
    if (bSe & SIGN) n = -n;
  }
  unpackFinite(aSe, aHi, aLo);
  return flags | roundPack(sign, U[0] + n, U[1], U[2], 0, fullPrecision(fcw), out, o);
}

/**
 * fxtract: a's unbiased exponent as a value into out[o..o+2] (it becomes
 * ST(1)) and its significand with exponent 0x3FFF and a's sign into
 * out[o+3..o+5] (ST(0)). Zero: −∞ and ±0 with ZE; ∞: +∞ and ±∞; NaN: the
 * quietened NaN in both.
 */
export function fxtract(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(aSe, aHi, aLo);
  const special = checkOperand(c, aSe, aHi, aLo, fcw, out, o + 3);
  if (special !== NOT_HANDLED) {
    if ((special & ~fcw & IE) === 0) writeF80(out, o, out[o + 3], out[o + 4], out[o + 5]);
    return special;
  }
  const sign = aSe & SIGN;
  if (c === F80Class.Zero) {
    if (~fcw & ZE) return ZE;
    writeF80(out, o, SIGN | EXP_MAX, 0x80000000, 0);
    writeF80(out, o + 3, sign, 0, 0);
    return ZE;
  }
  if (c === F80Class.Infinity) {
    writeF80(out, o, EXP_MAX, 0x80000000, 0);
    writeF80(out, o + 3, aSe, aHi, aLo);
    return 0;
  }
  const flags = isDenormalClass(c) ? DE : 0;
  if (flags & ~fcw) return flags;
  unpackFinite(aSe, aHi, aLo);
  const e = U[0] - BIAS;
  const hi = U[1], lo = U[2];
  fromInt64(e < 0 ? 0xffffffff : 0, e >>> 0, out, o);
  writeF80(out, o + 3, sign | BIAS, hi, lo);
  return flags;
}
