/**
 * ModRM/SIB memory addressing as lookup tables, for the decoder's hot path.
 *
 * The IA-32 rules (Intel SDM vol. 2, tables 2-1 … 2-3) are regular but
 * branchy: rm = 4 means a SIB byte, mod = 0 with rm = 5 (or SIB base = 5)
 * means disp32 and no base, ebp/esp bases default to SS, 16-bit forms pair
 * bx/bp with si/di. decode.ts replaces those branches with one load per
 * byte from the tables below, computed once at module load from the same
 * rules, so a mispredicted branch per rule becomes a table load.
 *
 * Entry layout (one int per ModRM byte with mod != 3, or per SIB byte):
 *   bits 0-3  base register + 1 (0 = none)
 *   bits 4-7  index register + 1 (0 = none)
 *   bits 8-9  log2(scale)
 *   bits 12-15 displacement bytes (0, 1, 2, 4)
 *   bit 16    the default segment is SS (base is esp/ebp, bp)
 *   bit 17    a SIB byte follows (32-bit addressing, rm = 4)
 */

import type { MemOperand, OperandSize } from './insn.js';

export const A_SS = 1 << 16;
export const A_SIB = 1 << 17;

/** An address word (the layout above). */
export function addressWord(base: number, index: number, scaleLog: number, disp: number, ss: boolean, sib: boolean): number {
  return (base + 1) | ((index + 1) << 4) | (scaleLog << 8) | (disp << 12) | (ss ? A_SS : 0) | (sib ? A_SIB : 0);
}

/** 32-bit addressing, indexed by the ModRM byte (mod != 3). With A_SIB, base/index come from SIB32. */
export const MODRM32 = new Int32Array(192);
/** 16-bit addressing, indexed by the ModRM byte (mod != 3). */
export const MODRM16 = new Int32Array(192);
/** SIB byte | (mod = 0 ? 256 : 0): base, index, scale, and disp32 when base = 5 under mod 0. */
export const SIB32 = new Int32Array(512);

for (let m = 0; m < 192; m++) {
  const mod = m >> 6;
  const rm = m & 7;
  const modDisp32 = mod === 1 ? 1 : mod === 2 ? 4 : 0;
  if (rm === 4) MODRM32[m] = addressWord(-1, -1, 0, modDisp32, false, true);
  else if (rm === 5 && mod === 0) MODRM32[m] = addressWord(-1, -1, 0, 4, false, false);
  else MODRM32[m] = addressWord(rm, -1, 0, modDisp32, rm === 5, false);
  const modDisp16 = mod === 1 ? 1 : mod === 2 ? 2 : 0;
  if (mod === 0 && rm === 6) MODRM16[m] = addressWord(-1, -1, 0, 2, false, false);
  else {
    // bx+si, bx+di, bp+si, bp+di, si, di, bp, bx
    const base = rm < 4 ? (rm < 2 ? 3 : 5) : rm === 4 ? 6 : rm === 5 ? 7 : rm === 6 ? 5 : 3;
    const index = rm < 4 ? ((rm & 1) === 0 ? 6 : 7) : -1;
    MODRM16[m] = addressWord(base, index, 0, modDisp16, base === 5, false);
  }
}
for (let k = 0; k < 512; k++) {
  const sib = k & 255;
  const mod0 = k >= 256;
  let base = sib & 7;
  const index = (sib >> 3) & 7;
  let disp = 0;
  if (base === 5 && mod0) {
    base = -1;
    disp = 4;
  }
  SIB32[k] = addressWord(base, index === 4 ? -1 : index, sib >> 6, disp, base === 4 || base === 5, false);
}

/**
 * The entry for a 32-bit ModRM byte (mod != 3) with its SIB byte resolved:
 * `next` is the byte after the ModRM, used only when the entry has A_SIB
 * (which stays set, so the caller knows to consume it). Callers guarantee
 * that byte is readable (decode.ts reads within a padded span).
 */
export function address32(modrm: number, next: number): number {
  const a = MODRM32[modrm]!;
  return (a & A_SIB) === 0 ? a : (a & (0xf000 | A_SIB)) | SIB32[next | (modrm < 0x40 ? 256 : 0)]!;
}

/** The displacement of `size` bytes (0, 1, 2 or 4) at buf[p], sign-extended to an int32. */
export function displacement(buf: Uint8Array, p: number, size: number): number {
  if (size === 1) return (buf[p]! << 24) >> 24;
  if (size === 4) return buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
  if (size === 2) return ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
  return 0;
}

const SEG_SS = 2;
const SEG_DS = 3;

/** The segment an address word uses when no prefix overrides it. */
export function defaultSegment(a: number): number {
  return (a & A_SS) !== 0 ? SEG_SS : SEG_DS;
}

/**
 * The memory operand for address word `a` and displacement `disp`, through
 * segment `seg` (`segOverride`: a prefix chose it). Every memory operand the
 * decoder makes comes from here, so they all share one object shape.
 */
export function memOperand(
  size: OperandSize, a: number, disp: number, seg: number, segOverride: boolean, addrSize: 2 | 4, moffs: boolean,
): MemOperand {
  return {
    kind: 'mem', size, seg, segOverride, base: (a & 15) - 1, index: ((a >> 4) & 15) - 1, scale: (1 << ((a >> 8) & 3)) as 1 | 2 | 4 | 8,
    disp, addrSize, moffs,
  };
}
