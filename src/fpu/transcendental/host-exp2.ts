/**
 * The host CPU's deviation from the true 2^x − 1 for x below 2^-34, which F2XM1
 * (f2xm1.ts) adds before its one rounding. The AMD EPYC host does not round
 * the true value: its internal value (never exactly on the 64-bit grid: the
 * round-down and round-up results always differ) is the truth moved by up to
 * ±0.03 of x's own unit in the last place, and the move is not noise.
 *
 * Measured with a 64-bit program that runs f2xm1 natively (the pattern of
 * fixtures/native/x87_oracle), for |x| = s·2^e with e ≤ −70 (s the 64-bit
 * significand, so x·ln 2 alone decides the result):
 *
 * - The deviation depends only on s (not on e) and flips with the sign of x.
 *   In units of 2^e (one step of s) it is the same in both result binades
 *   (s·ln 2 below and above 2^63), so it is tied to x's grid, not the result's.
 * - Where the truth lies within 0.06 ulp of a rounding boundary, the host's
 *   direction under every RC is decided by one threshold per s, and that
 *   threshold is a function of θ = frac(s·PHASE) alone: for 2^18 consecutive s
 *   binned by θ (100 bins), 4 of 26,000 such cases disagree with a single
 *   threshold per bin. θ advances by PHASE per step of s, as the rounding
 *   residue of a product s·K does; PHASE was read off 80 bits deep by phase
 *   shifts between runs 2^18 … 2^58 and −2^60, −2^61 apart (each shift
 *   predicted by the previous digits to within 0.09 of a turn).
 * - As a function of θ the deviation is a continuous asymmetric triangle:
 *   −0.0285 at θ = 0.245, rising by 3/64 over 9/16 of a turn and falling back
 *   over the other 7/16 (slopes 1/12 and −3/28). Fitted to 12,168
 *   near-boundary cases over s in [1.45, 2)·2^63: 45 disagree (corners fitted
 *   freely: 51). A rounding step alone would give a sawtooth with a jump; the
 *   dyadic proportions suggest a residue on a grid of 16 sub-steps whose
 *   correction is weighted differently on each side of the grid point, but
 *   the shape is measured, not explained.
 *
 * Over 60,000 random tiny x (all RC, both signs, e from −3000 to −70) the
 * truth rounded misses the host in 1.64% of cases, the truth moved by this
 * deviation in 0.32%. Above e = −70 the second-order term of the series
 * moves the triangle (below), and above e ≈ −20 further steps of the host's
 * polynomial add their own patterns; from 2^-34 up f2xm1.ts still rounds the
 * truth.
 *
 * From 2^-66 to 2^-20 (measured with windows of 800–3,000 consecutive
 * significands, cases within 0.12 ulp of a boundary; used below 2^-34, see
 * hostDeviation):
 *
 * - Locally the same triangle holds exactly: in each window the deviation (in
 *   x's last place) is o + tri(θ − c) with θ as above and c, o fitted per
 *   window; 0 of ~720 cases per window disagree at e = −64, −40 and −20, for
 *   both signs (negative x: c and o mirrored). At e = −10 the step of θ per
 *   significand is no longer PHASE (0.4854 instead of 0.4277).
 * - c and o follow x in segments of a fixed absolute grid: they jump at
 *   x = (n + 1/2)·Δ, Δ = 0.271269216718·2^-64 (bisected at n = 5, 6, 1,415
 *   and 90,000 at e = −64, −56, −50; the spacing seen at −63 and −40 agrees,
 *   so it is one grid for all exponents); Δ is not a power of two,
 *   nor one times ln 2, ln² 2, 1/ln 2, π, e or log2 10. Inside a segment
 *   c + λZ is constant (λ = (PHASE − 5)/ln 2 = −6.597, Z the part of 2^x − 1
 *   beyond x·ln 2, in x's last place): the triangle's phase follows the whole
 *   value; o falls by 1/2 per unit of Z. Between segments c + λZ moves by a
 *   segment-dependent amount (+0.42 to +0.45 of a turn at e = −40, +0.57 and
 *   +0.69 at e = −64) and o by about +0.05 — the missing piece is what
 *   decides these per-segment constants (a progression c0 + 7/16·k fits worse
 *   than rounding the truth). For the 32 segments n = 86…117 at e = −60
 *   (s·ln 2 ≥ 2^63): o is 0 (±0.003) at each segment's centre x = n·Δ, and
 *   c + λZ there is quadratic in n (≈ 0.0030·n² − 0.0030·n + const, turns;
 *   residual ≤ 0.035, the fit's resolution), steps growing from 0.50 to 0.70.
 *   Written as c = C_n − λZ: C_n = q·n² with q = 0.0029850 at e = −60 and
 *   0.0014930 at e = −59 (no linear or constant term), i.e. C_n =
 *   SEGMENT_PHASE·x_n²/ulp(x) with x_n = n·Δ; for negative x, −C_n. With
 *   o = −(Z − Z_n)/2 (Z_n the Z of x_n) this model misses 3–12 of 2,000
 *   random x per exponent from −66 to −54 (rounding the truth: 34–68); with
 *   SEGMENT_PHASE refined to 10 digits it holds up to 2^-34 (see
 *   DEVIATION_MAX_EXP). SEGMENT_PHASE turned out to be (6 + λ/2)·ln² 2, so
 *   at a segment's centre (Z = Z_n = t_n²/2 in x's last place) the triangle's
 *   phase is θ − 6·t_n²/ulp(x). Above 2^-34 the model loses the
 *   host (bisected Δ = 0.27126921671752264186·2^-64 at n = 2·10^7 and 6·10^9,
 *   so Δ is not the cause); no cubic term k·t_n³/ulp(x) in C_n, odd or even
 *   in x, with k from −10 to 10, brings it back at e = −33…−31.
 * - Ruled out there: the series in x or in t = x·ln 2 by Horner steps rounded
 *   to 66–70 bits (68 bits: 720 of 3,380 near-boundary cases wrong, against
 *   377 for the rounded truth), ln 2 rounded to 66–70 bits in the first-order
 *   term, and a constant bias per sign, per exponent or per position in the
 *   binade (no gain on fresh cases).
 */

