/**
 * The host CPU's FPTAN of a reduced argument |r| < 2^-7, step by step:
 * trig.ts calls it instead of rounding the true tangent there. The AMD EPYC
 * host forms the tangent as a quotient N/D of two values each rounded to 68
 * bits (to nearest, ties to even), and the cotangent (odd multiples of π/2)
 * as D/N from the same N and D; the quotient is rounded once under RC. With
 * RN68 that rounding and z = r² (exact):
 *
 *   P = RN68(A·p(z))    N = RN68(r·P)    D = RN68(A·p(z)·r·cot r)
 *   p(z) = 1 + a1·z + a2·z² + a3·z³ + a4·z⁴   (P_COEFFS below)
 *
 * so that N/D is tan r but for the two roundings (the host's own denominator
 * polynomial is p(z)·r·cot r within far less than its rounding here: a
 * factor 1 + ε·z² with |ε| ≥ 2·10^-6 already loses half the binade 2^-13).
 * p cancels from N/D; it shows only in where P and D fall between 68-bit
 * values, which is what decides the host's last bit.
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
 * host's side of each 68-bit rounding. Each coefficient shows first where
 * a_k·z^k reaches the 68-bit rounding and is pinned by the binades above it:
 * a1 (near the −7/51 of the [9/8] Padé approximant of tan, which holds only
 * below 2^-30) by 2^-30..2^-14 to about 1e-13; a2 (1/255 + 4.366e-6, not
 * Padé's 1/255: with 1/255 the model fell to the true tangent's 93% from
 * r = 2^-13 up) by grid scans over 2^-13..2^-10. Then all of a1..a4 by
 * linear programs over 4,000 random x per binade (for each x, the relative
 * shifts of p that keep the model inside the host's brackets form a union of
 * intervals between P's and D's rounding points; the program asks the shift
 * a1..a4 make to land in the interval nearest the current one): 2^-12..2^-9 pin a1 to about 1e-18, a2 to 1e-12, a3 (Padé
 * −2.873e-5, host −2.8832e-5) to 1e-9; 2^-8 a4 (Padé 2.9e-8, host 9.1e-5,
 * loosely). Share of random x per binade inside all three brackets: 100%
 * from 2^-36 to 2^-9, 99.95% at 2^-8 (the true tangent: 89 to 95% in each).
 * At 2^-7 the model falls again from 98.6% (bottom eighth of the binade) to
 * 90%, and neither a re-fit of a3, a4 and an a5 nor a denominator factor
 * 1 + ε·z^k (k = 2..5) recovers it; most misses there need P one 68-bit
 * step lower whatever D does, so trig.ts rounds the true tangent from
 * r = 2^-7 up.
 *
 * Ruled out on the way (before a2 was refitted, so some may deserve another
 * look): P or D unrounded or rounded to 69–80 bits, z = r² on absolute grids
 * 2^-62..2^-68, P − A rounded to 36–48 bits, N from u = RN68(r·A), and
 * sin/cos splits with and without A. The host's tangent and cotangent of the
 * same r (x = r and x = π₆₆/2 − r, r in [0.25, 0.5)) err in the same
 * direction (10 of 10 pairs where both brackets exclude the true value), so a
 * shared N/D is likely all the way up.
 */
import { FRAC, ONE, bitLength, cosFix, sinFactor } from './precise.js';

/** The model holds for r² below 2^-SMALL_R2_BITS (r below 2^-7). */
export const SMALL_R2_BITS = 14;
/** A·2^-67: the host's 68-bit constant term of N and D. */
const A = 0xb9f25a5eef7c79a2cn;
const A_EXP = -67;
const BITS = 68;
const FRACN = BigInt(FRAC);
/** p(z)'s coefficients a1, a2, ... (given ·10^28) in fixed point (FRAC bits). */
const P_COEFFS: readonly bigint[] = [
  -1372889460788841485845370589n,
  39259346845220467510258567n,
  -288315745639299487458086n,
  911834043155705681598153n,
].map((c) => (c << FRACN) / 10n ** 28n);
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

/** tan r (or cot r when `cot`) for r = sig·2^exp > 0 with r² < 2^-20, as the host computes it, into quoSig/quoExp. */
export function hostSmallTan(sig: bigint, exp: number, cot: boolean): void {
  const sh = 2 * exp + FRAC;
  const sq = sig * sig;
  const z = sh >= 0 ? sq << BigInt(sh) : sq >> BigInt(-sh);
  let p = 0n;
  for (let k = P_COEFFS.length - 1; k >= 0; k--) p = mul(z, p + P_COEFFS[k]!);
  p += ONE;
  const rCotR = (cosFix(z) << FRACN) / sinFactor(z);
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
