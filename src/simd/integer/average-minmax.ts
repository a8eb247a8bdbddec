/**
 * The SSE integer extensions that compare or average lanes: pavgb/pavgw
 * (rounded unsigned average), pminub/pmaxub, pminsw/pmaxsw, and psadbw (sum
 * of absolute byte differences per quadword, into that quadword's low word).
 */
import { B16, B32, type SimdScratch } from '../simd-scratch.js';
import { averageBytes, bytesAtLeast, subBytes } from './swar.js';

export function pavgb(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = averageBytes(v[i], v[B32 + i]);
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

/** |a − b| for each byte of two words, summed: the larger byte minus the smaller never borrows, then the four bytes are added in two folds. */
function absDiffSum(a: number, b: number): number {
  const aWins = bytesAtLeast(a, b);
  const d = subBytes((a & aWins) | (b & ~aWins), (b & aWins) | (a & ~aWins));
  const pairs = (d & 0x00ff00ff) + ((d >>> 8) & 0x00ff00ff);
  return (pairs & 0xffff) + (pairs >>> 16);
}

/** Each quadword becomes the sum of its 8 |a − b| byte differences (at most 2040) in its low word; the other 6 bytes are zero. */
export function psadbw(x: SimdScratch, bytes: number): void {
  const v = x.u32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i += 2) {
    v[i] = absDiffSum(v[i], v[B32 + i]) + absDiffSum(v[i + 1], v[B32 + i + 1]);
    v[i + 1] = 0;
  }
}
