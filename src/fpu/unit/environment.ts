/**
 * The FPU's state images in guest memory: the environment (fnstenv/fldenv)
 * and the full save (fnsave/frstor) in their 16- and 32-bit protected-mode
 * formats (SDM Vol. 1 §8.1.10, figures 8-9 to 8-12), and the x87 part of
 * the FXSAVE image (SDM Vol. 1 §10.5.1, table 10-2).
 *
 * Stores check the whole image is writable first and loads read the whole
 * image before changing anything, so a fault in the middle of a 108- or
 * 512-byte image leaves both the FPU and memory as they were.
 *
 * Measured on the host (AMD): the 32-bit environment's reserved upper
 * halves of FCW, FSW, FTW and FDS are stored as 0xFFFF; FOP sits in bits
 * 26..16 of the FCS dword.
 */
import { ES } from '../float80.js';
import {
  fcwFromLoad, fninitState, fsw, recomputeErrorSummary, setFsw, setTagWord, tagWord,
} from '../fpu-state.js';
import type { X87Unit } from './x87-unit.js';

/** Bytes in the environment image for operand size 16/32, and in the save image. */
export const ENV_BYTES_16 = 14;
export const ENV_BYTES_32 = 28;
export const SAVE_BYTES_16 = 94;
export const SAVE_BYTES_32 = 108;
export const FXSAVE_BYTES = 512;

function storeEnvironment(u: X87Unit, la: number, o32: boolean): void {
  const s = u.s;
  const m = u.mem;
  if (o32) {
    m.write32(la, (s.fcw | 0xffff0000) >>> 0);
    m.write32((la + 4) | 0, (fsw(s) | 0xffff0000) >>> 0);
    m.write32((la + 8) | 0, (tagWord(s) | 0xffff0000) >>> 0);
    m.write32((la + 12) | 0, s.fip >>> 0);
    m.write32((la + 16) | 0, ((s.fcs & 0xffff) | ((s.fop & 0x7ff) << 16)) >>> 0);
    m.write32((la + 20) | 0, s.fdp >>> 0);
    m.write32((la + 24) | 0, ((s.fds & 0xffff) | 0xffff0000) >>> 0);
  } else {
    m.write16(la, s.fcw);
    m.write16((la + 2) | 0, fsw(s));
    m.write16((la + 4) | 0, tagWord(s));
    m.write16((la + 6) | 0, s.fip & 0xffff);
    m.write16((la + 8) | 0, s.fcs & 0xffff);
    m.write16((la + 10) | 0, s.fdp & 0xffff);
    m.write16((la + 12) | 0, s.fds & 0xffff);
  }
}

/** fnstenv: stores the environment, then masks every exception (SDM: FNSTENV leaves FCW = old | 3FH). */
export function fnstenv(u: X87Unit, la: number, o32: boolean): void {
  u.mem.checkWrite(la, o32 ? ENV_BYTES_32 : ENV_BYTES_16);
  storeEnvironment(u, la, o32);
  u.s.fcw |= 0x3f;
  // Everything masked now: ES and B clear (measured).
  recomputeErrorSummary(u.s);
}

/** fnsave: environment, the eight registers in ST order, then FNINIT. */
export function fnsave(u: X87Unit, la: number, o32: boolean): void {
  const env = o32 ? ENV_BYTES_32 : ENV_BYTES_16;
  u.mem.checkWrite(la, env + 80);
  storeEnvironment(u, la, o32);
  for (let i = 0; i < 8; i++) storeRegister(u, (la + env + 10 * i) | 0, 3 * ((u.s.top + i) & 7));
  fninitState(u.s);
}

function storeRegister(u: X87Unit, la: number, o: number): void {
  const r = u.regs;
  u.mem.write32(la, r[o + 2]!);
  u.mem.write32((la + 4) | 0, r[o + 1]!);
  u.mem.write16((la + 8) | 0, r[o]!);
}

/** Reads `n` bytes at `la` into u.image (all reads before any state changes). */
function readImage(u: X87Unit, la: number, n: number): void {
  const b = u.image;
  const m = u.mem;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = m.read32((la + i) | 0);
    b[i] = v;
    b[i + 1] = v >>> 8;
    b[i + 2] = v >>> 16;
    b[i + 3] = v >>> 24;
  }
  if (i < n) {
    const v = m.read16((la + i) | 0);
    b[i] = v;
    b[i + 1] = v >>> 8;
  }
}

function image16(u: X87Unit, at: number): number {
  return u.image[at]! | (u.image[at + 1]! << 8);
}

function image32(u: X87Unit, at: number): number {
  return (image16(u, at) | (image16(u, at + 2) << 16)) >>> 0;
}

