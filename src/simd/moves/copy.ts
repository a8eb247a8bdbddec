/**
 * The computations of the data-movement forms that fit the A ← f(A, B)
 * pattern (simd-scratch.ts): whole copies, the scalar and half-register
 * moves, and SSE3's duplicating loads. Pure lane moves on the u32 views:
 * no rounding, no flags (the SDM lists no SIMD floating-point exceptions
 * for any of them; a NaN moves unchanged, SNaNs included).
 *
 * Which bytes of B are meaningful depends on the row: a memory form loads
 * its memBytes into B's low bytes, so the "zeroing" loads (movss/movsd/movq
 * from memory) are their own rows, apart from the register forms that
 * merge.
 */
import { B32, type SimdScratch } from '../simd-scratch.js';

/** movaps, movups, movapd, movupd, movdqa, movdqu, lddqu, movq mm, mm/m64: A ← B, all `bytes`. */
export function copyAll(x: SimdScratch, bytes: number): void {
  const u = x.u32;
  for (let i = 0; i < bytes >> 2; i++) u[i] = u[B32 + i]!;
}

/** movd mm/xmm, r/m32 and movss xmm, m32: A ← B's low dword, zero-extended to the register. */
export function zeroExtend32(x: SimdScratch, bytes: number): void {
  const u = x.u32;
  u[0] = u[B32]!;
  for (let i = 1; i < bytes >> 2; i++) u[i] = 0;
}

/** movq xmm, xmm/m64 (F3 0F 7E), movsd xmm, m64, movq2dq: A ← B's low qword, upper qword zeroed. */
export function zeroExtend64(x: SimdScratch): void {
  const u = x.u32;
  u[0] = u[B32]!;
  u[1] = u[B32 + 1]!;
  u[2] = 0;
  u[3] = 0;
}

/** movss xmm, xmm: the low dword of A ← B's; the rest of A stays. */
export function mergeLow32(x: SimdScratch): void {
  x.u32[0] = x.u32[B32]!;
}

/** movsd xmm, xmm, movlps/movlpd xmm, m64, movdq2q: the low qword of A ← B's low qword. */
export function mergeLow64(x: SimdScratch): void {
  const u = x.u32;
  u[0] = u[B32]!;
  u[1] = u[B32 + 1]!;
}

/** movhps/movhpd xmm, m64 and movlhps: the high qword of A ← B's low qword. */
export function lowToHigh(x: SimdScratch): void {
  const u = x.u32;
  u[2] = u[B32]!;
  u[3] = u[B32 + 1]!;
}

/** movhlps: the low qword of A ← B's high qword. */
export function highToLow(x: SimdScratch): void {
  const u = x.u32;
  u[0] = u[B32 + 2]!;
  u[1] = u[B32 + 3]!;
}

/** movddup: both qwords of A ← B's low qword. */
export function duplicateLow64(x: SimdScratch): void {
  const u = x.u32;
  u[0] = u[2] = u[B32]!;
  u[1] = u[3] = u[B32 + 1]!;
}

/** movsldup: A ← B's even dwords, each twice. */
export function duplicateEven32(x: SimdScratch): void {
  const u = x.u32;
  u[0] = u[1] = u[B32]!;
  u[2] = u[3] = u[B32 + 2]!;
}

/** movshdup: A ← B's odd dwords, each twice. */
export function duplicateOdd32(x: SimdScratch): void {
  const u = x.u32;
  u[0] = u[1] = u[B32 + 1]!;
  u[2] = u[3] = u[B32 + 3]!;
}
