/**
 * Sign-bit gathers into a general register: pmovmskb (one bit per byte),
 * movmskps (per dword), movmskpd (per quadword). A is the GPR (its value
 * goes to u32[0]), B the MMX or XMM source; the GPR's upper bits are zero.
 *
 * The width is fixed per row (the GPR side says nothing about it), so the
 * MMX and XMM pmovmskb are separate functions. pcmpeqb + pmovmskb is how
 * glibc finds a NUL or a byte in strlen/memchr: this loop is hot.
 */
import { B32, type SimdScratch } from '../simd-scratch.js';
import { byteSigns as signs4 } from './swar.js';

export function pmovmskbMmx(x: SimdScratch): void {
  const v = x.u32;
  v[0] = signs4(v[B32]) | (signs4(v[B32 + 1]) << 4);
}

export function pmovmskbXmm(x: SimdScratch): void {
  const v = x.u32;
  v[0] = signs4(v[B32]) | (signs4(v[B32 + 1]) << 4) | (signs4(v[B32 + 2]) << 8) | (signs4(v[B32 + 3]) << 12);
}

export function movmskps(x: SimdScratch): void {
  const v = x.u32;
  v[0] = (v[B32] >>> 31) | ((v[B32 + 1] >>> 31) << 1) | ((v[B32 + 2] >>> 31) << 2) | ((v[B32 + 3] >>> 31) << 3);
}

export function movmskpd(x: SimdScratch): void {
  const v = x.u32;
  v[0] = (v[B32 + 1] >>> 31) | ((v[B32 + 3] >>> 31) << 1);
}
