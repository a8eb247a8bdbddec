/**
 * Bitwise logic on whole registers: pand, pandn, por, pxor, and the
 * float-typed andps/andnps/orps/xorps and andpd/andnpd/orpd/xorpd, which move
 * the same bits (no MXCSR effect, no NaN handling), so their rows share
 * these functions.
 */
import { B32, type SimdScratch } from '../simd-scratch.js';

export function pand(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] &= v[B32 + i];
}

/** A ← ¬A ∧ B. */
export function pandn(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = ~v[i] & v[B32 + i];
}

export function por(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] |= v[B32 + i];
}

export function pxor(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] ^= v[B32 + i];
}
