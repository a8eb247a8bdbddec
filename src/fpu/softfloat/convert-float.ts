/**
 * Conversions between the 80-bit format and IEEE single/double in memory:
 * FLD m32/m64 (exact widening: denormals normalised with DE, an SNaN
 * quietened with IE) and FST/FSTP m32/m64 (narrowing: rounded under the
 * rounding control only, never the precision control, to the target's
 * exponent range, with its own overflow and underflow; NaN payloads keep
 * their top bits). Results for memory are written as words into `out`:
 * a float32 at out[o]; a float64 as out[o] = high word, out[o+1] = low word.
 *
 * Unmasked exceptions: nothing is written when IE is raised unmasked, nor
 * for a store with OE or UE unmasked (the SDM's rule for a memory
 * destination, §4.9.1.4/§4.9.1.5: the value would not fit the format).
 * Measured on the host and unlike the arithmetic: a load of a denormal
 * raises DE but loads even when DE is unmasked, and a store of an 80-bit
 * denormal raises no DE at all.
 */
import { BIAS, C1, DE, EXP_MAX, F80Class, IE, OE, PC_24, PC_53, PE, RC_DOWN, RC_NEAREST, RC_UP, SIGN, UE, classify, writeF80 } from '../float80.js';
import { isNaNClass, isUnsupported, U, unpackFinite } from './operands.js';
import { CARRY_OUT, INEXACT, ROUNDED_UP, roundSignificand, shiftRightJam96, W } from './round.js';

const QUIET = 0x40000000;

/** fld m32: the float32 with bits `bits` as an 80-bit value. */
export function fromFloat32(bits: number, fcw: number, out: Uint32Array, o: number): number {
  const sign = (bits >>> 16) & SIGN;
  const e = (bits >>> 23) & 0xff;
  const f = bits & 0x7fffff;
  if (e === 0xff) {
    if (f === 0) {
      writeF80(out, o, sign | EXP_MAX, 0x80000000, 0);
      return 0;
    }
    const flags = f & 0x400000 ? 0 : IE;
    if (flags & ~fcw) return flags;
    writeF80(out, o, sign | EXP_MAX, (0x80000000 | QUIET | (f << 8)) >>> 0, 0);
    return flags;
  }
  if (e === 0) {
    if (f === 0) {
      writeF80(out, o, sign, 0, 0);
      return 0;
    }
    const z = Math.clz32(f) - 8; // leading zeros within the 23-bit fraction, plus one for the missing integer bit
    writeF80(out, o, sign | (BIAS - 126 - z), (f << (8 + z)) >>> 0, 0);
    return DE;
  }
  writeF80(out, o, sign | (e - 127 + BIAS), (0x80000000 | (f << 8)) >>> 0, 0);
  return 0;
}

/** fld m64: the float64 with words hi:lo as an 80-bit value. */
export function fromFloat64(hi: number, lo: number, fcw: number, out: Uint32Array, o: number): number {
  const sign = (hi >>> 16) & SIGN;
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  if (e === 0x7ff) {
    if ((fh | lo) === 0) {
      writeF80(out, o, sign | EXP_MAX, 0x80000000, 0);
      return 0;
    }
    const flags = fh & 0x80000 ? 0 : IE;
    if (flags & ~fcw) return flags;
    writeF80(out, o, sign | EXP_MAX, (0x80000000 | QUIET | (fh << 11) | (lo >>> 21)) >>> 0, (lo << 11) >>> 0);
    return flags;
  }
  // Significand with the integer bit at bit 63: 1.f (normal) or 0.f (denormal, exponent of the smallest normal).
  const sh = ((e === 0 ? 0 : 0x80000000) | (fh << 11) | (lo >>> 21)) >>> 0;
  const sl = (lo << 11) >>> 0;
  if (e === 0) {
    if ((sh | sl) === 0) {
      writeF80(out, o, sign, 0, 0);
      return 0;
    }
    unpackFinite(1, sh, sl); // normalise as if its biased exponent were 1
    writeF80(out, o, sign | (U[0] - 1 + BIAS - 1022), U[1], U[2]);
    return DE;
  }
  writeF80(out, o, sign | (e - 1023 + BIAS), sh, sl);
  return 0;
}

