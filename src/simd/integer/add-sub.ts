/**
 * Packed integer addition and subtraction: the wrapping forms (paddb…paddq,
 * psubb…psubq) and the saturating ones (paddsb/sw, paddusb/usw, psubsb/sw,
 * psubusb/usw), for MMX (bytes = 8) and XMM (bytes = 16) alike.
 *
 * Each is one straight loop over the lanes of A and B in the scratch
 * (src/simd/simd-scratch.ts). The typed views do the wrapping: storing into
 * a Uint16Array keeps the low bits, so only the saturating forms clamp
 * explicitly. The byte forms, common in string code, work on four bytes per
 * 32-bit step (swar.ts).
 */
import { B16, B32, type SimdScratch } from '../simd-scratch.js';
import { addBytes, addBytesSigned, bytesAtLeast, subBytes, subBytesSigned } from './swar.js';

export function paddb(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = addBytes(v[i], v[B32 + i]);
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
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = subBytes(v[i], v[B32 + i]);
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
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = addBytesSigned(v[i], v[B32 + i]);
}

export function paddsw(x: SimdScratch, bytes: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  for (let i = 0; i < n; i++) {
    const s = v[i] + v[B16 + i];
    v[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
}

/** A byte sum wrapped exactly where it came out below the addend; those bytes saturate. */
export function paddusb(x: SimdScratch, bytes: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) {
    const a = v[i];
    const s = addBytes(a, v[B32 + i]);
    v[i] = s | ~bytesAtLeast(s, a);
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
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) v[i] = subBytesSigned(v[i], v[B32 + i]);
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
  const v = x.i32;
  const n = bytes >> 2;
  for (let i = 0; i < n; i++) {
    const a = v[i];
    const b = v[B32 + i];
    v[i] = subBytes(a, b) & bytesAtLeast(a, b);
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
