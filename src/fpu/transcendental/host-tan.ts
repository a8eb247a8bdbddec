/**
 * The host CPU's FPTAN of a small reduced argument (|r| < 2^-13), step by
 * step: trig.ts calls it instead of rounding the true tangent there. The AMD
 * EPYC host forms the tangent as a quotient N/D of two values each rounded to
 * 68 bits (to nearest, ties to even), and the cotangent (odd multiples of
 * π/2) as D/N from the same N and D; the quotient is rounded once under RC.
 * With RN68 that rounding and z = r² (exact):
 *
 *   P = RN68(A·p(z))    N = RN68(r·P)    D = RN68(A·p(z)·r·cot r)
 *   p(z) = 1 + a1·z + a2·z²,  a1 = −0.13728894607885,  a2 = 1/255
 *
 * so that N/D is tan r but for the two roundings (the host's own denominator
 * polynomial is p(z)·r·cot r within far less than its rounding here).
 *
 * A is a 68-bit constant (about 1.4527): for r below 2^-34, z no longer
 * moves A·p(z) off A and the result is u/A and A/u for u = RN68(r·A), the form
 * measured first. fptan of x = m·2^-60 for odd m of every length 1..64 bits
 * (40 each, under round-up and round-down) pins A's low 64 bits one at a time,
 * and its leading bits follow from where the product gains a bit (the labels
 * switch at m·A = 2 within 1.4525..1.4537); u/A reproduces all 2,500 labels,
 * and A/u all 3,617 cotangents of x within 4 ulps of odd multiples of π₆₆/2
 * (the exact 1/r misses 149).
 *
 * p(z) was read off the host with fixtures/native/x87_oracle: RN, RD and RU
 * of one x bracket the host's unrounded quotient to half an ulp, and a
 * candidate p reproduces a binade of random x only if it puts P and D on the
 * host's side of each 68-bit rounding. Each binade of r from 2^-30 down to
 * 2^-14 pins a1 about two decimal digits further (a1 is near the −7/51 of the
 * [9/8] Padé approximant of tan, whose exact coefficients hold only below
 * 2^-30; a2 is the Padé one, first visible at 2^-14). With these values the
 * model is inside all brackets of 1,500 to 6,000 random x per binade for
 * every binade of r from 2^-36 to 2^-17, 99.93% at 2^-16 and 99.4% at 2^-14
 * (the true tangent: 89 to 95%). From r = 2^-13 up the host does something
 * else (this model drops to 92–95% at once, as low as the true tangent),
 * so trig.ts rounds the true value there. Measured there and ruled out: P or
 * D unrounded or rounded to 69–80 bits, z = r² on absolute grids 2^-62..2^-68,
 * a refitted a2 (helps the binade 2^-13 only), a denominator other than
 * p(z)·r·cot r by ε·z, P − A rounded to 36–48 bits, N from u = RN68(r·A), and
 * sin/cos splits with and without A. The host's tangent and cotangent of the
 * same r (x = r and x = π₆₆/2 − r, r in [0.25, 0.5)) still err in the same
 * direction (10 of 10 pairs where both brackets exclude the true value), so a
 * shared N/D remains likely.
 */
import { FRAC, ONE, bitLength } from './precise.js';

/** The model holds for r² below 2^-SMALL_R2_BITS. */
export const SMALL_R2_BITS = 26;
/** A·2^-67: the host's 68-bit constant term of N and D. */
const A = 0xb9f25a5eef7c79a2cn;
const A_EXP = -67;
const BITS = 68;
const FRACN = BigInt(FRAC);
/** a1 and a2 of p(z) in fixed point (FRAC bits). */
const A1 = -(137288946078850n << FRACN) / 10n ** 15n;
const A2 = ONE / 255n;
/** r·cot r = 1 − z/3 − z²/45 − 2z³/945 (the rest is below 2^-104 for z < 2^-26), in fixed point. */
const COT1 = ONE / 3n;
const COT2 = ONE / 45n;
const COT3 = (2n * ONE) / 945n;
/** Fraction bits of the quotient handed to roundPack (far beyond its 64 + guard). */
const QUOTIENT_BITS = 128;
const QUOTIENT_N = BigInt(QUOTIENT_BITS);

/** The result: quoSig·2^quoExp (quoSig's lowest bit is sticky: set when the division left a remainder). */
export let quoSig = 0n;
export let quoExp = 0;

// round68's result: n ≈ rSig·2^rShift with rSig below 2^68.
let rSig = 0n;
let rShift = 0;

/** Round a positive integer to 68 significant bits, to nearest, ties to even. */
function round68(n: bigint): void {
  const drop = bitLength(n) - BITS;
  if (drop <= 0) {
    rSig = n;
    rShift = 0;
    return;
  }
  const d = BigInt(drop);
  let q = n >> d;
  const rem = n - (q << d);
  const half = 1n << (d - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
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

/** Fixed-point product. */
function mul(a: bigint, b: bigint): bigint {
  return (a * b) >> FRACN;
}

/** tan r (or cot r when `cot`) for r = sig·2^exp > 0 with r² < 2^-26, as the host computes it, into quoSig/quoExp. */
export function hostSmallTan(sig: bigint, exp: number, cot: boolean): void {
  const sh = 2 * exp + FRAC;
  const sq = sig * sig;
  const z = sh >= 0 ? sq << BigInt(sh) : sq >> BigInt(-sh);
  const p = ONE + mul(z, A1 + mul(z, A2));
  const rCotR = ONE - mul(z, COT1 + mul(z, COT2 + mul(z, COT3)));
  // P and D in units of 2^(A_EXP − FRAC).
  const pExact = A * p;
  round68(pExact);
  const pSig = rSig, pExp = rShift + A_EXP - FRAC;
  round68(mul(pExact, rCotR));
  const dSig = rSig, dExp = rShift + A_EXP - FRAC;
  round68(sig * pSig);
  const nSig = rSig, nExp = rShift + exp + pExp;
  if (cot) divide(dSig, nSig, dExp - nExp);
  else divide(nSig, dSig, nExp - dExp);
}
