/**
 * Operands of the x87 arithmetic: the checks every routine starts with, in the
 * SDM's order of precedence (Vol. 1 §8.7): unsupported encodings (unnormals,
 * pseudo-infinities, pseudo-NaNs) are invalid and give the real indefinite;
 * then NaN operands propagate (SNaN quietened, with IE), by the rules of SDM
 * Vol. 1 Table 4-7. Routines call these first and go on with the arithmetic
 * only when they return NOT_HANDLED, and then unpack finite operands to a
 * normalised exponent and significand with unpackFinite().
 */
import { EXP_MAX, F80Class, IE, INDEFINITE_HI, INDEFINITE_LO, INDEFINITE_SE, writeF80 } from '../float80.js';

/** Returned by the checks when the operands are ordinary numbers (zero, normal, denormal, infinity). */
export const NOT_HANDLED = -1;

const QUIET_BIT = 0x40000000;

export function isNaNClass(c: F80Class): boolean {
  return c === F80Class.QNaN || c === F80Class.SNaN;
}

export function isUnsupported(c: F80Class): boolean {
  return c === F80Class.Unnormal || c === F80Class.Invalid;
}

/** Write the real indefinite unless IE is unmasked; return IE. */
export function invalid(fcw: number, out: Uint32Array, o: number): number {
  if (fcw & IE) writeF80(out, o, INDEFINITE_SE, INDEFINITE_HI, INDEFINITE_LO);
  return IE;
}

/** One operand: unsupported → indefinite; NaN → itself quietened (IE for an SNaN). */
export function checkOperand(c: F80Class, se: number, hi: number, lo: number, fcw: number, out: Uint32Array, o: number): number {
  if (isUnsupported(c)) return invalid(fcw, out, o);
  if (!isNaNClass(c)) return NOT_HANDLED;
  const flags = c === F80Class.SNaN ? IE : 0;
  if (flags === 0 || fcw & IE) writeF80(out, o, se, (hi | QUIET_BIT) >>> 0, lo);
  return flags;
}

/** Two operands: unsupported → indefinite; else NaN propagation (Table 4-7). */
export function checkOperands(
  ca: F80Class, aSe: number, aHi: number, aLo: number,
  cb: F80Class, bSe: number, bHi: number, bLo: number,
  fcw: number, out: Uint32Array, o: number,
): number {
  if (isUnsupported(ca) || isUnsupported(cb)) return invalid(fcw, out, o);
  const aNaN = isNaNClass(ca);
  const bNaN = isNaNClass(cb);
  if (!aNaN && !bNaN) return NOT_HANDLED;
  const flags = ca === F80Class.SNaN || cb === F80Class.SNaN ? IE : 0;
  if (flags !== 0 && (fcw & IE) === 0) return flags;
  let takeA: boolean;
  if (!bNaN) takeA = true;
  else if (!aNaN) takeA = false;
  else if (ca !== cb) takeA = ca === F80Class.QNaN; // an SNaN and a QNaN: the QNaN
  else {
    // Both NaNs: the larger significand, compared with the quiet bits set.
    const ah = (aHi | QUIET_BIT) >>> 0;
    const bh = (bHi | QUIET_BIT) >>> 0;
    if (ah !== bh) takeA = ah > bh;
    else if ((aLo | 0) !== (bLo | 0)) takeA = aLo >>> 0 > bLo >>> 0;
    else takeA = (aSe & 0x8000) === 0 || (bSe & 0x8000) !== 0;
  }
  if (takeA) writeF80(out, o, aSe, (aHi | QUIET_BIT) >>> 0, aLo);
  else writeF80(out, o, bSe, (bHi | QUIET_BIT) >>> 0, bLo);
  return flags;
}

/**
 * unpackFinite's results: U[0] the biased exponent (≤ 0 for denormals),
 * U[1]:U[2] the significand with bit 63 set (as int32: read them with >>> 0
 * to compare).
 */
export const U = new Int32Array(3);

/**
 * A finite non-zero operand (normal, denormal or pseudo-denormal) as a
 * biased exponent and a normalised significand (denormals get exponents ≤ 0).
 */
export function unpackFinite(se: number, hi: number, lo: number): void {
  let exp = se & EXP_MAX;
  if (exp === 0) exp = 1; // denormals and pseudo-denormals have the exponent of the smallest normal
  if (hi >>> 31 !== 0) {
    U[0] = exp; U[1] = hi; U[2] = lo;
    return;
  }
  let s = 0;
  if (hi === 0) {
    hi = lo; lo = 0; s = 32;
  }
  const z = Math.clz32(hi);
  if (z !== 0) {
    hi = (hi << z) | (lo >>> (32 - z));
    lo <<= z;
  }
  U[0] = exp - s - z; U[1] = hi >>> 0; U[2] = lo >>> 0;
}

/** Whether an operand raises DE (denormal or pseudo-denormal). */
export function isDenormalClass(c: F80Class): boolean {
  return c === F80Class.Denormal || c === F80Class.PseudoDenormal;
}
