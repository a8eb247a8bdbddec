/**
 * Random 80-bit operands and control words for the differential tests of
 * src/fpu/softfloat against the host CPU, biased to where x87 arithmetic has
 * rules: ±0, denormals, pseudo-denormals, unnormals, ±∞, QNaN/SNaN with
 * payloads, pseudo-∞/NaN, the largest and smallest normals, significands on
 * and next to the rounding boundaries of all three precisions, small
 * integers, and operands near the other one (cancellation) or whose
 * exponents sum or differ to the ends of the range (overflow, underflow).
 */
import { BIAS } from '../../src/fpu/float80.js';

export type Rand = () => number;

/** A random significand (hi, lo) with the integer bit set, patterned for rounding. */
function significand(r: Rand): [number, number] {
  const k = r() % 100;
  if (k < 40) return [(r() | 0x80000000) >>> 0, r()];
  if (k < 55) {
    // Few bits: small integers and exact values.
    return [(0x80000000 | (r() & (0xff000000 >>> (r() % 24)))) >>> 0, r() % 4 === 0 ? 1 << (r() % 32) >>> 0 : 0];
  }
  if (k < 80) {
    // On or next to a rounding boundary of 24, 53 or 64 bits: the discarded part exactly half, half ± 1, or all ones.
    const p = [24, 53, 64][r() % 3];
    let hi = (r() | 0x80000000) >>> 0, lo = r();
    const tail = r() % 4;
    if (p === 24) {
      hi = (hi & 0xffffff00) | (tail === 0 ? 0x80 : tail === 1 ? 0x7f : tail === 2 ? 0xff : 0x80);
      lo = tail === 0 ? 0 : tail === 1 ? 0xffffffff : tail === 2 ? 0xffffffff : 1;
    } else if (p === 53) {
      lo = (lo & 0xfffff800) | (tail === 0 ? 0x400 : tail === 1 ? 0x3ff : tail === 2 ? 0x7ff : 0x401);
    } else {
      lo = tail === 0 ? 0xffffffff : tail === 1 ? 0 : tail === 2 ? 1 : lo;
    }
    return [hi >>> 0, lo >>> 0];
  }
  if (k < 90) return [0xffffffff, r() % 2 ? 0xffffffff : 0xfffff800];
  return [0x80000000, r() % 2 ? 0 : 1];
}

/** A random 80-bit value as [se, hi, lo]; `near` (another operand) biases towards cancellation and range ends. */
export function randomF80(r: Rand, near?: readonly number[]): [number, number, number] {
  const sign = r() % 2 ? 0x8000 : 0;
  const k = r() % 100;
  if (k < 5) return [sign, 0, 0];
  if (k < 12) {
    const hi = r() % 3 === 0 ? 0 : r() & 0x7fffffff;
    return [sign, hi >>> 0, hi === 0 ? (r() | 1) >>> 0 : r()];
  }
  if (k < 14) return [sign, (r() | 0x80000000) >>> 0, r()]; // pseudo-denormal
  if (k < 16) return [sign | (1 + (r() % 0x7ffe)), r() & 0x7fffffff, r()]; // unnormal
  if (k < 21) return [sign | 0x7fff, 0x80000000, 0];
  if (k < 29) {
    // NaNs: quiet or signalling, payload random or minimal.
    const quiet = r() % 2 ? 0x40000000 : 0;
    let hi = (0x80000000 | quiet | (r() % 3 === 0 ? 0 : r() & 0x3fffffff)) >>> 0;
    let lo = r() % 3 === 0 ? 0 : r();
    if ((hi & 0x7fffffff) === 0 && lo === 0) lo = 1;
    return [sign | 0x7fff, hi, lo];
  }
  if (k < 31) return [sign | 0x7fff, r() & 0x7fffffff, r()]; // pseudo-infinity / pseudo-NaN
  if (k < 36) {
    const [hi, lo] = significand(r);
    const e = [1, 2, 0x7ffe, 0x7ffd][r() % 4];
    return [sign | e, hi, lo];
  }
  const [hi, lo] = significand(r);
  if (k < 50) return [sign | (1 + (r() % 0x7ffe)), hi, lo];
  if (near && (near[0] & 0x7fff) !== 0 && (near[0] & 0x7fff) !== 0x7fff) {
    const ne = near[0] & 0x7fff;
    if (k < 70) {
      // Near the other operand: equal or close exponents, perturbed significand.
      const e = Math.min(0x7ffe, Math.max(1, ne + (r() % 9) - 4));
      const pert = r() % 3;
      return [sign | e, pert === 0 ? near[1] : hi, pert === 2 ? lo : (near[2] ^ (1 << (r() % 32))) >>> 0];
    }
    if (k < 85) {
      // Product or quotient at the ends of the range: exponents summing or differing to ≈ 0 or ≈ 0x7fff.
      const target = r() % 2 ? 0 : 0x7fff;
      const e = r() % 2 ? target + BIAS - ne : ne - target + BIAS;
      const ee = Math.min(0x7ffe, Math.max(1, e + (r() % 7) - 3));
      return [sign | ee, hi, lo];
    }
  }
  return [sign | (BIAS - 70 + (r() % 140)), hi, lo];
}

