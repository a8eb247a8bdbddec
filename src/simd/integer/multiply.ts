/**
 * Packed integer multiplies: pmullw/pmulhw/pmulhuw (low or high half of the
 * 32-bit word products), pmuludq (unsigned 32×32→64 of each quadword's low
 * dword) and pmaddwd (pairs of signed word products summed into dwords).
 *
 * Word products fit a double exactly (|p| < 2^32), so plain `*` and the
 * typed views' truncation give the bits; pmuludq's 64-bit product does not,
 * so its high dword is built from 16-bit halves.
 */
import { B16, B32, type SimdScratch } from '../simd-scratch.js';

export function pmullw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) v[i] = Math.imul(v[i], v[B16 + i]);
}

export function pmulhw(x: SimdScratch, bytes: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) v[i] = (v[i] * v[B16 + i]) >> 16;
}

export function pmulhuw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  // The product can reach 2^32 - 2^17 + 1: >>> keeps it unsigned.
  for (let i = 0; i < n; i++) v[i] = (v[i] * v[B16 + i]) >>> 16;
}

export function pmuludq(x: SimdScratch, bytes: number): void {
  const v = x.u32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i += 2) {
    const a = v[i];
    const b = v[B32 + i];
    const al = a & 0xffff;
    const ah = a >>> 16;
    const bl = b & 0xffff;
    const bh = b >>> 16;
    // a·b = ah·bh·2^32 + (ah·bl + al·bh)·2^16 + al·bl: imul gives the low dword; the high one is
    // ah·bh plus the cross products' high halves plus the carry out of the bits 16..31 column.
    const cross1 = al * bh;
    const cross2 = ah * bl;
    const column = ((al * bl) >>> 16) + (cross1 & 0xffff) + (cross2 & 0xffff);
    v[i] = Math.imul(a, b);
    v[i + 1] = ah * bh + (cross1 >>> 16) + (cross2 >>> 16) + (column >>> 16);
  }
}

export function pmaddwd(x: SimdScratch, bytes: number): void {
  const w = x.i16;
  const d = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) {
    const j = 2 * i;
    // Only (-32768)² + (-32768)² = 2^31 overflows; |0 wraps it to 0x80000000 as the hardware does.
    d[i] = (w[j] * w[B16 + j] + w[j + 1] * w[B16 + j + 1]) | 0;
  }
}
