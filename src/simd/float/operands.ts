/**
 * Reading and writing one binary32 or binary64 lane of the scratch for the
 * floating-point forms: the operand's class from its bits (so NaN payloads
 * and signalling bits are seen before any conversion to a JS number could
 * change them), its value with DAZ applied, and the NaN results of SDM
 * Vol. 1 §4.8.3.5 / Table 4-7 (the first source's NaN wins, an SNaN comes out
 * quietened, payloads kept; an invalid operation gives the negative default
 * QNaN).
 *
 * Lanes are addressed by their index in x.u32: binary32 lane i of A is i,
 * of B is B32 + i; binary64 lane i of A is 2i, of B is B32 + 2i (the low
 * word). `wide` selects binary64.
 */
import type { SimdScratch } from '../simd-scratch.js';
import { ENV } from './mxcsr-env.js';

export const ZERO = 0;
export const NORMAL = 1;
export const DENORMAL = 2;
export const INF = 3;
export const QNAN = 4;
export const SNAN = 5;

/** Loaded operands, slots 0 (first source) and 1 (second): class as read, value after DAZ. */
export const CLS = new Int32Array(2);
export const VAL = new Float64Array(2);

/** Class of the lane at word index w (binary64: w is the low word). */
export function classOf(x: SimdScratch, wide: boolean, w: number): number {
  const u = x.u32;
  if (wide) {
    const hi = u[w + 1];
    const exp = (hi >>> 20) & 0x7ff;
    const frac = (hi & 0xfffff) | u[w];
    if (exp === 0x7ff) return frac === 0 ? INF : (hi & 0x80000) !== 0 ? QNAN : SNAN;
    if (exp === 0) return frac === 0 ? ZERO : DENORMAL;
    return NORMAL;
  }
  const v = u[w];
  const exp = (v >>> 23) & 0xff;
  const frac = v & 0x7fffff;
  if (exp === 0xff) return frac === 0 ? INF : (v & 0x400000) !== 0 ? QNAN : SNAN;
  if (exp === 0) return frac === 0 ? ZERO : DENORMAL;
  return NORMAL;
}

/** Whether the lane holds a normal number (the fast paths' test, cheaper than classOf). */
export function isNormal(x: SimdScratch, wide: boolean, w: number): boolean {
  const e = wide ? (x.u32[w + 1] >>> 20) & 0x7ff : (x.u32[w] >>> 23) & 0xff;
  return e !== 0 && e !== (wide ? 0x7ff : 0xff);
}

/** Whether the lane's sign bit is set. */
export function signOf(x: SimdScratch, wide: boolean, w: number): boolean {
  return (x.u32[wide ? w + 1 : w] & 0x80000000) !== 0;
}

/** Load the lane into `slot`; returns its class. VAL is the value with DAZ applied (denormal → signed zero); NaNs are not loaded. */
export function load(x: SimdScratch, wide: boolean, w: number, slot: number): number {
  const c = classOf(x, wide, w);
  CLS[slot] = c;
  if (c >= QNAN) return c;
  if (c === DENORMAL && ENV.daz) VAL[slot] = signOf(x, wide, w) ? -0 : 0;
  else VAL[slot] = wide ? x.f64[w >>> 1] : x.f32[w];
  return c;
}

export function isNaNClass(c: number): boolean {
  return c >= QNAN;
}

/** Write a number (exactly representable in the lane's format) to the lane at word index `out`. */
export function writeValue(x: SimdScratch, wide: boolean, out: number, v: number): void {
  if (wide) x.f64[out >>> 1] = v;
  else x.f32[out] = v;
}

/** Copy the NaN lane at word index `from` to `out`, quietened. */
export function writeQuietNaN(x: SimdScratch, wide: boolean, from: number, out: number): void {
  const u = x.u32;
  if (wide) {
    const lo = u[from];
    u[out + 1] = u[from + 1] | 0x80000;
    u[out] = lo;
  } else {
    u[out] = u[from] | 0x400000;
  }
}

/** Write the default NaN (negative QNaN, zero payload): the result of an invalid operation. */
export function writeDefaultNaN(x: SimdScratch, wide: boolean, out: number): void {
  const u = x.u32;
  if (wide) {
    u[out] = 0;
    u[out + 1] = 0xfff80000;
  } else {
    u[out] = 0xffc00000;
  }
}
