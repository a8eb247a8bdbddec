/**
 * The integer and bit-shuffling SIMD forms (MMX and SSE2 packed integers,
 * the SSE/SSE2 bitwise logic, shuffles, unpacks and mask moves): their
 * table rows, one per encoding (SDM Vol. 2 opcode tables).
 *
 * Most packed-integer instructions exist twice with the same opcode: on MMX
 * registers with no prefix (64-bit operands, unaligned memory) and on XMM
 * registers with the 66 prefix (SSE2, 128-bit operands, 16-byte aligned
 * memory). `pair` makes both rows from one line; the computation is the same
 * function, told the width through `bytes`. The feature of the MMX row is
 * 'mmx' for the original MMX set, 'sse' for the integer instructions SSE
 * added on MMX registers, and 'sse2' for paddq/psubq/pmuludq.
 *
 * test/simd/integer-encodings.test.ts checks every row's bytes against nasm
 * and objdump; the shared differential test (test/simd/forms-differential)
 * checks every row's values against the host CPU.
 */
import { Prefix, Reg, simdRow, type SimdForm, type SimdRowFields } from '../simd-form.js';
import type { SimdRun } from '../simd-scratch.js';
import * as addSub from './add-sub.js';
import * as avg from './average-minmax.js';
import * as cmp from './compare.js';
import * as logic from './logic.js';
import * as masks from './masks.js';
import * as mul from './multiply.js';
import * as pack from './pack-unpack.js';
import * as shift from './shifts.js';
import * as shuf from './shuffles.js';

type RowOptions = SimdRowFields;

/** Integer rows: the packed forms' memory operands are aligned unless said otherwise. */
function row(mnemonic: string, opcode: number, feature: string, run: SimdRun, o: RowOptions): SimdForm {
  return simdRow(mnemonic, opcode, feature, { aligned: true, ...o, run });
}

const MMX: RowOptions = { a: Reg.MMX, b: Reg.MMX, memBytes: 8, aligned: false };
const XMM66: RowOptions = { prefix: Prefix.P66 };

/** The MMX row (feature `mmxFeature`) and the 66-prefixed SSE2 XMM row of one opcode. */
function pair(mnemonic: string, opcode: number, run: SimdRun, mmxFeature = 'mmx'): SimdForm[] {
  return [row(mnemonic, opcode, mmxFeature, run, MMX), row(mnemonic, opcode, 'sse2', run, XMM66)];
}

/** The MMX low unpacks read only the low half of B, so their memory operand is m32 (SDM: "mm, mm/m32"). */
function lowUnpackPair(mnemonic: string, opcode: number, run: SimdRun): SimdForm[] {
  return [row(mnemonic, opcode, 'mmx', run, { ...MMX, memBytes: 4 }), row(mnemonic, opcode, 'sse2', run, XMM66)];
}

/** A shift group row: A is ModRM.rm, no B, the count is the immediate. */
function shiftImm(mnemonic: string, opcode: number, reg: number, run: SimdRun, xmm: boolean): SimdForm {
  const a = xmm ? Reg.XMM : Reg.MMX;
  return row(mnemonic, opcode, xmm ? 'sse2' : 'mmx', run, {
    prefix: xmm ? Prefix.P66 : Prefix.NONE, reg, a, b: Reg.NONE, memBytes: 0, aligned: false, imm: true,
  });
}

const shiftImmPair = (mnemonic: string, opcode: number, reg: number, run: SimdRun): SimdForm[] => [
  shiftImm(mnemonic, opcode, reg, run, false),
  shiftImm(mnemonic, opcode, reg, run, true),
];

/** A GPR destination from an MMX or XMM register, register form only. */
function toGpr(mnemonic: string, prefix: Prefix, opcode: number, feature: string, b: Reg, run: SimdRun, imm = false): SimdForm {
  return row(mnemonic, opcode, feature, run, { prefix, a: Reg.GPR, b, memBytes: 0, aligned: false, imm });
}

