/**
 * Packed shifts: psllw/d/q, psrlw/d/q, psraw/d with the count either in B
 * (register or memory: the whole low quadword of B is the count, so a count
 * with any high bit set is "too large") or in the immediate (the 0F 71/72/73
 * group forms, where A is ModRM.rm and there is no B), and the whole-register
 * byte shifts psrldq/pslldq (66 0F 73 /3, /7).
 *
 * A count at or above the lane width clears the lane for the logical shifts
 * and fills it with the sign for the arithmetic ones; JS shift operators take
 * their count mod 32, so every function clamps or tests the count first.
 */
import { B32, type SimdScratch } from '../simd-scratch.js';

/** The count in B's low quadword, saturated to 64 (every count ≥ 64 acts alike on every lane width). */
function countFromB(x: SimdScratch): number {
  const lo = x.u32[B32];
  return x.u32[B32 + 1] !== 0 || lo > 64 ? 64 : lo;
}

/** Logical word shifts, left or right by c. */
function shiftWords(x: SimdScratch, bytes: number, c: number, left: boolean): void {
  const v = x.u16;
  const n = bytes >> 1;
  if (c > 15) for (let i = 0; i < n; i++) v[i] = 0;
  else if (left) for (let i = 0; i < n; i++) v[i] = v[i] << c;
  else for (let i = 0; i < n; i++) v[i] = v[i] >>> c;
}

/** Logical dword shifts, left or right by c. */
function shiftDwords(x: SimdScratch, bytes: number, c: number, left: boolean): void {
  const v = x.u32;
  const n = bytes >> 2;
  if (c > 31) for (let i = 0; i < n; i++) v[i] = 0;
  else if (left) for (let i = 0; i < n; i++) v[i] = v[i] << c;
  else for (let i = 0; i < n; i++) v[i] = v[i] >>> c;
}

function sraw(x: SimdScratch, bytes: number, c: number): void {
  const v = x.i16;
  const n = bytes >> 1;
  const s = c > 15 ? 15 : c;
  for (let i = 0; i < n; i++) v[i] = v[i] >> s;
}

function srad(x: SimdScratch, bytes: number, c: number): void {
  const v = x.i32;
  const n = bytes >> 2;
  const s = c > 31 ? 31 : c;
  for (let i = 0; i < n; i++) v[i] = v[i] >> s;
}

/** Logical quadword shifts on (low, high) dword pairs: a left shift is a right shift with the halves' roles swapped. */
function shiftQwords(x: SimdScratch, bytes: number, c: number, left: boolean): void {
  const v = x.u32;
  const n = bytes >> 2;
  if (c === 0) return;
  // `from` is the half whose bits cross into `to`, the half they move towards.
  const to = left ? 1 : 0;
  const from = 1 - to;
  for (let i = 0; i < n; i += 2) {
    if (c > 63) {
      v[i] = 0;
      v[i + 1] = 0;
    } else if (c >= 32) {
      v[i + to] = left ? v[i + from] << (c - 32) : v[i + from] >>> (c - 32);
      v[i + from] = 0;
    } else if (left) {
      v[i + 1] = (v[i + 1] << c) | (v[i] >>> (32 - c));
      v[i] = v[i] << c;
    } else {
      v[i] = (v[i] >>> c) | (v[i + 1] << (32 - c));
      v[i + 1] = v[i + 1] >>> c;
    }
  }
}

// Count from B (0F D1-D3, E1-E2, F1-F3 and their 66 forms).
export const psllw = (x: SimdScratch, bytes: number): void => shiftWords(x, bytes, countFromB(x), true);
export const psrlw = (x: SimdScratch, bytes: number): void => shiftWords(x, bytes, countFromB(x), false);
export const psraw = (x: SimdScratch, bytes: number): void => sraw(x, bytes, countFromB(x));
export const pslld = (x: SimdScratch, bytes: number): void => shiftDwords(x, bytes, countFromB(x), true);
export const psrld = (x: SimdScratch, bytes: number): void => shiftDwords(x, bytes, countFromB(x), false);
export const psrad = (x: SimdScratch, bytes: number): void => srad(x, bytes, countFromB(x));
export const psllq = (x: SimdScratch, bytes: number): void => shiftQwords(x, bytes, countFromB(x), true);
export const psrlq = (x: SimdScratch, bytes: number): void => shiftQwords(x, bytes, countFromB(x), false);

// Count in the immediate byte (0F 71/72/73 groups): 0..255, the helpers treat every count ≥ the width alike.
export const psllwImm = (x: SimdScratch, bytes: number, imm: number): void => shiftWords(x, bytes, imm, true);
export const psrlwImm = (x: SimdScratch, bytes: number, imm: number): void => shiftWords(x, bytes, imm, false);
export const psrawImm = sraw;
export const pslldImm = (x: SimdScratch, bytes: number, imm: number): void => shiftDwords(x, bytes, imm, true);
export const psrldImm = (x: SimdScratch, bytes: number, imm: number): void => shiftDwords(x, bytes, imm, false);
export const psradImm = srad;
export const psllqImm = (x: SimdScratch, bytes: number, imm: number): void => shiftQwords(x, bytes, imm, true);
export const psrlqImm = (x: SimdScratch, bytes: number, imm: number): void => shiftQwords(x, bytes, imm, false);

/** XMM shifted right by imm bytes (zeros shifted in; imm > 15 clears it). */
export function psrldq(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u8;
  for (let i = 0; i < 16; i++) v[i] = i + imm < 16 ? v[i + imm] : 0;
}

/** XMM shifted left by imm bytes. */
export function pslldq(x: SimdScratch, _bytes: number, imm: number): void {
  const v = x.u8;
  for (let i = 15; i >= 0; i--) v[i] = i >= imm ? v[i - imm] : 0;
}
