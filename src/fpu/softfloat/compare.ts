/**
 * FCOM/FCOMP/FCOMPP/FICOM, FUCOM*, FCOMI/FUCOMI* and FTST: the ordering of
 * two 80-bit values as the condition codes C3 C2 C0 (greater 000, less 001,
 * equal 100, unordered 111); FCOMI's ZF PF CF are the same three bits in
 * that order, which the x87 unit maps. ±0 compare equal; denormals compare
 * by value and raise DE.
 *
 * Invalid-operation rules: an unsupported encoding or an SNaN raises IE for
 * every form; a QNaN raises IE for the ordered forms (FCOM, FCOMI, FTST) and
 * not for the unordered ones (FUCOM, FUCOMI).
 */
import { C0, C2, C3, DE, F80Class, IE, SIGN, classify } from '../float80.js';
import { isDenormalClass, isNaNClass, isUnsupported, U, unpackFinite } from './operands.js';

export const CMP_GREATER = 0;
export const CMP_LESS = C0;
export const CMP_EQUAL = C3;
export const CMP_UNORDERED = C3 | C2 | C0;

/**
 * Compare a with b; `unordered` selects the FUCOM rule for QNaNs. Returns
 * C3 C2 C0 OR-ed with IE and DE. Nothing is written, so a caller with an
 * unmasked IE/DE only has to skip its pops.
 */
export function compare80(
  aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, unordered: boolean,
): number {
  void fcw;
  const ca = classify(aSe, aHi, aLo);
  const cb = classify(bSe, bHi, bLo);
  if (isUnsupported(ca) || isUnsupported(cb) || ca === F80Class.SNaN || cb === F80Class.SNaN) return CMP_UNORDERED | IE;
  if (isNaNClass(ca) || isNaNClass(cb)) return CMP_UNORDERED | (unordered ? 0 : IE);
  const flags = isDenormalClass(ca) || isDenormalClass(cb) ? DE : 0;
  return flags | order(ca, aSe, aHi, aLo, cb, bSe, bHi, bLo);
}

/** The ordering of two numbers (zero, normal, denormal, pseudo-denormal or infinity). */
function order(ca: F80Class, aSe: number, aHi: number, aLo: number, cb: F80Class, bSe: number, bHi: number, bLo: number): number {
  const aZero = ca === F80Class.Zero;
  const bZero = cb === F80Class.Zero;
  if (aZero && bZero) return CMP_EQUAL;
  const aNeg = (aSe & SIGN) !== 0;
  const bNeg = (bSe & SIGN) !== 0;
  if (aZero) return bNeg ? CMP_GREATER : CMP_LESS;
  if (bZero) return aNeg ? CMP_LESS : CMP_GREATER;
  if (aNeg !== bNeg) return aNeg ? CMP_LESS : CMP_GREATER;
  // Same sign: compare magnitudes (normalised, so pseudo-denormals and denormals order by value).
  let mag: number;
  if (ca === F80Class.Infinity || cb === F80Class.Infinity) {
    mag = ca === cb ? 0 : ca === F80Class.Infinity ? 1 : -1;
  } else {
    unpackFinite(aSe, aHi, aLo);
    const ea = U[0], ha = U[1] >>> 0, la = U[2] >>> 0;
    unpackFinite(bSe, bHi, bLo);
    const eb = U[0], hb = U[1] >>> 0, lb = U[2] >>> 0;
    mag = ea !== eb ? (ea > eb ? 1 : -1) : ha !== hb ? (ha > hb ? 1 : -1) : la !== lb ? (la > lb ? 1 : -1) : 0;
  }
  if (mag === 0) return CMP_EQUAL;
  return (mag > 0) !== aNeg ? CMP_GREATER : CMP_LESS;
}
