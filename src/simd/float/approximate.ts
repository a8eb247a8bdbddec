/**
 * RCPPS/RCPSS and RSQRTPS/RSQRTSS: the hardware's approximations of 1/x and
 * 1/√x, which differ between vendors (the SDM only bounds the relative
 * error by 1.5·2^−12). These match the host, an AMD EPYC, bit for bit:
 * a table lookup on the top 12 significand bits (approximate-tables.ts)
 * with the exponent handled as measured:
 *   - the result's exponent mirrors the operand's around the table's;
 *   - a zero or denormal operand gives ∞ of its sign (denormals count as
 *     zero whatever DAZ says); ∞ gives 0 of its sign;
 *   - a result below the normal range is flushed to 0 of its sign;
 *   - RSQRT of a negative non-zero number is the default NaN; NaNs come out
 *     quietened.
 * MXCSR plays no part: no flags, and RC, FZ and DAZ change nothing
 * (measured).
 */
import { B32, type SimdRun, type SimdScratch } from '../simd-scratch.js';
import { RCP_TABLE, RSQRT_EVEN_TABLE, RSQRT_ODD_TABLE } from './approximate-tables.js';

/** RCPSS of the binary32 bits v. */
export function reciprocal(v: number): number {
  const sign = v & 0x80000000;
  const e = (v >>> 23) & 0xff;
  if (e === 0xff) return (v & 0x7fffff) !== 0 ? (v | 0x400000) >>> 0 : sign >>> 0;
  if (e === 0) return (sign | 0x7f800000) >>> 0;
  const t = RCP_TABLE[(v >>> 11) & 0xfff];
  const eo = ((t >>> 23) & 0xff) + 127 - e;
  if (eo <= 0) return sign >>> 0;
  return (sign | (eo << 23) | (t & 0x7fffff)) >>> 0;
}

/** RSQRTSS of the binary32 bits v. */
export function reciprocalSqrt(v: number): number {
  const sign = v & 0x80000000;
  const e = (v >>> 23) & 0xff;
  if (e === 0xff) {
    if ((v & 0x7fffff) !== 0) return (v | 0x400000) >>> 0;
    return sign !== 0 ? 0xffc00000 : 0;
  }
  if (e === 0) return (sign | 0x7f800000) >>> 0;
  if (sign !== 0) return 0xffc00000;
  // Odd biased exponents share the table taken at 127, even ones the one at 128.
  const odd = (e & 1) !== 0;
  const t = (odd ? RSQRT_ODD_TABLE : RSQRT_EVEN_TABLE)[(v >>> 11) & 0xfff];
  const eo = ((t >>> 23) & 0xff) - ((e - (odd ? 127 : 128)) >> 1);
  return ((eo << 23) | (t & 0x7fffff)) >>> 0;
}

function packedApproximation(fn: (v: number) => number, lanes: number): SimdRun {
  return (x: SimdScratch) => {
    const u = x.u32;
    for (let i = 0; i < lanes; i++) u[i] = fn(u[B32 + i]);
    x.flags = 0;
  };
}

export const rcpps = packedApproximation(reciprocal, 4);
export const rcpss = packedApproximation(reciprocal, 1);
export const rsqrtps = packedApproximation(reciprocalSqrt, 4);
export const rsqrtss = packedApproximation(reciprocalSqrt, 1);
