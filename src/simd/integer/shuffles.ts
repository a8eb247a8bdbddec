/**
 * Lane shuffles selected by the immediate byte: pshufw (MMX words),
 * pshufd/pshufhw/pshuflw (SSE2), shufps/shufpd (lanes from A and B), and the
 * word insert/extract pinsrw/pextrw.
 *
 * The pshuf* forms read only B, so they write A directly; shufps/shufpd read
 * A's lanes into locals before overwriting them.
 */
import { B16, B32, type SimdScratch } from '../simd-scratch.js';

/** A's word i ← B's word imm[2i+1:2i], i = 0..3 (MMX). */
export function pshufw(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u16;
  for (let i = 0; i < 4; i++) v[i] = v[B16 + ((imm >> (2 * i)) & 3)];
}

export function pshufd(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u32;
  for (let i = 0; i < 4; i++) v[i] = v[B32 + ((imm >> (2 * i)) & 3)];
}

/** Low words copied from B; the high four shuffled among themselves. */
export function pshufhw(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u16;
  for (let i = 0; i < 4; i++) v[i] = v[B16 + i];
  for (let i = 0; i < 4; i++) v[4 + i] = v[B16 + 4 + ((imm >> (2 * i)) & 3)];
}

/** High words copied from B; the low four shuffled among themselves. */
export function pshuflw(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u16;
  for (let i = 0; i < 4; i++) v[i] = v[B16 + ((imm >> (2 * i)) & 3)];
  for (let i = 4; i < 8; i++) v[i] = v[B16 + i];
}

/** Two dwords of A (imm bits 0-3) below two dwords of B (bits 4-7). */
export function shufps(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u32;
  const a0 = v[imm & 3];
  const a1 = v[(imm >> 2) & 3];
  v[0] = a0;
  v[1] = a1;
  v[2] = v[B32 + ((imm >> 4) & 3)];
  v[3] = v[B32 + ((imm >> 6) & 3)];
}

/** Quadword imm[0] of A, then quadword imm[1] of B. */
export function shufpd(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u32;
  const a = (imm & 1) << 1;
  const b = B32 + (imm & 2);
  const lo = v[a];
  const hi = v[a + 1];
  v[0] = lo;
  v[1] = hi;
  v[2] = v[b];
  v[3] = v[b + 1];
}

/** B's low word (from a GPR or a 16-bit memory operand) into A's word imm mod 4 (MMX) or mod 8 (XMM). */
export function pinsrw(x: SimdScratch, bytes: number, imm: number): void {
  x.u16[imm & ((bytes >> 1) - 1)] = x.u16[B16];
}

/** The GPR A ← zero-extended word imm mod 4 of the MMX register B. */
export function pextrwMmx(x: SimdScratch, _bytes: number, imm: number): void {
  x.u32[0] = x.u16[B16 + (imm & 3)];
}

/** The GPR A ← zero-extended word imm mod 8 of the XMM register B. */
export function pextrwXmm(x: SimdScratch, _bytes: number, imm: number): void {
  x.u32[0] = x.u16[B16 + (imm & 7)];
}
