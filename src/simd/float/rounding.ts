/**
 * The one exact rounding step of the floating-point SIMD forms: an exact
 * result, described as a double plus the sign of what that double leaves
 * out, becomes a binary32 or binary64 value under MXCSR's rounding control,
 * with IEEE overflow and underflow, FZ, and the OE/UE/PE flags.
 *
 * The arithmetic files (arithmetic.ts, convert.ts) compute every result as
 *     (s + err) · 2^E,   s a positive normal double, |err| ≤ ulp(s)/2,
 * where s = RN(exact) in double precision and only the sign of err is kept
 * (`delta`: −1, 0, +1) — from an error-free transformation (TwoSum, Dekker's
 * TwoProduct, an exact remainder). That is enough to round to any precision
 * of 53 bits or fewer in any direction: writing the value as (M + f) units
 * of s's last place with M an integer, a rounding boundary at or above that
 * place is an integer or half-integer, and f only says whether the value is
 * just above M (f in (0, ½)) or just below M + 1 (f in (½, 1)). The scale
 * 2^E keeps the error-free transformations clear of the double's own
 * overflow and underflow whatever the operands' exponents.
 *
 * Measured on the host (AMD EPYC) with the SSE oracle (SDM Vol. 1 §11.5.2
 * allows some of these choices): tininess is detected after rounding; FZ
 * (UE masked) replaces a tiny result by a signed zero and sets UE and PE,
 * even when the tiny result was exact; a masked underflow sets UE only with
 * PE; a masked overflow gives ∞ or the largest finite value by direction and
 * sets OE and PE. With OE or UE unmasked nothing is delivered (the unit
 * raises #XM) and the flags are OE or UE, plus PE when the result rounded
 * with an unbounded exponent is inexact.
 */
import { ENV, RC_DOWN, RC_NEAREST, RC_UP } from './mxcsr-env.js';
import { MXCSR_OE, MXCSR_PE, MXCSR_UE } from '../simd-scratch.js';

/** A binary format: significand bits (with the implicit one) and exponent range of normal numbers. */
export interface FloatFormat {
  readonly precision: number;
  readonly emin: number;
  readonly emax: number;
  /** The largest finite value. */
  readonly max: number;
}

export const BINARY32: FloatFormat = { precision: 24, emin: -126, emax: 127, max: 3.4028234663852886e38 };
export const BINARY64: FloatFormat = { precision: 53, emin: -1022, emax: 1023, max: Number.MAX_VALUE };

/** The rounded value (a signed double, exactly representable in the target format), left by roundToFormat. */
export const ROUNDED = { value: 0 };

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** 2^k for any integer k that gives a normal double (−1022 ≤ k ≤ 1023), built from its bits. */
export function pow2(k: number): number {
  words[0] = 0;
  words[1] = (k + 1023) << 20;
  return bits[0];
}

/** A positive normal double with its exponent replaced by 0: its significand, in [1, 2). */
export function significandOf(s: number): number {
  bits[0] = s;
  words[1] = (words[1] & 0xfffff) | 0x3ff00000;
  return bits[0];
}

/** q · 2^k for a result known to be representable (k ≥ −1074): in two steps where 2^k alone is not a normal double. */
function scaleBy(q: number, k: number): number {
  return k >= -1022 ? q * pow2(k) : q * pow2(k + 64) * pow2(-64);
}

/** Unbiased exponent of a positive normal double. */
export function exponentOf(s: number): number {
  bits[0] = s;
  return ((words[1] >>> 20) & 0x7ff) - 1023;
}

// What the dropped part of the value is, relative to half a unit of the kept last place.
const EXACT = 0;
const BELOW_HALF = 1;
const HALF = 2;
const ABOVE_HALF = 3;

// f, the fraction of s's last place that err adds: none, in (0, ½), in (½, 1).
const F_NONE = 0;
const F_LOW = 1;
const F_HIGH = 3;

/** Results of split: the kept integer (in a typed array: a module-level double would be boxed on every write) and how the drop compared with half. */
const kept = new Float64Array(1);
let dropped = EXACT;

