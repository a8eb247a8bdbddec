/**
 * Sign-bit gathers into a general register: pmovmskb (one bit per byte),
 * movmskps (per dword), movmskpd (per quadword). A is the GPR (its value
 * goes to u32[0]), B the MMX or XMM source; the GPR's upper bits are zero.
 *
 * The width is fixed per row (the GPR side says nothing about it), so the
 * MMX and XMM pmovmskb are separate functions. pcmpeqb + pmovmskb is how
 * glibc finds a NUL or a byte in strlen/memchr: this loop is hot.
 */
import { B32, B8, type SimdScratch } from '../simd-scratch.js';

function byteSigns(x: SimdScratch, n: number): void {
  const v = x.u8;
  let m = 0;
  for (let i = 0; i < n; i++) m |= (v[B8 + i] >> 7) << i;
  x.u32[0] = m;
}

export const pmovmskbMmx = (x: SimdScratch): void => byteSigns(x, 8);
export const pmovmskbXmm = (x: SimdScratch): void => byteSigns(x, 16);

export function movmskps(x: SimdScratch): void {
  const v = x.u32;
  v[0] = (v[B32] >>> 31) | ((v[B32 + 1] >>> 31) << 1) | ((v[B32 + 2] >>> 31) << 2) | ((v[B32 + 3] >>> 31) << 3);
}

export function movmskpd(x: SimdScratch): void {
  const v = x.u32;
  v[0] = (v[B32 + 1] >>> 31) | ((v[B32 + 3] >>> 31) << 1);
}
