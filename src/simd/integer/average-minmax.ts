/**
 * The SSE integer extensions that compare or average lanes: pavgb/pavgw
 * (rounded unsigned average), pminub/pmaxub, pminsw/pmaxsw, and psadbw (sum
 * of absolute byte differences per quadword, into that quadword's low word).
 */
import { B16, B32, B8, type SimdScratch } from '../simd-scratch.js';
import { bytesAtLeast } from './swar.js';

export function pavgb(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  for (let i = 0; i < bytes; i++) v[i] = (v[i] + v[B8 + i] + 1) >> 1;
}

export function pavgw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) v[i] = (v[i] + v[B16 + i] + 1) >> 1;
}

/** B's byte where it wins (the smaller for min, the larger for max: `flip` 0 or −1), else A's; four bytes per 32-bit step (swar.ts). */
function pickBytes(x: SimdScratch, bytes: number, flip: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) {
    const a = v[i];
    const b = v[B32 + i];
    const takeB = bytesAtLeast(a, b) ^ flip;
    v[i] = (b & takeB) | (a & ~takeB);
  }
}

// pminub is in glibc's strcmp/strlen loops.
export const pminub = (x: SimdScratch, bytes: number): void => pickBytes(x, bytes, 0);
export const pmaxub = (x: SimdScratch, bytes: number): void => pickBytes(x, bytes, -1);

export function pminsw(x: SimdScratch, bytes: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const b = v[B16 + i];
    if (b < v[i]) v[i] = b;
  }
}

export function pmaxsw(x: SimdScratch, bytes: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const b = v[B16 + i];
    if (b > v[i]) v[i] = b;
  }
}

/** Each quadword becomes the sum of its 8 |a − b| byte differences (at most 2040) in its low word; the other 6 bytes are zero. */
export function psadbw(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  for (let q = 0; q < bytes; q += 8) {
    let sum = 0;
    for (let i = q; i < q + 8; i++) {
      const d = v[i] - v[B8 + i];
      sum += Math.abs(d);
    }
    v[q] = sum;
    v[q + 1] = sum >> 8;
    for (let i = q + 2; i < q + 8; i++) v[i] = 0;
  }
}
