/**
 * Packed integer compares: pcmpeqb/w/d and the signed pcmpgtb/w/d. Each lane
 * of A becomes all ones where the predicate holds, else zero.
 *
 * pcmpeqb is one of glibc's string-function workhorses (with pmovmskb and
 * pminub), so the byte compares take four bytes per 32-bit step (swar.ts);
 * the wider lanes are plain loops.
 */
import { B16, B32, type SimdScratch } from '../simd-scratch.js';
import { bytesGreaterSigned, zeroBytes } from './swar.js';

export function pcmpeqb(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = zeroBytes(v[i] ^ v[B32 + i]);
}

export function pcmpeqw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) v[i] = v[i] === v[B16 + i] ? 0xffff : 0;
}

export function pcmpeqd(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = v[i] === v[B32 + i] ? -1 : 0;
}

export function pcmpgtb(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = bytesGreaterSigned(v[i], v[B32 + i]);
}

export function pcmpgtw(x: SimdScratch, bytes: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) v[i] = v[i] > v[B16 + i] ? -1 : 0;
}

export function pcmpgtd(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = v[i] > v[B32 + i] ? -1 : 0;
}
