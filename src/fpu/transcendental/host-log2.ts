/**
 * The host CPU's internal base-2 logarithm, which FYL2X and FYL2XP1 multiply
 * by y (log2.ts). The AMD EPYC host does not round the true logarithm: it
 * forms it from 68-bit steps, and its result is exactly the value those steps
 * give. Reproducing the steps is what makes btvm bit-exact with it.
 *
 * Measured with fixtures/native/x87_oracle: for one x, fyl2x with 1,200
 * random y under round-to-zero brackets the host's logarithm L to about 0.05
 * of a 68-bit unit (each result bounds y·L, so L lies in the intersection),
 * and L always sits on the 68-bit grid. Which grid point it picks is the
 * host's arithmetic, and it is this, for m = x·2^-e in [√2/2, √2):
 *
 *   z = RN68((m − 1)/(m + 1))       a = RN68(z · K)       K = RN68(2/ln 2)
 *   S = RN68(e + a)                 L = RN68(S + T(z))
 *
 * where RN68 rounds to 68 significant bits (nearest, ties to even) and T(z) is
 * the host's polynomial for K·(atanh z − z). For x = 1 + k·2^-63 and
 * 1 − k·2^-64 (k ≤ 32), where T is negligible, this predicts all 64 grid
 * points (the true logarithm rounded predicts 52); with e added in a separate
 * 68-bit rounding it predicts 798 of 800 random x with e in −6..5 (rounding
 * the true logarithm: 74%). FYL2XP1 forms z = RN68(x / RN68(2 + x)) from
 * the exact x instead (200 of 200 x in ±[2^-50, 2^-30]; with the exact
 * 2 + x, 145), then L = RN68(a + T(z)).
 *
 * T(z) is the series with a correction δ(z) that the host's polynomial has
 * and the series has not: fitted by linear programming to the brackets of
 * 1,400 x spread over |z| ≤ 0.1716 (the whole reduced range), as
 * Σ DELTA[k]·z^(2k+3) in units of 2^-80. Fitted on 700 of them it predicts
 * 693 of the other 700 (without it, 628).
 */
import { FRAC, ONE, TWO_OVER_LN2, bitLength, mulFix, oddSeries } from './precise.js';

const FRACN = BigInt(FRAC);
/** The host's working precision, in significant bits. */
const BITS = 68;
/** Below this |z| the tail T(z) is under 2^-80 of a and cannot move a 68-bit rounding. */
const TAIL_MIN_EXP = -40;
/** The correction δ(z) = Σ DELTA[k]·z^(2k+3), in units of 2^-80 (see the header for how it was measured). */
const DELTA = [
  -5617789.617473506, 2761149746.408948, -461000012151.0331, 36095267209575.06, -1463231445538058.8, 2.9976999034977576e16,
  -2.4713579353371533e17,
];

// Results of round68: significand (< 2^68) and the shift that was dropped.
let rSig = 0n;
let rDrop = 0;

/** Round a positive integer to 68 significant bits (nearest, ties to even); `sticky`: nonzero bits were already cut below it. */
function round68(n: bigint, sticky: boolean): void {
  const drop = bitLength(n) - BITS;
  if (drop <= 0) {
    rSig = n;
    rDrop = 0;
    return;
  }
  const d = BigInt(drop);
  let q = n >> d;
  const rem = n - (q << d);
  const half = 1n << (d - 1n);
  if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
  if (q >> BigInt(BITS) !== 0n) {
    q >>= 1n;
    rDrop = drop + 1;
  } else rDrop = drop;
  rSig = q;
}

// K = K_SIG·2^K_EXP: 2/ln 2 rounded to 68 bits (TWO_OVER_LN2 is 2/ln 2 in fixed point).
round68(TWO_OVER_LN2, true);
const K_SIG = rSig;
const K_EXP = rDrop - FRAC;
const K_FIX = K_SIG << BigInt(K_EXP + FRAC);

/** The logarithm: ±logSig·2^logExp (logSig below 2^68), zero when logSig is 0. */
export let logSig = 0n;
export let logExp = 0;
export let logNeg = false;

// z and a of the current evaluation: |z| = zSig·2^zExp, |a| = aSig·2^aExp, both with the sign zNeg.
let zSig = 0n;
let zExp = 0;
let zNeg = false;
let aSig = 0n;
let aExp = 0;