/** Applies an environment already read into u.image. */
function loadEnvironment(u: X87Unit, o32: boolean): void {
  const s = u.s;
  const was = s.sw & ES;
  if (o32) {
    s.fcw = fcwFromLoad(image16(u, 0));
    setFsw(s, image16(u, 4));
    setTagWord(s, image16(u, 8));
    s.fip = image32(u, 12);
    s.fcs = image16(u, 16);
    s.fop = image16(u, 18) & 0x7ff;
    s.fdp = image32(u, 20);
    s.fds = image16(u, 24);
  } else {
    s.fcw = fcwFromLoad(image16(u, 0));
    setFsw(s, image16(u, 2));
    setTagWord(s, image16(u, 4));
    s.fip = image16(u, 6);
    s.fcs = image16(u, 8);
    s.fop = 0;
    s.fdp = image16(u, 10);
    s.fds = image16(u, 12);
  }
  recomputeErrorSummary(s);
  if (was === 0 && (s.sw & ES) !== 0) u.errorRaised = true;
}

export function fldenv(u: X87Unit, la: number, o32: boolean): void {
  readImage(u, la, o32 ? ENV_BYTES_32 : ENV_BYTES_16);
  loadEnvironment(u, o32);
}

/** frstor: the registers in the image are ST(0)..ST(7) relative to the TOP the image's FSW holds. */
export function frstor(u: X87Unit, la: number, o32: boolean): void {
  const env = o32 ? ENV_BYTES_32 : ENV_BYTES_16;
  readImage(u, la, env + 80);
  loadEnvironment(u, o32);
  for (let i = 0; i < 8; i++) loadRegister(u, env + 10 * i, 3 * ((u.s.top + i) & 7));
}

function loadRegister(u: X87Unit, at: number, o: number): void {
  const r = u.regs;
  r[o + 2] = image32(u, at);
  r[o + 1] = image32(u, at + 4);
  r[o] = image16(u, at + 8);
}

/**
 * The x87 part of FXSAVE (32-bit form, no REX.W): bytes 0..23 and the
 * register area 32..159 (ST(i) in 16-byte slots, the upper 6 bytes zero).
 * Checks the whole 512-byte image first; MXCSR (24..31) and the XMM area
 * belong to the SSE state and are the caller's to write after this
 * returns. The caller also raises #GP(0) for an image not 16-byte aligned.
 */
export function fxsaveX87(u: X87Unit, la: number): void {
  const s = u.s;
  const m = u.mem;
  m.checkWrite(la, FXSAVE_BYTES);
  const pointers = !u.fxsavePointersOnlyWhenPending || (s.sw & ES) !== 0;
  m.write32(la, (s.fcw | (fsw(s) << 16)) >>> 0);
  m.write32((la + 4) | 0, (s.used | (pointers ? (s.fop & 0x7ff) << 16 : 0)) >>> 0);
  m.write32((la + 8) | 0, pointers ? s.fip >>> 0 : 0);
  m.write32((la + 12) | 0, pointers ? s.fcs & 0xffff : 0);
  m.write32((la + 16) | 0, pointers ? s.fdp >>> 0 : 0);
  m.write32((la + 20) | 0, pointers ? s.fds & 0xffff : 0);
  for (let i = 0; i < 8; i++) {
    const at = (la + 32 + 16 * i) | 0;
    storeRegister(u, at, 3 * ((s.top + i) & 7));
    m.write16((at + 10) | 0, 0);
    m.write32((at + 12) | 0, 0);
  }
}

/**
 * The x87 part of FXRSTOR. The whole 512-byte image is read first (so a
 * fault anywhere in it comes before any change) and stays in u.image for
 * the caller's SSE part. The caller checks alignment and MXCSR's reserved
 * bits (#GP) before calling.
 */
export function fxrstorX87(u: X87Unit, la: number): void {
  readImage(u, la, FXSAVE_BYTES);
  const s = u.s;
  const was = s.sw & ES;
  s.fcw = fcwFromLoad(image16(u, 0));
  setFsw(s, image16(u, 2));
  s.used = u.image[4]!;
  s.fop = image16(u, 6) & 0x7ff;
  s.fip = image32(u, 8);
  s.fcs = image16(u, 12);
  s.fdp = image32(u, 16);
  s.fds = image16(u, 20);
  for (let i = 0; i < 8; i++) loadRegister(u, 32 + 16 * i, 3 * ((s.top + i) & 7));
  recomputeErrorSummary(s);
  if (was === 0 && (s.sw & ES) !== 0) u.errorRaised = true;
}
