/**
 * Narrowing packs with saturation (packsswb, packssdw, packuswb) and the
 * interleaving unpacks (punpckl/h bw, wd, dq, qdq; unpcklps/unpckhps and
 * unpcklpd/unpckhpd are the dword and qword unpacks on XMM, so their rows
 * share these functions).
 *
 * A is both a source and the destination, so each loop runs in the
 * direction in which it only overwrites lanes of A it has already read:
 * the packs and the high unpacks upwards, the low unpacks downwards.
 */
import { B16, B32, B8, type SimdScratch } from '../simd-scratch.js';

/** Signed words → signed bytes: A's words fill the low half of the result, B's the high half. */
export function packsswb(x: SimdScratch, bytes: number): void {
  const w = x.i16;
  const b = x.i8;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const s = w[i];
    b[i] = s > 127 ? 127 : s < -128 ? -128 : s;
  }
  for (let i = 0; i < n; i++) {
    const s = w[B16 + i];
    b[n + i] = s > 127 ? 127 : s < -128 ? -128 : s;
  }
}

/** Signed words → unsigned bytes (negative words give 0). */
export function packuswb(x: SimdScratch, bytes: number): void {
  const w = x.i16;
  const b = x.u8;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const s = w[i];
    b[i] = s > 255 ? 255 : s < 0 ? 0 : s;
  }
  for (let i = 0; i < n; i++) {
    const s = w[B16 + i];
    b[n + i] = s > 255 ? 255 : s < 0 ? 0 : s;
  }
}

/** Signed dwords → signed words. */
export function packssdw(x: SimdScratch, bytes: number): void {
  const d = x.i32;
  const w = x.i16;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) {
    const s = d[i];
    w[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
  for (let i = 0; i < n; i++) {
    const s = d[B32 + i];
    w[n + i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
}

export function punpcklbw(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  for (let j = (bytes >> 1) - 1; j >= 0; j--) {
    const a = v[j];
    v[2 * j + 1] = v[B8 + j];
    v[2 * j] = a;
  }
}

export function punpcklwd(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  for (let j = (bytes >> 2) - 1; j >= 0; j--) {
    const a = v[j];
    v[2 * j + 1] = v[B16 + j];
    v[2 * j] = a;
  }
}

export function punpckldq(x: SimdScratch, bytes: number): void {
  const v = x.u32;
  for (let j = (bytes >> 3) - 1; j >= 0; j--) {
    const a = v[j];
    v[2 * j + 1] = v[B32 + j];
    v[2 * j] = a;
  }
}

/** XMM only: A's low quadword stays, B's low quadword becomes the high one. */
export function punpcklqdq(x: SimdScratch): void {
  const v = x.u32;
  v[2] = v[B32];
  v[3] = v[B32 + 1];
}

export function punpckhbw(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  const h = bytes >> 1;
  for (let j = 0; j < h; j++) {
    const a = v[h + j];
    v[2 * j] = a;
    v[2 * j + 1] = v[B8 + h + j];
  }
}

export function punpckhwd(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const h = bytes >> 2;
  for (let j = 0; j < h; j++) {
    const a = v[h + j];
    v[2 * j] = a;
    v[2 * j + 1] = v[B16 + h + j];
  }
}

export function punpckhdq(x: SimdScratch, bytes: number): void {
  const v = x.u32;
  const h = bytes >> 3;
  for (let j = 0; j < h; j++) {
    const a = v[h + j];
    v[2 * j] = a;
    v[2 * j + 1] = v[B32 + h + j];
  }
}

/** XMM only: A's high quadword moves down, B's high quadword goes above it. */
export function punpckhqdq(x: SimdScratch): void {
  const v = x.u32;
  v[0] = v[2];
  v[1] = v[3];
  v[2] = v[B32 + 2];
  v[3] = v[B32 + 3];
}
