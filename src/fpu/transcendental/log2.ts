/**
 * FYL2X (ST(1) ← ST(1)·log2 ST(0), pop) and FYL2XP1 (ST(1) ← ST(1)·log2(ST(0)+1),
 * pop) in the float80.ts calling convention: BinaryOp with a = ST(0) (x) and
 * b = ST(1) (y); the result goes to out[o..o+2], which the x87 unit points at
 * ST(1)'s slot before popping.
 *
 * Measured on the host (AMD EPYC): the result is y times an internal 68-bit
 * log2(x), independent of the rounding mode, rounded once under RC. That
 * logarithm is the host's own arithmetic, reproduced step by step in
 * host-log2.ts for FYL2X and for FYL2XP1 within its reduced range
 * (−(1 − √2/2) ≤ x ≤ √2 − 1). FYL2XP1 beyond that range (outside the SDM's
 * domain) takes FYL2X's steps on the exact 1 + x: not characterised on its
 * own, but over the differential test's 40,000 cases it matches the host more
 * often (99.96%) than the true logarithm rounded to 68 bits does (99.93%).
 *
 * Special operands follow the SDM's FYL2X table (and FYL2XP1's); the zero and
 * infinity cases raise no PE, finite results always do.
 */
import { BIAS, DE, EXP_MAX, F80Class, PE, SIGN, ZE, classify, writeF80 } from '../float80.js';
import { bitLength } from './precise.js';
import { checkOperands, invalid, NOT_HANDLED } from '../softfloat/operands.js';
import { denormalUnmasked, isDenormalClass, opExp, opSig, roundPack, unpackFinite } from './operand.js';
import * as host from './host-log2.js';

/** ⌊√n⌋ for n > 0 (Newton's iteration from above). */
function isqrt(n: bigint): bigint {
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}
/** √2·2^65: the ends of FYL2XP1's reduced range, as significands of x = sig·2^-65. */
const SQRT2_65 = isqrt(1n << 131n);
const XP1_POS_LIMIT = SQRT2_65 - (1n << 65n); // x ≤ √2 − 1
const XP1_NEG_LIMIT = (1n << 65n) - (SQRT2_65 >> 1n); // −x ≤ 1 − √2/2

// The logarithm y is multiplied by: ±logSig·2^logExp, or exactly zero when logSig is 0.
let logSig = 0n;
let logExp = 0;
let logNeg = false;

/** The logarithm host-log2.ts computed, as this file's. */
function takeHostLog(): void {
  logSig = host.logSig;
  logExp = host.logExp;
  logNeg = host.logNeg;
}

/** Write ±0 or ±∞ (a special result without rounding). */
function writeSpecial(out: Uint32Array, o: number, negative: boolean, infinite: boolean): void {
  if (infinite) writeF80(out, o, (negative ? SIGN : 0) | EXP_MAX, 0x80000000, 0);
  else writeF80(out, o, negative ? SIGN : 0, 0, 0);
}

/**
 * y·L for the logarithm L in logSig/logExp/logNeg, given that y is finite and
 * non-zero or that L is: the shared tail of both instructions. `lZero`/`lInf`
 * say L is exactly 0 or ±∞ (sign logNeg); yClass is y's class.
 */
function multiply(
  bSe: number, bHi: number, bLo: number, yClass: F80Class, lZero: boolean, lInf: boolean,
  flags: number, fcw: number, out: Uint32Array, o: number,
): number {
  const negative = ((bSe & SIGN) !== 0) !== logNeg;
  const yZero = yClass === F80Class.Zero;
  const yInf = yClass === F80Class.Infinity;
  if ((yZero && lInf) || (yInf && lZero)) return flags | invalid(fcw, out, o);
  if (lInf && logNeg && !yInf) {
    // log2 0 = −∞ times a finite y: the SDM's divide-by-zero.
    if ((fcw & ZE) === 0) return flags | ZE;
    writeSpecial(out, o, negative, true);
    return flags | ZE;
  }
  if (yInf || lInf) {
    writeSpecial(out, o, negative, true);
    return flags;
  }
  if (yZero || lZero) {
    writeSpecial(out, o, negative, false);
    return flags;
  }
  unpackFinite(bSe, bHi, bLo);
  return flags | roundPack(negative, opSig * logSig, opExp + logExp, fcw, out, o);
}