/** Split M + f (M < 2^54 an integer, f a fraction code) at `n` dropped bits into q and `dropped`. */
function split(m: number, f: number, n: number): void {
  if (n === 0) {
    kept[0] = m;
    dropped = f === F_NONE ? EXACT : f === F_LOW ? BELOW_HALF : ABOVE_HALF;
    return;
  }
  if (n > 55) {
    kept[0] = 0;
    dropped = BELOW_HALF;
    return;
  }
  const p = pow2(n);
  const q = Math.floor(m / p);
  kept[0] = q;
  const rem = m - q * p;
  const half = p / 2;
  if (rem < half) dropped = rem === 0 && f === F_NONE ? EXACT : BELOW_HALF;
  else if (rem === half) dropped = f === F_NONE ? HALF : ABOVE_HALF;
  else dropped = ABOVE_HALF;
}

/** Whether the rounding direction moves the kept magnitude q up by one, given the drop. */
function roundsUp(negative: boolean, rc: number): boolean {
  if (dropped === EXACT) return false;
  if (rc === RC_NEAREST) return dropped === ABOVE_HALF || (dropped === HALF && kept[0] % 2 === 1);
  if (rc === RC_UP) return !negative;
  if (rc === RC_DOWN) return negative;
  return false;
}

/**
 * Round (s + err)·2^E, with sign `negative`, s > 0 a normal double and
 * `delta` the sign of err, to `fmt` under ENV's rounding control, FZ and
 * masks. The value goes to ROUNDED.value; OE, UE, PE are added to ENV.post.
 */
export function roundToFormat(negative: boolean, s: number, delta: number, e2: number, fmt: FloatFormat): void {
  bits[0] = s;
  const hiWord = words[1];
  let e = ((hiWord >>> 20) & 0x7ff) - 1023 + e2;
  let m = (hiWord & 0xfffff) * 4294967296 + 0x10000000000000 + words[0];
  let f = F_NONE;
  if (delta > 0) f = F_LOW;
  else if (delta < 0) {
    // Just below M: M − 1 + (something in (½, 1)); at a power of two the
    // RN error is at most a quarter unit, so one more bit keeps it above ½.
    m -= 1;
    f = F_HIGH;
    if (m < 0x10000000000000) {
      m = m * 2 + 1;
      e -= 1;
    }
  }
  const rc = ENV.rc;
  const extra = 53 - fmt.precision;
  // Rounded with an unbounded exponent: decides overflow and tininess (after rounding).
  split(m, f, extra);
  const inexactFull = dropped !== EXACT;
  const qFull = kept[0] + (roundsUp(negative, rc) ? 1 : 0);
  const eFull = qFull === pow2(fmt.precision) ? e + 1 : e;
  if (eFull > fmt.emax) {
    if ((ENV.masked & MXCSR_OE) === 0) {
      ENV.post |= MXCSR_OE | (inexactFull ? MXCSR_PE : 0);
      ROUNDED.value = 0;
      return;
    }
    ENV.post |= MXCSR_OE | MXCSR_PE;
    const toInfinity = rc === RC_NEAREST || (rc === RC_UP && !negative) || (rc === RC_DOWN && negative);
    const v = toInfinity ? Infinity : fmt.max;
    ROUNDED.value = negative ? -v : v;
    return;
  }
  if (eFull < fmt.emin) {
    if ((ENV.masked & MXCSR_UE) === 0) {
      ENV.post |= MXCSR_UE | (inexactFull ? MXCSR_PE : 0);
      ROUNDED.value = 0;
      return;
    }
    if (ENV.fz) {
      ENV.post |= MXCSR_UE | MXCSR_PE;
      ROUNDED.value = negative ? -0 : 0;
      return;
    }
    // Denormal: round at the fixed position of the smallest normal's last place.
    split(m, f, extra + (fmt.emin - e));
    const inexact = dropped !== EXACT;
    const qq = kept[0] + (roundsUp(negative, rc) ? 1 : 0);
    if (inexact) ENV.post |= MXCSR_UE | MXCSR_PE;
    const v = scaleBy(qq, fmt.emin - fmt.precision + 1);
    ROUNDED.value = negative ? -v : v;
    return;
  }
  if (inexactFull) ENV.post |= MXCSR_PE;
  const v = scaleBy(qFull, e - fmt.precision + 1);
  ROUNDED.value = negative ? -v : v;
}
