/**
 * FSIN, FCOS, FSINCOS and FPTAN in the float80.ts calling convention. FSIN and
 * FCOS are UnaryOps. FSINCOS and FPTAN produce two values: out[o..o+2] takes
 * the value that replaces the operand (sine; tangent) and out[o+3..o+5] the
 * value the x87 unit then pushes (cosine; 1.0, or the NaN/indefinite when the
 * operand is one). The unit checks the push for stack overflow before calling.
 *
 * Out of range (|x| ≥ 2^63) the result has C2 (0x400) set in the return value
 * and nothing is written: the operand stays and nothing is pushed. C2 is 0 in
 * every other return, and the unit clears it in the status word.
 *
 * Argument reduction is the host's: x − k·π₆₆/2 computed exactly, where π₆₆ is
 * π rounded to 66 bits (measured on the AMD EPYC host: fsin of π rounded down
 * to 64 bits returns exactly π₆₆ − x = 1.5·2^-63, as Intel documents for its
 * own FPUs). Reducing with the true π instead matches the host in only 75% of
 * cases for 2 ≤ |x| < 16 and never beyond 2^20. The reduced sine and cosine
 * are then evaluated to about 190 bits and rounded once, and so is the
 * tangent of a reduced |r| ≥ 2^-7; below that FPTAN follows the host's own
 * 68-bit steps (host-tan.ts), which decide the last bit there.
 */
import { C1, C2, DE, F80Class, IE, SIGN, BIAS, classify, writeF80, writeIndefinite } from '../float80.js';
import { FRAC, PI, bitLength, cosFix, mulFix, sinFactor } from './precise.js';

import { checkOperand, isUnsupported } from '../softfloat/operands.js';
import { denormalUnmasked, ieUnmasked, isDenormalClass, opExp, opSig, roundPack, unpackFinite } from './operand.js';
import { SMALL_R2_BITS, hostSmallTan, quoExp, quoSig } from './host-tan.js';

const FRACN = BigInt(FRAC);
/** π rounded to 66 significant bits, as an integer: π₆₆/2 = PI66·2^-65. */
const PI66 = (PI + (1n << (FRACN - 65n))) >> (FRACN - 64n);

/** Which trigonometric value of the operand is asked for. */
const enum Want {
  Sin,
  Cos,
  Tan,
}

// The reduced argument r = x − k·π₆₆/2 (for |x|): ±rSig·2^rExp, and k mod 4.
let rSig = 0n;
let rExp = 0;
let rNeg = false;
let quadrant = 0;

/** Reduce |x| (in opSig/opExp, |x| < 2^63) by the nearest multiple of π₆₆/2. */
function reduce(): void {
  if (opExp < -65) {
    // |x| < 2^-1 < π/4: nothing to subtract.
    rSig = opSig;
    rExp = opExp;
    rNeg = false;
    quadrant = 0;
    return;
  }
  const X = opSig << BigInt(opExp + 65);
  const k = (2n * X + PI66) / (2n * PI66);
  const R = X - k * PI66;
  rNeg = R < 0n;
  rSig = rNeg ? -R : R;
  rExp = -65;
  quadrant = Number(k & 3n);
}

/**
 * sin, cos or tan of ±x (negative: x < 0) after reduce(), rounded into out[o..o+2].
 * The reduced r is exact, so the sine keeps its relative precision however close x is to a multiple of π/2.
 */
function evaluate(want: Want, negative: boolean, fcw: number, out: Uint32Array, o: number): number {
  // r as a fixed-point number (exact enough: it only feeds the series' r² term).
  const sh = rExp + FRAC;
  const rFix = sh >= 0 ? rSig << BigInt(sh) : rSig >> BigInt(-sh);
  const r2 = mulFix(rFix, rFix);
  // sin(x) = [s, c, −s, −c][q], cos(x) = [c, −s, −c, s][q] with s = sin r, c = cos r.
  const q = quadrant;
  if (want === Want.Tan) {
    // tan x = s/c for even q, −c/s for odd q; the sign of r and of x carry through.
    const neg = negative !== rNeg !== ((q & 1) === 1);
    // A reduced r this small: the host's own 68-bit steps (host-tan.ts), also for the cotangent.
    if (bitLength(r2) <= FRAC - SMALL_R2_BITS) {
      hostSmallTan(rSig, rExp, (q & 1) === 1);
      return roundPack(neg, quoSig, quoExp, fcw, out, o);
    }
    const sinF = sinFactor(r2), cosF = cosFix(r2);
    if ((q & 1) === 0) return roundPack(neg, ((rSig * sinF) << FRACN) / cosF, rExp - FRAC, fcw, out, o);
    return roundPack(neg, (cosF << BigInt(2 * FRAC + 64)) / (rSig * sinF), -2 * FRAC - 64 - rExp, fcw, out, o);
  }
  const useSin = want === Want.Sin ? (q & 1) === 0 : (q & 1) === 1;
  // Sign: sin flips for q = 2, 3 and with the sign of x; cos flips for q = 1, 2 (through −s at q = 1).
  if (useSin) {
    let neg = rNeg;
    if (want === Want.Sin) neg = neg !== (q >= 2) !== negative;
    else neg = neg !== (q === 1);
    return roundPack(neg, rSig * sinFactor(r2), rExp - FRAC, fcw, out, o);
  }
  let neg: boolean;
  if (want === Want.Sin) neg = (q === 3) !== negative;
  else neg = q === 2;
  return roundPack(neg, cosFix(r2), -FRAC, fcw, out, o);
}

