/**
 * Packed integer addition and subtraction: the wrapping forms (paddb…paddq,
 * psubb…psubq) and the saturating ones (paddsb/sw, paddusb/usw, psubsb/sw,
 * psubusb/usw), for MMX (bytes = 8) and XMM (bytes = 16) alike.
 *
 * Each is one straight loop over the lanes of A and B in the scratch
 * (src/simd/simd-scratch.ts). The typed views do the wrapping: storing into
 * a Uint8Array/Uint16Array keeps the low bits, so only the saturating forms
 * clamp explicitly.
 */
import { B16, B32, B8, type SimdScratch } from '../simd-scratch.js';

export function paddb(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  for (let i = 0; i < bytes; i++) v[i] = v[i] + v[B8 + i];
}

export function paddw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) v[i] = v[i] + v[B16 + i];
}

export function paddd(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = (v[i] + v[B32 + i]) | 0;
}

/** 64-bit lanes as (low, high) dword pairs: the carry out of the low dword goes into the high one. */
export function paddq(x: SimdScratch, bytes: number): void {
  const v = x.u32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i += 2) {
    const lo = v[i] + v[B32 + i];
    v[i] = lo;
    v[i + 1] = v[i + 1] + v[B32 + i + 1] + (lo > 0xffffffff ? 1 : 0);
  }
}

export function psubb(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  for (let i = 0; i < bytes; i++) v[i] = v[i] - v[B8 + i];
}

export function psubw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) v[i] = v[i] - v[B16 + i];
}

export function psubd(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = (v[i] - v[B32 + i]) | 0;
}

export function psubq(x: SimdScratch, bytes: number): void {
  const v = x.u32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i += 2) {
    const lo = v[i] - v[B32 + i];
    v[i] = lo;
    v[i + 1] = v[i + 1] - v[B32 + i + 1] - (lo < 0 ? 1 : 0);
  }
}

export function paddsb(x: SimdScratch, bytes: number): void {
  const v = x.i8;
  for (let i = 0; i < bytes; i++) {
    const s = v[i] + v[B8 + i];
    v[i] = s > 127 ? 127 : s < -128 ? -128 : s;
  }
}

export function paddsw(x: SimdScratch, bytes: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const s = v[i] + v[B16 + i];
    v[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
}

export function paddusb(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  for (let i = 0; i < bytes; i++) {
    v[i] = Math.min(v[i] + v[B8 + i], 0xff);
  }
}

export function paddusw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const s = v[i] + v[B16 + i];
    v[i] = s > 0xffff ? 0xffff : s;
  }
}

export function psubsb(x: SimdScratch, bytes: number): void {
  const v = x.i8;
  for (let i = 0; i < bytes; i++) {
    const s = v[i] - v[B8 + i];
    v[i] = s > 127 ? 127 : s < -128 ? -128 : s;
  }
}

export function psubsw(x: SimdScratch, bytes: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const s = v[i] - v[B16 + i];
    v[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
}

export function psubusb(x: SimdScratch, bytes: number): void {
  const v = x.u8;
  for (let i = 0; i < bytes; i++) {
    v[i] = Math.max(v[i] - v[B8 + i], 0);
  }
}

export function psubusw(x: SimdScratch, bytes: number): void {
  const v = x.u16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const s = v[i] - v[B16 + i];
    v[i] = s < 0 ? 0 : s;
  }
}