// The two memory formats, as parameters of one narrowing routine.
const F32_BIAS = 127;
const F32_EMAX = 0xff;
const F64_BIAS = 1023;
const F64_EMAX = 0x7ff;

/**
 * Narrow to float32 (`double` false) or float64 and write the words; returns
 * the exception bits and C1. Shared by fst m32 and fst m64.
 */
function storeReal(se: number, hi: number, lo: number, double: boolean, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(se, hi, lo);
  const sign = se & SIGN;
  const fbias = double ? F64_BIAS : F32_BIAS;
  const emax = double ? F64_EMAX : F32_EMAX;
  if (isUnsupported(c) || isNaNClass(c)) {
    const flags = c === F80Class.QNaN ? 0 : IE;
    if (flags & ~fcw) return flags;
    // The real indefinite's significand (0xC000…) gives the format's indefinite.
    const h = isUnsupported(c) ? 0xc0000000 : (hi | QUIET) >>> 0;
    const l = isUnsupported(c) ? 0 : lo;
    const s = isUnsupported(c) ? SIGN : sign;
    packReal(s, emax, h, l, double, out, o);
    return flags;
  }
  if (c === F80Class.Zero || c === F80Class.Infinity) {
    packReal(sign, c === F80Class.Zero ? 0 : emax, 0, 0, double, out, o);
    return 0;
  }
  let flags = 0; // a denormal source raises no DE on a store (measured)
  const pc = double ? PC_53 : PC_24;
  const rc = (fcw >>> 10) & 3;
  const negative = sign !== 0;
  unpackFinite(se, hi, lo);
  let e = U[0] - BIAS + fbias;
  if (e >= 1) {
    const r = roundSignificand(U[1], U[2], 0, pc, rc, negative);
    if (r & CARRY_OUT) e++;
    if (e >= emax) {
      if (~fcw & OE) return flags | OE;
      const toInfinity = rc === RC_NEAREST || (rc === RC_UP && !negative) || (rc === RC_DOWN && negative);
      if (toInfinity) packReal(sign, emax, 0, 0, double, out, o);
      else packReal(sign, emax - 1, 0xffffffff, 0xffffffff, double, out, o);
      return flags | OE | PE | (toInfinity ? C1 : 0);
    }
    packReal(sign, e, W[0], W[1], double, out, o);
    return flags | (r & INEXACT ? PE : 0) | (r & ROUNDED_UP ? C1 : 0);
  }
  // Tiny after rounding unless the value rounds up to the smallest normal at full precision.
  const tiny = e < 0 || (roundSignificand(U[1], U[2], 0, pc, rc, negative) & CARRY_OUT) === 0;
  if (tiny && ~fcw & UE) return flags | UE;
  shiftRightJam96(U[1], U[2], 0, 1 - e);
  const r = roundSignificand(W[0], W[1], W[2], pc, rc, negative);
  packReal(sign, W[0] >>> 31, W[0], W[1], double, out, o);
  if (r & INEXACT) flags |= (tiny ? UE : 0) | PE | (r & ROUNDED_UP ? C1 : 0);
  return flags;
}

/** Write sign, biased exponent and the fraction below bit 63 of h:l as a float32 or float64. */
function packReal(sign: number, e: number, h: number, l: number, double: boolean, out: Uint32Array, o: number): void {
  if (double) {
    out[o] = (sign << 16) | (e << 20) | ((h >>> 11) & 0xfffff);
    out[o + 1] = ((h << 21) | (l >>> 11)) >>> 0;
  } else {
    out[o] = (sign << 16) | (e << 23) | ((h >>> 8) & 0x7fffff);
  }
}

/** fst m32: the float32 bits to out[o]. */
export function toFloat32(se: number, hi: number, lo: number, fcw: number, out: Uint32Array, o: number): number {
  return storeReal(se, hi, lo, false, fcw, out, o);
}

/** fst m64: the float64 to out[o] (high word) and out[o+1] (low word). */
export function toFloat64(se: number, hi: number, lo: number, fcw: number, out: Uint32Array, o: number): number {
  return storeReal(se, hi, lo, true, fcw, out, o);
}