/** DE for a denormal operand, except when fyl2x's x is zero: its divide-by-zero is reported alone (measured). */
function denormalFlag(xc: F80Class, yc: F80Class, zeroXDecides: boolean): number {
  if (zeroXDecides && xc === F80Class.Zero) return 0;
  return isDenormalClass(xc) || isDenormalClass(yc) ? DE : 0;
}

export function fyl2x(
  aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number,
): number {
  const xc = classify(aSe, aHi, aLo), yc = classify(bSe, bHi, bLo);
  const early = checkOperands(xc, aSe, aHi, aLo, yc, bSe, bHi, bLo, fcw, out, o);
  if (early !== NOT_HANDLED) return early;
  // A negative x is invalid before its denormal-ness counts (the host reports IE alone).
  if (xc !== F80Class.Zero && (aSe & SIGN) !== 0) return invalid(fcw, out, o);
  const flags = denormalFlag(xc, yc, true);
  if (denormalUnmasked(fcw, flags)) return flags;
  let lZero = false, lInf = false;
  if (xc === F80Class.Zero) {
    lInf = true;
    logNeg = true;
  } else if (xc === F80Class.Infinity) {
    lInf = true;
    logNeg = false;
  } else {
    unpackFinite(aSe, aHi, aLo);
    host.hostLog2(opSig, opExp);
    takeHostLog();
    lZero = logSig === 0n;
  }
  return multiply(bSe, bHi, bLo, yc, lZero, lInf, flags, fcw, out, o);
}

export function fyl2xp1(
  aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number,
): number {
  const xc = classify(aSe, aHi, aLo), yc = classify(bSe, bHi, bLo);
  const early = checkOperands(xc, aSe, aHi, aLo, yc, bSe, bHi, bLo, fcw, out, o);
  if (early !== NOT_HANDLED) return early;
  const flags = denormalFlag(xc, yc, false);
  const xNeg = (aSe & SIGN) !== 0;
  if (xc === F80Class.Infinity && xNeg) return invalid(fcw, out, o);
  // x ≤ −1 (log of zero or less, outside the SDM's domain): the host leaves x as the result with PE,
  // except that a zero or infinite y comes out negated and unflagged, as if multiplied by a negative number.
  if (xNeg && xc !== F80Class.Zero && (aSe & EXP_MAX) >= BIAS) {
    if (denormalUnmasked(fcw, flags)) return flags;
    if (yc === F80Class.Zero || yc === F80Class.Infinity) {
      writeF80(out, o, (bSe ^ SIGN) & 0xffff, bHi, bLo);
      return flags;
    }
    writeF80(out, o, aSe, aHi, aLo);
    return flags | PE;
  }
  let lZero = false, lInf = false;
  if (xc === F80Class.Zero) {
    lZero = true;
    logNeg = xNeg;
  } else if (xc === F80Class.Infinity) {
    lInf = true;
    logNeg = false;
  } else {
    unpackFinite(aSe, aHi, aLo);
    // Within −(1 − √2/2) ≤ x ≤ √2 − 1, where z = x/(2 + x) stays in the host's reduced range: its own steps.
    if (opExp < -65 || (opExp === -65 && opSig <= (xNeg ? XP1_NEG_LIMIT : XP1_POS_LIMIT))) {
      host.hostLog2p1(xNeg, opSig, opExp);
      takeHostLog();
      if (denormalUnmasked(fcw, flags)) return flags;
      return multiply(bSe, bHi, bLo, yc, false, false, flags, fcw, out, o);
    }
    // Beyond it (not measured): 1 + x exactly, as M·2^E (x = ±opSig·2^opExp, and x > −1 here, so M > 0).
    let M: bigint, E: number;
    if (opExp < 0) {
      const one = 1n << BigInt(-opExp);
      M = xNeg ? one - opSig : one + opSig;
      E = opExp;
    } else {
      M = (opSig << BigInt(opExp)) + 1n;
      E = 0;
    }
    host.hostLog2(M, E);
    takeHostLog();
    lZero = logSig === 0n;
  }
  if (denormalUnmasked(fcw, flags)) return flags;
  return multiply(bSe, bHi, bLo, yc, lZero, lInf, flags, fcw, out, o);
}
