/**
 * Fixed-point kernels for the x87 transcendental instructions: the series
 * that f2xm1, fyl2x/fyl2xp1, fpatan and fsin/fcos/fptan evaluate, at a
 * working precision of FRAC bits (far beyond the 64-bit result, so rounding
 * the kernel's value gives the correctly rounded result except in cases too
 * close to a rounding boundary to matter: the host's own approximation is
 * only good to about 0.1 ulp, see test/fpu/transcendental.test.ts).
 *
 * A fixed-point number here is a BigInt n meaning n / 2^FRAC. Kernels that
 * must keep relative precision for tiny arguments return a *factor* near 1
 * (for example (e^t - 1)/t), which the caller multiplies by the exact
 * argument. The constants (π, ln 2, atan(j/8)) are computed once, when the
 * module loads, from series, so none of them is a typed-in number.
 */

/** Fraction bits of the fixed-point working precision. */
export const FRAC = 192;
const FRACN = BigInt(FRAC);
export const ONE = 1n << FRACN;

/** Number of bits of a positive BigInt (0 for 0). */
export function bitLength(n: bigint): number {
  if (n <= 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/**
 * Terms a power series in x needs when its terms shrink at least like x^k
 * (|x| < 2^-s): enough that x^n < 2^-FRAC, capped at `max` (the count that
 * suffices for the largest argument the series is used with).
 */
function termsFor(x: bigint, max: number): number {
  const s = FRAC - bitLength(x < 0n ? -x : x);
  return s <= 0 ? max : Math.min(max, Math.ceil(FRAC / s) + 1);
}

/** Fixed-point product. */
export function mulFix(a: bigint, b: bigint): bigint {
  return (a * b) >> FRACN;
}

// 1/(2k+1) for the atanh and atan series, computed once.
const ODD_RECIPROCALS: bigint[] = [];
for (let k = 0; k < 64; k++) ODD_RECIPROCALS.push(ONE / BigInt(2 * k + 1));

/**
 * atan(x) for 0 < x ≤ 1 by Euler's series, whose terms shrink by x²/(1+x²) ≤ 1/2:
 * slow (one bit per term) but valid up to x = 1; used only for the constants.
 */
function atanEuler(x: bigint): bigint {
  const x2 = mulFix(x, x);
  const ratio = (x2 << FRACN) / (ONE + x2);
  let term = (x << FRACN) / (ONE + x2);
  let sum = term;
  for (let n = 1; term !== 0n; n++) {
    term = (mulFix(term, ratio) * BigInt(2 * n)) / BigInt(2 * n + 1);
    sum += term;
  }
  return sum;
}

/** π in fixed point. */
export const PI = 4n * atanEuler(ONE);
export const HALF_PI = PI >> 1n;

/**
 * Σ w^k/(2k+1) for k ≥ 0, with sign (+1: atanh, -1: atan) applied to w:
 * atanh(z) = z·oddSeries(z², +1), atan(z) = z·oddSeries(z², -1). Valid for
 * w ≤ 2^-5 with the 64 terms of the table (then the neglected tail is below 2^-FRAC).
 */
export function oddSeries(w: bigint, sign: 1 | -1): bigint {
  // A w that vanishes here still puts the sum on its side of 1 (atan z < z < atanh z), so a tiny z rounds the right way.
  if (w === 0n) return sign === 1 ? ONE + 1n : ONE - 1n;
  const sw = sign === 1 ? w : -w;
  const n = termsFor(w, ODD_RECIPROCALS.length);
  let acc = ODD_RECIPROCALS[n - 1]!;
  for (let k = n - 2; k >= 0; k--) acc = ODD_RECIPROCALS[k]! + mulFix(sw, acc);
  return acc;
}

/** ln 2 = 2·atanh(1/3). */
export const LN2 = (2n * (ONE / 3n) * oddSeries(ONE / 9n, 1)) >> FRACN;
/** 2/ln 2: turns atanh(z) into log2((1+z)/(1-z)). */
export const TWO_OVER_LN2 = (2n << (2n * FRACN)) / LN2;

/** atan(j/8) for j = 0..8: the table points fpatan's argument is reduced to. */
export const ATAN_EIGHTHS: readonly bigint[] = Array.from({ length: 9 }, (_, j) => (j === 0 ? 0n : atanEuler((ONE * BigInt(j)) / 8n)));

/** (e^t - 1)/t for |t| ≤ 0.7 (t in fixed point): 2^x - 1 = t·factor with t = x·ln 2. */
export function expm1Factor(t: bigint): bigint {
  let acc = ONE;
  for (let k = termsFor(t, 48); k >= 2; k--) acc = ONE + mulFix(t, acc) / BigInt(k);
  return acc;
}

/**
 * sin(r)/r for |r| ≤ π/4 + a little, given r² in fixed point. The factor is
 * below 1 for every r ≠ 0, also when r² vanishes at this precision: then it is
 * one unit below ONE, so that a tiny r rounds as r − r³/6 does (to the next
 * value down under round-down and round-to-zero, C1 under the others).
 */
export function sinFactor(r2: bigint): bigint {
  if (r2 === 0n) return ONE - 1n;
  let acc = ONE;
  for (let k = termsFor(r2, 30); k >= 1; k--) acc = ONE - mulFix(r2, acc) / BigInt(2 * k * (2 * k + 1));
  return acc;
}

/** cos(r) for |r| ≤ π/4 + a little, given r² in fixed point; below ONE for r ≠ 0 as sinFactor is. */
export function cosFix(r2: bigint): bigint {
  if (r2 === 0n) return ONE - 1n;
  let acc = ONE;
  for (let k = termsFor(r2, 30); k >= 1; k--) acc = ONE - mulFix(r2, acc) / BigInt((2 * k - 1) * (2 * k));
  return acc;
}
