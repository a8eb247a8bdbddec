/**
 * The common case of ADD/SUB/MUL/DIV/SQRT on the host's own arithmetic:
 * round to nearest, normal operands, and a result safely inside the normal
 * range (so no overflow, underflow or FZ can apply). There IEEE double
 * arithmetic gives the result bits directly — for binary32 the double result
 * rounded by Math.fround, which is correctly rounded because 53 ≥ 2·24 + 2
 * (double rounding is innocuous for +, −, ×, ÷, √) — and only PE is left to
 * find, from the exactness of the result:
 *   binary32: the double sum's TwoSum error; the product is exact in double;
 *             r·b = a and r·r = a are exact products to compare;
 *   binary64: TwoSum, Dekker's TwoProduct, the exact remainder — valid in the
 *             window below, where none of their terms over- or underflows.
 * Anything else returns false and arithmetic.ts takes the exact path; the
 * differential tests run both on the same cases.
 */
import { MXCSR_PE, type SimdScratch } from '../simd-scratch.js';
import { ENV } from './mxcsr-env.js';
import { ADD, DIV, MUL, SUB } from './arithmetic-ops.js';
import { productError, remainderSign, sumError } from './error-free.js';


const MIN_NORMAL32 = 1.1754943508222875e-38;
/** Results above 2^-126 and finite: normal binary32, not tiny before or after rounding. */
function normal32(r: number): boolean {
  const m = Math.abs(r);
  return m > MIN_NORMAL32 && m !== Infinity;
}

/** Magnitudes where TwoSum, TwoProduct and the remainder are exact in double. */
const LOW64 = 2 ** -960;
const HIGH64 = 2 ** 990;
function safe64(v: number): boolean {
  const m = Math.abs(v);
  return m > LOW64 && m < HIGH64;
}

let enabled = true;
/** Switch the fast path off (so a test can hold the exact path alone to the host) or back on. */
export function setFastPath(on: boolean): void {
  enabled = on;
}

/** Whether the fast paths (this file's and convert.ts's) are on. */
export function fastPathOn(): boolean {
  return enabled;
}

/** Lane op (ADD..SQRT) on normal finite a, b (b alone for SQRT, b > 0) under RC = nearest; false when the exact path must decide. */
export function fastArithmetic(x: SimdScratch, wide: boolean, op: number, a: number, b: number, out: number): boolean {
  if (!enabled) return false;
  let inexact: boolean;
  if (!wide) {
    let r: number;
    if (op === ADD || op === SUB) {
      const s = a + b;
      r = Math.fround(s);
      if (!normal32(r)) return false;
      inexact = r !== s || sumError(a, b, s) !== 0;
    } else if (op === MUL) {
      const s = a * b;
      r = Math.fround(s);
      if (!normal32(r)) return false;
      inexact = r !== s;
    } else if (op === DIV) {
      r = Math.fround(a / b);
      if (!normal32(r)) return false;
      inexact = r * b !== a;
    } else {
      r = Math.fround(Math.sqrt(b));
      inexact = r * r !== b;
    }
    x.f32[out] = r;
  } else {
    let s: number;
    if (op === ADD || op === SUB) {
      s = a + b;
      if (!safe64(s) || !safe64(a) || !safe64(b)) return false;
      inexact = sumError(a, b, s) !== 0;
    } else if (op === MUL) {
      s = a * b;
      if (!safe64(s) || !safe64(a) || !safe64(b)) return false;
      inexact = productError(a, b, s) !== 0;
    } else if (op === DIV) {
      s = a / b;
      if (!safe64(s) || !safe64(a) || !safe64(b)) return false;
      inexact = remainderSign(a, s, b) !== 0;
    } else {
      if (!safe64(b)) return false;
      s = Math.sqrt(b);
      inexact = remainderSign(b, s, s) !== 0;
    }
    x.f64[out >>> 1] = s;
  }
  if (inexact) ENV.post |= MXCSR_PE;
  return true;
}