/** frac(PHASE_NUM / 2^80) is the phase θ advances by per step of the significand. */
const PHASE_NUM = 0x6d7fe85ee5cc05caa3d7n;
const PHASE_MASK = (1n << 80n) - 1n;
/** Turns of the triangle's phase per unit (x's last place) of the whole value 2^x − 1: λ·ln 2 = frac(PHASE) − 5. */
const LAMBDA = (Number(PHASE_NUM) / 2 ** 80 - 5) / Math.LN2;
/** The segment grid: the host's phase and offset jump at x = (n + 1/2)·SEGMENT·2^-64. */
const SEGMENT = 0.27126921671752264;
/**
 * The segment's phase C_n = SEGMENT_PHASE·(n·Δ)²/ulp(x) in turns, i.e.
 * (6 + λ/2)·t_n²/ulp(x) with t_n = n·Δ·ln 2: fitted at e = −60 and −59, then
 * measured where C_n is 600, 4,800, … 1.3·10^9 turns (each step predicted by
 * the previous value to within 0.3 of a turn): 1.29809108204, which is
 * (6 + λ/2)·ln² 2 to 11 digits.
 */
const SEGMENT_PHASE = (6 + LAMBDA / 2) * Math.LN2 * Math.LN2;
/** The triangle's corners: θ and deviation (units of x's last place). */
const LOW_AT = 0.245;
const LOW = -0.0285;
const RISE = 9 / 16;
const HEIGHT = 3 / 64;
/**
 * Exponent (of |x| = sig·2^exp, sig with bit 63 set) at or below which the
 * deviation model holds: x below 2^-34 (random x per exponent: 4–15 of 2,000
 * missed from −53 to −35, against 34–62 rounding the truth; at −34 26 against
 * 40, from −33 up no better than the truth).
 */
export const DEVIATION_MAX_EXP = -35 - 63;
/** Fraction bits of the deviation returned by hostDeviation. */
export const DEVIATION_BITS = 32;

/** The triangle (units of x's last place) at phase `turns` (any real). */
function triangle(turns: number): number {
  const fromLow = (((turns - LOW_AT) % 1) + 1) % 1;
  return fromLow < RISE ? LOW + (HEIGHT * fromLow) / RISE : LOW + HEIGHT - (HEIGHT * (fromLow - RISE)) / (1 - RISE);
}

/**
 * The host's deviation for |x| = sig·2^exp with exp ≤ DEVIATION_MAX_EXP, in
 * units of 2^(exp − DEVIATION_BITS), to be added to the magnitude of the true
 * value. `z` is that magnitude minus sig·ln 2, in x's last place (negative
 * for negative x).
 */
export function hostDeviation(sig: bigint, exp: number, negative: boolean, z: number): bigint {
  const theta = Number(((sig * PHASE_NUM) & PHASE_MASK) >> 48n) / 2 ** 32;
  const sign = negative ? -1 : 1;
  // The segment's centre x_n = n·Δ, and x_n²/ulp(x) with Δ in units of 2^-64.
  const n = Math.round((Number(sig) * 2 ** (exp + 64)) / SEGMENT);
  const centreSq = n === 0 ? 0 : (n * SEGMENT) ** 2 * 2 ** (-128 - exp); // n = 0 for all x below 2^-66 (2^(-128-exp) may overflow there)
  const zCentre = (sign * centreSq * Math.LN2 * Math.LN2) / 2;
  const segmentPhase = (SEGMENT_PHASE * centreSq) % 1;
  const shift = sign * segmentPhase - LAMBDA * z;
  const e = triangle(theta - shift) - (z - zCentre) / 2;
  return BigInt(Math.round(e * 2 ** DEVIATION_BITS));
}
