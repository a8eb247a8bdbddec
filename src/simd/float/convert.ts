/**
 * The conversion lanes: binary32/binary64 ↔ int32 (rounded by MXCSR.RC, or
 * truncated for the CVTT forms) and binary32 ↔ binary64.
 *
 * Float → int32: a NaN or a value whose rounded result leaves the int32
 * range gives the integer indefinite 0x80000000 and IE; an inexact result
 * sets PE. int32 → binary32 rounds (PE); int32 → binary64 and
 * binary32 → binary64 are exact. binary64 → binary32 rounds like an
 * arithmetic result (OE, UE, PE, FZ) through rounding.ts. NaNs convert
 * with their payload's top bits kept and quietened (SDM Vol. 1 §4.8.3.7).
 */
import type { SimdScratch } from '../simd-scratch.js';
import { MXCSR_DE, MXCSR_IE, MXCSR_PE } from '../simd-scratch.js';
import { ENV, RC_DOWN, RC_NEAREST, RC_UP, RC_ZERO } from './mxcsr-env.js';
import { decompose, PARTS } from './error-free.js';
import { fastPathOn } from './fast-path.js';
import { DENORMAL, isNaNClass, load, SNAN, VAL } from './operands.js';
import { BINARY32, ROUNDED, roundToFormat } from './rounding.js';

export const INTEGER_INDEFINITE = 0x80000000;
const TWO31 = 2147483648;

/** v (finite) rounded to an integer in direction rc. */
function roundToInteger(v: number, rc: number): number {
  if (rc === RC_ZERO) return Math.trunc(v);
  if (rc === RC_DOWN) return Math.floor(v);
  if (rc === RC_UP) return Math.ceil(v);
  const f = Math.floor(v);
  const d = v - f; // exact: v and f share the exponent range
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The float lane at word index w converted to int32 (as a uint32 number),
 * by truncation when `truncate`, else by MXCSR.RC. Flags: IE, PE; never DE
 * (SDM Vol. 2 CVTSS2SI, and measured), though DAZ still reads a denormal as 0.
 */
export function floatToInt32(x: SimdScratch, wide: boolean, w: number, truncate: boolean): number {
  const c = load(x, wide, w, 0);
  if (isNaNClass(c)) {
    ENV.pre |= MXCSR_IE;
    return INTEGER_INDEFINITE;
  }
  const v = VAL[0];
  const r = roundToInteger(v, truncate ? RC_ZERO : ENV.rc);
  if (!(r >= -TWO31 && r < TWO31)) {
    ENV.pre |= MXCSR_IE;
    return INTEGER_INDEFINITE;
  }
  if (r !== v) ENV.post |= MXCSR_PE;
  return r >>> 0;
}

/** int32 value `v` as binary32 (rounded by MXCSR.RC) to the lane at word index out. */
export function int32ToFloat32(x: SimdScratch, v: number, out: number): void {
  if (v === 0 || ENV.rc === RC_NEAREST) {
    const r = Math.fround(v);
    if (r !== v) ENV.post |= MXCSR_PE;
    x.f32[out] = r;
    return;
  }
  decompose(v);
  roundToFormat(v < 0, PARTS.mant, 0, PARTS.exp, BINARY32);
  x.f32[out] = ROUNDED.value;
}

/** The binary32 lane at word index w as binary64 to the lane at word index out (even). */
export function float32To64(x: SimdScratch, w: number, out: number): void {
  const c = load(x, false, w, 0);
  const u = x.u32;
  if (isNaNClass(c)) {
    if (c === SNAN) ENV.pre |= MXCSR_IE;
    const bits = u[w];
    u[out] = bits << 29;
    u[out + 1] = (bits & 0x80000000) | 0x7ff80000 | ((bits & 0x3fffff) >>> 3);
    return;
  }
  if (c === DENORMAL && !ENV.daz) ENV.pre |= MXCSR_DE;
  x.f64[out >>> 1] = VAL[0];
}

/** The binary64 lane at word index w (even) as binary32, rounded, to the lane at word index out. */
export function float64To32(x: SimdScratch, w: number, out: number): void {
  const c = load(x, true, w, 0);
  const u = x.u32;
  if (isNaNClass(c)) {
    if (c === SNAN) ENV.pre |= MXCSR_IE;
    const hi = u[w + 1];
    u[out] = (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (u[w] >>> 29);
    return;
  }
  if (c === DENORMAL && !ENV.daz) ENV.pre |= MXCSR_DE;
  const v = VAL[0];
  if (v === 0 || v === Infinity || v === -Infinity) {
    x.f32[out] = v;
    return;
  }
  if (ENV.rc === RC_NEAREST && fastPathOn() && fastNarrow(x, v, out)) return;
  decompose(v);
  roundToFormat(v < 0, PARTS.mant, 0, PARTS.exp, BINARY32);
  x.f32[out] = ROUNDED.value;
}

const MIN_NORMAL32 = 1.1754943508222875e-38;

/** Round to nearest with a normal binary32 result: Math.fround is the conversion; false when rounding.ts must decide. */
function fastNarrow(x: SimdScratch, v: number, out: number): boolean {
  const r = Math.fround(v);
  const m = Math.abs(r);
  if (!(m > MIN_NORMAL32 && m !== Infinity)) return false;
  if (r !== v) ENV.post |= MXCSR_PE;
  x.f32[out] = r;
  return true;
}
