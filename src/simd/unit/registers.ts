/**
 * Moving operands between the registers and the scratch: XMM registers
 * (SimdState), MMX registers (the x87 physical registers' significands)
 * and general registers (through the CPU link), at a u32 offset of the
 * scratch (0 for A, B32 for B).
 *
 * MMX aliasing (SDM Vol. 1 §9.5): MMi is the 64-bit significand of the
 * physical register Ri whatever TOP and the tags say; writing MMi also sets
 * Ri's sign and exponent to all ones (so it reads as a NaN or infinity to
 * the x87). Every MMX instruction except emms then sets TOP to 0 and tags
 * all registers valid; emms tags them all empty.
 */
import { Reg } from '../simd-form.js';
import type { SimdUnit } from './simd-unit.js';

/** Operand bytes 8..15 of a 64-bit or 32-bit operand read as 0 (forms must not depend on them; zero keeps runs deterministic). */
export function loadRegister(u: SimdUnit, kind: Reg, n: number, at: number): void {
  const d = u.x.u32;
  if (kind === Reg.XMM) {
    const s = u.s.u32;
    const o = n << 2;
    d[at] = s[o]!;
    d[at + 1] = s[o + 1]!;
    d[at + 2] = s[o + 2]!;
    d[at + 3] = s[o + 3]!;
    return;
  }
  if (kind === Reg.MMX) {
    const r = u.x87.regs;
    d[at] = r[3 * n + 2]!;
    d[at + 1] = r[3 * n + 1]!;
  } else {
    d[at] = u.cpu.gpr(n);
    d[at + 1] = 0;
  }
  d[at + 2] = 0;
  d[at + 3] = 0;
}

/** Writes the whole register `n` of `kind` from the scratch at `at`. */
export function storeRegister(u: SimdUnit, kind: Reg, n: number, at: number): void {
  const d = u.x.u32;
  if (kind === Reg.XMM) {
    const s = u.s.u32;
    const o = n << 2;
    s[o] = d[at]!;
    s[o + 1] = d[at + 1]!;
    s[o + 2] = d[at + 2]!;
    s[o + 3] = d[at + 3]!;
  } else if (kind === Reg.MMX) {
    writeMmx(u, n, d[at]!, d[at + 1]!);
  } else {
    u.cpu.setGpr(n, d[at]!);
  }
}

export function writeMmx(u: SimdUnit, n: number, lo: number, hi: number): void {
  const r = u.x87.regs;
  r[3 * n] = 0xffff;
  r[3 * n + 1] = hi;
  r[3 * n + 2] = lo;
}

/** The x87 → MMX transition every MMX instruction but emms makes. */
export function enterMmxState(u: SimdUnit): void {
  const s = u.x87.s;
  s.top = 0;
  s.used = 0xff;
}

/** emms: every x87 register tagged empty (and TOP 0, as after any MMX instruction). */
export function emptyMmxState(u: SimdUnit): void {
  const s = u.x87.s;
  s.top = 0;
  s.used = 0;
}

/** Reads `n` bytes (1, 2, 4, 8 or 16) at `la` into the scratch at u32 offset `at`; the rest of the 16-byte operand reads 0. */
export function loadMemory(u: SimdUnit, la: number, n: number, at: number): void {
  const d = u.x.u32;
  const m = u.x87.mem;
  let i = 0;
  if (n >= 4) {
    for (; i < n >> 2; i++) d[at + i] = m.read32((la + 4 * i) | 0);
  } else {
    d[at] = n === 2 ? m.read16(la) : m.read8(la);
    i = 1;
  }
  for (; i < 4; i++) d[at + i] = 0;
}

/** Writes `n` bytes (a multiple of 4) from the scratch at u32 offset `at` to `la`; the caller has checked the whole range. */
export function storeMemory(u: SimdUnit, la: number, n: number, at: number): void {
  const d = u.x.u32;
  const m = u.x87.mem;
  for (let i = 0; i < n >> 2; i++) m.write32((la + 4 * i) | 0, d[at + i]!);
}
