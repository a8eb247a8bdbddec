/**
 * The forms the unit runs by kind (moves/move-form.ts): stores from
 * ModRM.reg to ModRM.rm, the byte-masked stores, MXCSR loads and stores,
 * fxsave/fxrstor and emms.
 *
 * MXCSR_MASK: the host (AMD EPYC) stores 0x2FFFF (bit 17, MM, is AMD's
 * misaligned-SSE mask); btvm's qemu32 model is an Intel CPU without it and
 * stores 0xFFFF, as QEMU does.
 *
 * Precise faults: every check (alignment, reserved MXCSR bits) and every
 * memory read, and `checkWrite` of the whole range a store touches, come
 * before the first change of any state, so a #GP or #PF leaves registers
 * and memory as they were.
 *
 * FXSAVE image (SDM Vol. 1 §10.5.1, table 10-2): the x87 part is the x87
 * unit's (fpu/unit/environment.ts), MXCSR at byte 24, MXCSR_MASK at 28,
 * XMM0–7 at 160–287; bytes 288–511 are left as they were.
 */
import { fxrstorX87, fxsaveX87 } from '../../fpu/unit/environment.js';
import { B32, B8 } from '../simd-scratch.js';
import { Reg, type SimdForm } from '../simd-form.js';
import { Special, type MoveForm } from '../moves/move-form.js';
import { emptyMmxState, loadRegister, storeMemory, writeMmx } from './registers.js';
import { MXCSR_WRITABLE } from './simd-state.js';
import { SIMD_GP, SIMD_OK, type SimdUnit } from './simd-unit.js';

const FX_MXCSR = 24, FX_MXCSR_MASK = 28, FX_XMM = 160;

export function runSpecial(u: SimdUnit, f: SimdForm, kind: number, modrm: number, la: number): number {
  switch (kind) {
    case Special.STORE: return store(u, f as MoveForm, modrm, la);
    case Special.MASKMOV: return maskmov(u, f, modrm, la);
    case Special.LDMXCSR: {
      const v = u.x87.mem.read32(la);
      if ((v & ~MXCSR_WRITABLE) !== 0) return SIMD_GP;
      u.s.mxcsr = v;
      return SIMD_OK;
    }
    case Special.STMXCSR:
      u.x87.mem.checkWrite(la, 4);
      u.x87.mem.write32(la, u.s.mxcsr);
      return SIMD_OK;
    case Special.FXSAVE: return fxsave(u, la);
    case Special.FXRSTOR: return fxrstor(u, la);
    case Special.EMMS:
      emptyMmxState(u);
      return SIMD_OK;
    default:
      throw new Error(`SIMD unit: form ${f.mnemonic} has unknown special kind ${kind}`);
  }
}

function store(u: SimdUnit, f: MoveForm, modrm: number, la: number): number {
  loadRegister(u, f.a, (modrm >> 3) & 7, 0);
  const n = f.memBytes;
  const from = f.sourceOffset >> 2;
  if (modrm < 0xc0) {
    if (f.aligned && (la & 15) !== 0) return SIMD_GP;
    u.x87.mem.checkWrite(la, n);
    storeMemory(u, la, n, from);
    return SIMD_OK;
  }
  const rm = modrm & 7;
  const d = u.x.u32;
  if (f.b === Reg.XMM) {
    const s = u.s.u32;
    const o = rm << 2;
    for (let i = 0; i < n >> 2; i++) s[o + i] = d[from + i]!;
    if (f.zeroUpper) for (let i = n >> 2; i < 4; i++) s[o + i] = 0;
  } else if (f.b === Reg.MMX) {
    writeMmx(u, rm, d[from]!, d[from + 1]!);
  } else {
    u.cpu.setGpr(rm, d[from]!);
  }
  return SIMD_OK;
}

/** maskmovq/maskmovdqu: `la` is DS:(E)DI's linear address, checked by the lifter against DS's limit. */
function maskmov(u: SimdUnit, f: SimdForm, modrm: number, la: number): number {
  const bytes = f.a === Reg.XMM ? 16 : 8;
  loadRegister(u, f.a, (modrm >> 3) & 7, 0);
  loadRegister(u, f.b, modrm & 7, B32);
  const b = u.x.u8;
  const m = u.x87.mem;
  // The whole destination is checked first, whatever the mask: the host CPU (AMD EPYC) faults on an
  // unwritable page even for a mask of zeros, and writes no byte when any part faults (the SDM
  // leaves this implementation dependent; QEMU stores byte by byte).
  m.checkWrite(la, bytes);
  for (let i = 0; i < bytes; i++) if ((b[B8 + i]! & 0x80) !== 0) m.write8((la + i) | 0, b[i]!);
  return SIMD_OK;
}

function fxsave(u: SimdUnit, la: number): number {
  if ((la & 15) !== 0) return SIMD_GP;
  fxsaveX87(u.x87, la);
  if (!u.osfxsr) return SIMD_OK;
  const m = u.x87.mem;
  m.write32((la + FX_MXCSR) | 0, u.s.mxcsr);
  m.write32((la + FX_MXCSR_MASK) | 0, MXCSR_WRITABLE);
  const x = u.s.u32;
  for (let i = 0; i < 32; i++) m.write32((la + FX_XMM + 4 * i) | 0, x[i]!);
  return SIMD_OK;
}

function fxrstor(u: SimdUnit, la: number): number {
  if ((la & 15) !== 0) return SIMD_GP;
  if (u.osfxsr && (u.x87.mem.read32((la + FX_MXCSR) | 0) & ~MXCSR_WRITABLE) !== 0) return SIMD_GP;
  fxrstorX87(u.x87, la);
  if (!u.osfxsr) return SIMD_OK;
  const img = u.x87.image;
  const at = (i: number): number => (img[i]! | (img[i + 1]! << 8) | (img[i + 2]! << 16) | (img[i + 3]! << 24)) >>> 0;
  u.s.mxcsr = at(FX_MXCSR);
  const x = u.s.u32;
  for (let i = 0; i < 32; i++) x[i] = at(FX_XMM + 4 * i);
  return SIMD_OK;
}