/** A random control word: precision 24/53/64 (and sometimes the reserved 1), each rounding mode, mostly all masked. */
export function randomFcw(r: Rand): number {
  const pc = [0, 2, 3, 3, 1][r() % 5 === 4 && r() % 10 === 0 ? 4 : r() % 4];
  const rc = r() % 4;
  const masks = r() % 5 === 0 ? r() & 0x3f : 0x3f;
  return 0x1040 | masks | (pc << 8) | (rc << 10);
}

/** One random case of a two-operand form. */
export interface PairCase {
  a: number[];
  b: number[];
  fcw: number;
}

/** The default case: b random, a random and biased towards b. */
export function randomPair(r: Rand): PairCase {
  const b = randomF80(r);
  const a = randomF80(r, b);
  return { a, b, fcw: randomFcw(r) };
}

/**
 * Cases whose exact result lies next to the smallest normal 2^-16382, where
 * rounding to 24, 53 or 64 bits may carry it up into the normal range: this
 * is where "tiny after rounding" differs from "tiny before rounding". a has
 * a significand of all ones down to a precision boundary followed by a
 * tail near half; b is a power of two putting the product or quotient at
 * exponent −1, 0 or 1, or a small denormal taken from the smallest normal.
 */
export function boundaryPair(r: Rand): PairCase {
  const p = [24, 53, 64][r() % 3];
  // Ones in bits 63..64−p, then a tail in the bits below: half, half ± 1 unit of 2^-64, all ones, or random.
  let hi = 0xffffffff, lo = 0xffffffff;
  const tail = r() % 5;
  if (p < 64) {
    const below = 64 - p; // 40 or 11 bits below the boundary
    const tailHi = below > 32 ? below - 32 : 0;
    const halfHi = tailHi > 0 ? 1 << (tailHi - 1) : 0;
    const halfLo = tailHi > 0 ? 0 : 1 << (below - 1);
    const maskHi = tailHi > 0 ? (1 << tailHi) - 1 : 0;
    const maskLo = tailHi > 0 ? 0xffffffff : (1 << below) - 1;
    const [th, tl] = tail === 0 ? [halfHi, halfLo] : tail === 1 ? [halfHi - (halfLo === 0 ? 1 : 0), halfLo === 0 ? 0xffffffff : halfLo - 1]
      : tail === 2 ? [halfHi, halfLo + 1] : tail === 3 ? [maskHi, maskLo] : [r() & maskHi, r() & maskLo];
    hi = ((hi & ~maskHi) | th) >>> 0;
    lo = ((lo & ~maskLo) | tl) >>> 0;
  } else if (tail < 2) {
    lo = (0xffffffff - tail) >>> 0;
  }
  const signA = r() % 2 ? 0x8000 : 0;
  const signB = r() % 2 ? 0x8000 : 0;
  const ea = BIAS - 40 + (r() % 80);
  const target = 1 - (r() % 3); // result exponent 1, 0 or −1
  const pc = p === 24 ? 0 : p === 53 ? 2 : 3;
  const fcw = 0x1040 | (r() % 2 ? 0x3f : 0x2f) | (pc << 8) | ((r() % 4) << 10);
  const k = r() % 3;
  if (k === 0) return { a: [signA | ea, hi, lo], b: [signB | (target - ea + BIAS), 0x80000000, 0], fcw }; // a·b
  if (k === 1) return { a: [signA | ea, hi, lo], b: [signB | (ea - target + BIAS), 0x80000000, 0], fcw }; // a/b
  // The smallest normal minus a small denormal: exact, rounded only by PC.
  return { a: [signA | 1, 0x80000000, 0], b: [signA ^ 0x8000, 0, (r() % 4096) + 1], fcw };
}

/**
 * Perfect squares k² (k < 2^32, so k² is exact in 64 bits) and their
 * neighbours k² ± 1, scaled by a random even or odd power of two: square
 * roots that are exact or sit right next to an exact result.
 */
export function squarePair(r: Rand): PairCase {
  if (r() % 2) {
    // The top 96 radicand bits next to the square of a 48-bit root: where fsqrt's first estimate can be one low or high.
    const root = (BigInt((r() & 0xffff) | 0x8000) << 32n) | BigInt(r());
    const sq = root * root;
    const odd = sq >= 1n << 95n;
    const sig = (odd ? sq >> 32n : sq >> 31n) + BigInt(r() % 2);
    if (sig >= 1n << 64n) return squarePair(r);
    const e = 0x3fff - 100 + 2 * (r() % 100) + (odd ? 1 : 0);
    return { a: [e, Number(sig >> 32n), Number(sig & 0xffffffffn)], b: [0, 0, 0], fcw: randomFcw(r) };
  }
  const k = BigInt(r() | 1) + (r() % 2 ? BigInt(r()) << 32n : 0n);
  const kk = k < 1n << 32n ? k : k >> 32n;
  const m = kk * kk + BigInt((r() % 3) - 1);
  const len = m.toString(2).length;
  const sig = m << BigInt(64 - len);
  const e = 0x3fff - 100 + (r() % 200);
  return { a: [e, Number(sig >> 32n), Number(sig & 0xffffffffn)], b: [0, 0, 0], fcw: randomFcw(r) };
}