export const FORMS: readonly SimdForm[] = [
  // Wrapping and saturating add/subtract.
  ...pair('paddb', 0xfc, addSub.paddb),
  ...pair('paddw', 0xfd, addSub.paddw),
  ...pair('paddd', 0xfe, addSub.paddd),
  ...pair('paddq', 0xd4, addSub.paddq, 'sse2'),
  ...pair('paddsb', 0xec, addSub.paddsb),
  ...pair('paddsw', 0xed, addSub.paddsw),
  ...pair('paddusb', 0xdc, addSub.paddusb),
  ...pair('paddusw', 0xdd, addSub.paddusw),
  ...pair('psubb', 0xf8, addSub.psubb),
  ...pair('psubw', 0xf9, addSub.psubw),
  ...pair('psubd', 0xfa, addSub.psubd),
  ...pair('psubq', 0xfb, addSub.psubq, 'sse2'),
  ...pair('psubsb', 0xe8, addSub.psubsb),
  ...pair('psubsw', 0xe9, addSub.psubsw),
  ...pair('psubusb', 0xd8, addSub.psubusb),
  ...pair('psubusw', 0xd9, addSub.psubusw),

  // Multiplies.
  ...pair('pmullw', 0xd5, mul.pmullw),
  ...pair('pmulhw', 0xe5, mul.pmulhw),
  ...pair('pmulhuw', 0xe4, mul.pmulhuw, 'sse'),
  ...pair('pmuludq', 0xf4, mul.pmuludq, 'sse2'),
  ...pair('pmaddwd', 0xf5, mul.pmaddwd),

  // Averages, minima, maxima, sum of absolute differences (SSE on MMX registers).
  ...pair('psadbw', 0xf6, avg.psadbw, 'sse'),
  ...pair('pavgb', 0xe0, avg.pavgb, 'sse'),
  ...pair('pavgw', 0xe3, avg.pavgw, 'sse'),
  ...pair('pminub', 0xda, avg.pminub, 'sse'),
  ...pair('pmaxub', 0xde, avg.pmaxub, 'sse'),
  ...pair('pminsw', 0xea, avg.pminsw, 'sse'),
  ...pair('pmaxsw', 0xee, avg.pmaxsw, 'sse'),

  // Compares.
  ...pair('pcmpeqb', 0x74, cmp.pcmpeqb),
  ...pair('pcmpeqw', 0x75, cmp.pcmpeqw),
  ...pair('pcmpeqd', 0x76, cmp.pcmpeqd),
  ...pair('pcmpgtb', 0x64, cmp.pcmpgtb),
  ...pair('pcmpgtw', 0x65, cmp.pcmpgtw),
  ...pair('pcmpgtd', 0x66, cmp.pcmpgtd),

  // Packs and unpacks.
  ...pair('packsswb', 0x63, pack.packsswb),
  ...pair('packssdw', 0x6b, pack.packssdw),
  ...pair('packuswb', 0x67, pack.packuswb),
  ...lowUnpackPair('punpcklbw', 0x60, pack.punpcklbw),
  ...lowUnpackPair('punpcklwd', 0x61, pack.punpcklwd),
  ...lowUnpackPair('punpckldq', 0x62, pack.punpckldq),
  ...pair('punpckhbw', 0x68, pack.punpckhbw),
  ...pair('punpckhwd', 0x69, pack.punpckhwd),
  ...pair('punpckhdq', 0x6a, pack.punpckhdq),
  row('punpcklqdq', 0x6c, 'sse2', pack.punpcklqdq, XMM66),
  row('punpckhqdq', 0x6d, 'sse2', pack.punpckhqdq, XMM66),

  // Logic.
  ...pair('pand', 0xdb, logic.pand),
  ...pair('pandn', 0xdf, logic.pandn),
  ...pair('por', 0xeb, logic.por),
  ...pair('pxor', 0xef, logic.pxor),

  // Shifts by B's low quadword.
  ...pair('psllw', 0xf1, shift.psllw),
  ...pair('pslld', 0xf2, shift.pslld),
  ...pair('psllq', 0xf3, shift.psllq),
  ...pair('psrlw', 0xd1, shift.psrlw),
  ...pair('psrld', 0xd2, shift.psrld),
  ...pair('psrlq', 0xd3, shift.psrlq),
  ...pair('psraw', 0xe1, shift.psraw),
  ...pair('psrad', 0xe2, shift.psrad),

  // Shifts by the immediate: groups 12 (0F 71), 13 (0F 72), 14 (0F 73).
  ...shiftImmPair('psrlw', 0x71, 2, shift.psrlwImm),
  ...shiftImmPair('psraw', 0x71, 4, shift.psrawImm),
  ...shiftImmPair('psllw', 0x71, 6, shift.psllwImm),
  ...shiftImmPair('psrld', 0x72, 2, shift.psrldImm),
  ...shiftImmPair('psrad', 0x72, 4, shift.psradImm),
  ...shiftImmPair('pslld', 0x72, 6, shift.pslldImm),
  ...shiftImmPair('psrlq', 0x73, 2, shift.psrlqImm),
  ...shiftImmPair('psllq', 0x73, 6, shift.psllqImm),
  shiftImm('psrldq', 0x73, 3, shift.psrldq, true),
  shiftImm('pslldq', 0x73, 7, shift.pslldq, true),

  // Shuffles, word insert/extract, byte mask.
  row('pshufw', 0x70, 'sse', shuf.pshufw, { ...MMX, imm: true }),
  row('pshufd', 0x70, 'sse2', shuf.pshufd, { ...XMM66, imm: true }),
  row('pshufhw', 0x70, 'sse2', shuf.pshufhw, { prefix: Prefix.PF3, imm: true }),
  row('pshuflw', 0x70, 'sse2', shuf.pshuflw, { prefix: Prefix.PF2, imm: true }),
  row('pinsrw', 0xc4, 'sse', shuf.pinsrw, { a: Reg.MMX, b: Reg.GPR, memBytes: 2, aligned: false, imm: true }),
  row('pinsrw', 0xc4, 'sse2', shuf.pinsrw, { prefix: Prefix.P66, b: Reg.GPR, memBytes: 2, aligned: false, imm: true }),
  toGpr('pextrw', Prefix.NONE, 0xc5, 'sse', Reg.MMX, shuf.pextrwMmx, true),
  toGpr('pextrw', Prefix.P66, 0xc5, 'sse2', Reg.XMM, shuf.pextrwXmm, true),
  toGpr('pmovmskb', Prefix.NONE, 0xd7, 'sse', Reg.MMX, masks.pmovmskbMmx),
  toGpr('pmovmskb', Prefix.P66, 0xd7, 'sse2', Reg.XMM, masks.pmovmskbXmm),

  // Float-typed forms that only move bits: logic, shuffles, unpacks, sign masks.
  row('andps', 0x54, 'sse', logic.pand, {}),
  row('andnps', 0x55, 'sse', logic.pandn, {}),
  row('orps', 0x56, 'sse', logic.por, {}),
  row('xorps', 0x57, 'sse', logic.pxor, {}),
  row('andpd', 0x54, 'sse2', logic.pand, XMM66),
  row('andnpd', 0x55, 'sse2', logic.pandn, XMM66),
  row('orpd', 0x56, 'sse2', logic.por, XMM66),
  row('xorpd', 0x57, 'sse2', logic.pxor, XMM66),
  row('shufps', 0xc6, 'sse', shuf.shufps, { imm: true }),
  row('shufpd', 0xc6, 'sse2', shuf.shufpd, { ...XMM66, imm: true }),
  row('unpcklps', 0x14, 'sse', pack.punpckldq, {}),
  row('unpckhps', 0x15, 'sse', pack.punpckhdq, {}),
  row('unpcklpd', 0x14, 'sse2', pack.punpcklqdq, XMM66),
  row('unpckhpd', 0x15, 'sse2', pack.punpckhqdq, XMM66),
  toGpr('movmskps', Prefix.NONE, 0x50, 'sse', Reg.XMM, masks.movmskps),
  toGpr('movmskpd', Prefix.P66, 0x50, 'sse2', Reg.XMM, masks.movmskpd),
];