/** What all four do before computing: -1 to go on, else the return value (outputs written). */
function screen(aSe: number, aHi: number, aLo: number, c: F80Class, two: boolean, fcw: number, out: Uint32Array, o: number): number {
  if (isUnsupported(c) || c === F80Class.Infinity) {
    if (ieUnmasked(fcw)) return IE;
    writeIndefinite(out, o);
    if (two) writeIndefinite(out, o + 3);
    return IE;
  }
  if (c === F80Class.QNaN || c === F80Class.SNaN) {
    const flags = checkOperand(c, aSe, aHi, aLo, fcw, out, o);
    if (two && !(flags !== 0 && ieUnmasked(fcw))) writeF80(out, o + 3, out[o]!, out[o + 1]!, out[o + 2]!);
    return flags;
  }
  // |x| ≥ 2^63: biased exponent ≥ BIAS + 63.
  if (c !== F80Class.Zero && (aSe & 0x7fff) >= BIAS + 63) return C2;
  return -1;
}

function one(fcw: number, want: Want, aSe: number, aHi: number, aLo: number, out: Uint32Array, o: number): number {
  const c = classify(aSe, aHi, aLo);
  const early = screen(aSe, aHi, aLo, c, false, fcw, out, o);
  if (early >= 0) return early;
  if (c === F80Class.Zero) {
    if (want === Want.Cos) writeF80(out, o, BIAS, 0x80000000, 0);
    else writeF80(out, o, aSe, aHi, aLo);
    return 0;
  }
  const flags = isDenormalClass(c) ? DE : 0;
  if (denormalUnmasked(fcw, flags)) return flags;
  unpackFinite(aSe, aHi, aLo);
  reduce();
  return flags | evaluate(want, (aSe & SIGN) !== 0, fcw, out, o);
}

export function fsin(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  return one(fcw, Want.Sin, aSe, aHi, aLo, out, o);
}

export function fcos(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  return one(fcw, Want.Cos, aSe, aHi, aLo, out, o);
}

/** Sine to out[o..o+2] (replacing ST(0)), cosine to out[o+3..o+5] (pushed). */
export function fsincos(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(aSe, aHi, aLo);
  const early = screen(aSe, aHi, aLo, c, true, fcw, out, o);
  if (early >= 0) return early;
  if (c === F80Class.Zero) {
    writeF80(out, o, aSe, aHi, aLo);
    writeF80(out, o + 3, BIAS, 0x80000000, 0);
    return 0;
  }
  const flags = isDenormalClass(c) ? DE : 0;
  if (denormalUnmasked(fcw, flags)) return flags;
  unpackFinite(aSe, aHi, aLo);
  reduce();
  const negative = (aSe & SIGN) !== 0;
  const sinFlags = evaluate(Want.Sin, negative, fcw, out, o);
  const cosFlags = evaluate(Want.Cos, negative, fcw, out, o + 3);
  // C1 reports the sine's rounding only (measured: the host's C1 agrees with FSIN's in every case, with FCOS's in half).
  return flags | sinFlags | (cosFlags & ~C1);
}

/** Tangent to out[o..o+2] (replacing ST(0)), 1.0 to out[o+3..o+5] (pushed). */
export function fptan(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(aSe, aHi, aLo);
  const early = screen(aSe, aHi, aLo, c, true, fcw, out, o);
  if (early >= 0) return early;
  let flags = 0;
  if (c === F80Class.Zero) writeF80(out, o, aSe, aHi, aLo);
  else {
    flags = isDenormalClass(c) ? DE : 0;
    if (denormalUnmasked(fcw, flags)) return flags;
    unpackFinite(aSe, aHi, aLo);
    reduce();
    flags |= evaluate(Want.Tan, (aSe & SIGN) !== 0, fcw, out, o);
  }
  writeF80(out, o + 3, BIAS, 0x80000000, 0);
  return flags;
}
