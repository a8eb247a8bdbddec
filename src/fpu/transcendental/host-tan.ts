/**
 * The host CPU's FPTAN of a small reduced argument (|r| < 2^-32), step by
 * step: trig.ts calls it instead of rounding the true tangent there. The AMD
 * EPYC host forms the tangent as a quotient N/D of two values each rounded to
 * 68 bits (to nearest, ties to even), and the cotangent (odd multiples of
 * π/2) as D/N from the same N and D; the quotient is rounded once under RC.
 * For such an r the steps are, with RN68 that rounding:
 *
 *   Z = r² rounded to a multiple of 2^-68 (nearest)
 *   P = RN68(A·(1 − Z/6))    N = RN68(r·P)    D = RN68(A·(1 − Z/2))
 *
 * A is a 68-bit constant (about 1.4527), the common constant term of the
 * host's numerator and denominator: with Z = 0 this is u/A and A/u for
 * u = RN68(r·A), the form measured first. fptan of x = m·2^-60 for odd m of
 * every length 1..64 bits (40 each, under round-up and round-down) pins A's
 * low 64 bits one at a time, and its leading bits follow from where the
 * product gains a bit (the labels switch at m·A = 2 within 1.4525..1.4537);
 * u/A reproduces all 2,500 labels, and A/u all 3,617 cotangents of x within
 * 4 ulps of odd multiples of π₆₆/2 (the exact 1/r misses 149).
 *
 * The 1/6 and 1/2 (a sine over a cosine) and the 2^-68 grid of Z were read
 * off the host with fixtures/native/x87_oracle under RN, RD and RU, which
 * bracket the host's unrounded quotient to half an ulp: for r in
 * [2^-34, 2^-33) the true tangent falls outside 11% of those brackets, this
 * model outside 0.9% (of 6,000); with the exact r² instead of Z, 1.9%. For r
 * in [2^-35, 2^-34) and [2^-33, 2^-32) it is inside all of them. From 2^-32 up
 * it is not the host's arithmetic any more (inside 92.8% of the brackets of
 * [2^-32, 2^-31), the true tangent 94.4%), so trig.ts rounds the true value
 * there.
 */
import { bitLength } from './precise.js';

/** The model holds for r² below 2^-SMALL_R2_BITS. */
export const SMALL_R2_BITS = 64;
/** A·2^-67: the host's 68-bit constant term of N and D. */
const A = 0xb9f25a5eef7c79a2cn;
const BITS = 68;
/** Z is a multiple of 2^-Z_GRID_BITS. */
const Z_GRID_BITS = 68n;
/** Fraction bits of the quotient handed to roundPack (far beyond its 64 + guard). */
const QUOTIENT_BITS = 128;
const QUOTIENT_N = BigInt(QUOTIENT_BITS);

/** The result: quoSig·2^quoExp (quoSig's lowest bit is sticky: set when the division left a remainder). */
export let quoSig = 0n;
export let quoExp = 0;

// round68's result: num/den ≈ rSig·2^rShift with rSig below 2^68.
let rSig = 0n;
let rShift = 0;

/** Round num/den (positive; den small) to 68 significant bits, to nearest, ties to even. */
function round68(num: bigint, den: bigint): void {
  const drop = bitLength(num / den) - BITS;
  if (drop <= 0) {
    // Only exact quotients get here (den divides num in every call below when the quotient is this short).
    rSig = num / den;
    rShift = 0;
    return;
  }
  const d = BigInt(drop);
  const unit = den << d;
  let q = num / unit;
  const rem = num - q * unit;
  const twice = rem << 1n;
  if (twice > unit || (twice === unit && (q & 1n) === 1n)) q += 1n;
  if (q >> BigInt(BITS) !== 0n) {
    q >>= 1n;
    rShift = drop + 1;
  } else rShift = drop;
  rSig = q;
}

/** (num/den)·2^exp to quoSig/quoExp with QUOTIENT_BITS more bits and a sticky bit. */
function divide(num: bigint, den: bigint, exp: number): void {
  const scaled = num << QUOTIENT_N;
  let q = scaled / den;
  if (q * den !== scaled) q |= 1n;
  quoSig = q;
  quoExp = exp - QUOTIENT_BITS;
}

/** tan r (or cot r when `cot`) for r = sig·2^exp > 0 with r² < 2^-64, as the host computes it, into quoSig/quoExp. */
export function hostSmallTan(sig: bigint, exp: number, cot: boolean): void {
  // Z·2^68 = r²·2^68 rounded to an integer (never a tie: r² has an even number of trailing bits past 2^-69).
  const sq = sig * sig;
  const k = -(2 * exp + Number(Z_GRID_BITS));
  const z = k <= 0 ? sq << BigInt(-k) : (sq + (1n << BigInt(k - 1))) >> BigInt(k);
  const gridOne = 1n << Z_GRID_BITS;
  // P = A·(1 − Z/6) = A·(6·2^68 − Z·2^68)/6 · 2^-135.
  round68(A * (6n * gridOne - z), 6n);
  const pSig = rSig, pExp = rShift - 135;
  // D = A·(1 − Z/2) = A·(2·2^68 − Z·2^68) · 2^-136.
  round68(A * (2n * gridOne - z), 1n);
  const dSig = rSig, dExp = rShift - 136;
  // N = r·P.
  round68(sig * pSig, 1n);
  const nSig = rSig, nExp = rShift + exp + pExp;
  if (cot) divide(dSig, nSig, dExp - nExp);
  else divide(nSig, dSig, nExp - dExp);
}