/** z = RN68(num/den) (den > 0, num ≠ 0), then a. */
function zAndA(num: bigint, den: bigint): void {
  zNeg = num < 0n;
  const mag = zNeg ? -num : num;
  // At least 70 quotient bits, so that the remainder only decides ties.
  const shift = BITS + 2 + bitLength(den) - bitLength(mag);
  const scaled = shift >= 0 ? mag << BigInt(shift) : mag >> BigInt(-shift);
  const q = scaled / den;
  round68(q, q * den !== scaled || (shift < 0 && scaled << BigInt(-shift) !== mag));
  zSig = rSig;
  zExp = rDrop - shift;
  aFromZ();
}

/** a = RN68(z·K). */
function aFromZ(): void {
  round68(zSig * K_SIG, false);
  aSig = rSig;
  aExp = zExp + K_EXP + rDrop;
}

/** The host's T(z) in fixed point (signed with z), or 0 when z is too small to matter. */
function tail(): bigint {
  const top = bitLength(zSig) + zExp;
  if (top < TAIL_MIN_EXP) return 0n;
  const zFix = zSig << BigInt(zExp + FRAC);
  const series = mulFix(zFix, oddSeries(mulFix(zFix, zFix), 1) - ONE);
  // δ in double precision is ample: it is a few 2^-70 at most and only its 2^-85 part matters.
  const zf = Number(zSig) * 2 ** zExp;
  const z2 = zf * zf;
  let p = zf * z2;
  let delta = 0;
  for (const c of DELTA) {
    delta += c * p;
    p *= z2;
  }
  const t = mulFix(series, K_FIX) + (BigInt(Math.round(delta * 1024)) << (FRACN - 90n));
  return zNeg ? -t : t;
}

/** L = RN68(a + T(z)); a alone when T cannot move it (also keeps a tiny a exact, which fixed point would not). */
function setLogFromA(): void {
  const t = tail();
  if (t === 0n) {
    logSig = aSig;
    logExp = aExp;
    logNeg = zNeg;
    return;
  }
  setLog(aFixed() + t);
}

/** RN68 of a signed fixed-point value into logSig/logExp/logNeg. */
function setLog(fixed: bigint): void {
  logNeg = fixed < 0n;
  round68(logNeg ? -fixed : fixed, false);
  logSig = rSig;
  logExp = rDrop - FRAC;
}

/** a as a signed fixed-point number (exact: its exponent is far above -FRAC whenever the tail counts). */
function aFixed(): bigint {
  const sh = aExp + FRAC;
  const v = sh >= 0 ? aSig << BigInt(sh) : aSig >> BigInt(-sh);
  return zNeg ? -v : v;
}

/** FYL2X's log2(x) for x = M·2^E (M > 0; FYL2XP1 passes the exact 1 + x, which may be longer than 64 bits). */
export function hostLog2(M: bigint, E: number): void {
  const b = bitLength(M);
  let e = b - 1 + E;
  let P = 1n << BigInt(b - 1);
  if (M * M > P * P * 2n) {
    P <<= 1n;
    e += 1;
  }
  if (M === P) {
    logNeg = e < 0;
    logSig = BigInt(logNeg ? -e : e);
    logExp = 0;
    return;
  }
  zAndA(M - P, M + P);
  if (e === 0) {
    setLogFromA();
    return;
  }
  // S = RN68(e + a), exactly: e and a on a's grid.
  const onGrid = (BigInt(e) << BigInt(-aExp)) + (zNeg ? -aSig : aSig);
  const sNeg = onGrid < 0n;
  round68(sNeg ? -onGrid : onGrid, false);
  const sFix = rSig << BigInt(rDrop + aExp + FRAC);
  setLog((sNeg ? -sFix : sFix) + tail());
}

/**
 * FYL2XP1's log2(1 + x) for x = ±sig·2^exp (sig with bit 63 set), when |x| is small enough that
 * z = x/(2 + x) stays within the reduced range, |z| ≤ (√2 − 1)/(√2 + 1) (log2.ts checks).
 */
export function hostLog2p1(negative: boolean, sig: bigint, exp: number): void {
  if (exp < -64 - 69) {
    // |x| < 2^-69: 2 + x rounds to 2, and z = x/2 exactly.
    zNeg = negative;
    zSig = sig;
    zExp = exp - 1;
    aFromZ();
  } else {
    const twoScaled = 2n << BigInt(-exp);
    round68(negative ? twoScaled - sig : twoScaled + sig, false);
    zAndA(negative ? -sig : sig, rSig << BigInt(rDrop));
  }
  setLogFromA();
}
