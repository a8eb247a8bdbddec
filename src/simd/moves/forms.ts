/**
 * The SIMD data-movement and state forms: movaps…movq, movnt*, maskmov*,
 * ldmxcsr/stmxcsr, fxsave/fxrstor, emms and SSE3's duplicating loads, one
 * row per encoding (SDM Vol. 2 opcode tables; isa/simd.isa decodes them).
 *
 * Loads are ordinary rows (copy.ts). Where the register and memory forms of
 * one encoding differ — movss/movsd merge from a register but zero the rest
 * from memory; 0F 12/0F 16 are movhlps/movlhps on registers and
 * movlps/movhps on memory — there are two rows, one `regForm` only and one
 * memory only. Stores and the state instructions are `special` (see
 * move-form.ts); the unit runs them by kind.
 *
 * The fences, prefetches, movnti, clflush and pause are not SIMD-class
 * encodings: lift/data.ts runs them (as nothing, or as mov) behind the
 * feature gates of lift/feature-gates.ts.
 */
import { Prefix, Reg, simdRow, type SimdForm, type SimdRowFields } from '../simd-form.js';
import type { SimdRun } from '../simd-scratch.js';
import * as copy from './copy.js';
import { Special, type MoveForm } from './move-form.js';

type RowOptions = Pick<SimdRowFields, 'prefix' | 'reg' | 'a' | 'b' | 'memBytes' | 'regForm' | 'aligned'>;

function load(mnemonic: string, opcode: number, feature: string, run: SimdRun, o: RowOptions = {}): SimdForm {
  return simdRow(mnemonic, opcode, feature, { ...o, run });
}

interface SpecialOptions extends RowOptions {
  readonly zeroUpper?: boolean;
  readonly sourceOffset?: number;
}

function special(kind: Special, mnemonic: string, opcode: number, feature: string, o: SpecialOptions = {}): MoveForm {
  return {
    ...simdRow(mnemonic, opcode, feature, { ...o, writesA: false, special: true }),
    kind, zeroUpper: o.zeroUpper ?? false, sourceOffset: o.sourceOffset ?? 0,
  };
}

const store = (mnemonic: string, opcode: number, feature: string, o: SpecialOptions = {}): MoveForm =>
  special(Special.STORE, mnemonic, opcode, feature, o);

const P66 = Prefix.P66, PF3 = Prefix.PF3, PF2 = Prefix.PF2;
const MEM_ONLY = { regForm: false } as const;
const REG_ONLY = { memBytes: 0 } as const;

export const FORMS: readonly SimdForm[] = [
  // Whole-register loads (0F 10, 28, 6F; F2 0F F0).
  load('movups', 0x10, 'sse', copy.copyAll),
  load('movupd', 0x10, 'sse2', copy.copyAll, { prefix: P66 }),
  load('movaps', 0x28, 'sse', copy.copyAll, { aligned: true }),
  load('movapd', 0x28, 'sse2', copy.copyAll, { prefix: P66, aligned: true }),
  load('movdqa', 0x6f, 'sse2', copy.copyAll, { prefix: P66, aligned: true }),
  load('movdqu', 0x6f, 'sse2', copy.copyAll, { prefix: PF3 }),
  load('lddqu', 0xf0, 'sse3', copy.copyAll, { prefix: PF2, ...MEM_ONLY }),
  load('movq', 0x6f, 'mmx', copy.copyAll, { a: Reg.MMX, b: Reg.MMX, memBytes: 8 }),
  // Scalars: a register source merges, a memory source zeroes the rest.
  load('movss', 0x10, 'sse', copy.mergeLow32, { prefix: PF3, ...REG_ONLY }),
  load('movss', 0x10, 'sse', copy.zeroExtend32, { prefix: PF3, memBytes: 4, ...MEM_ONLY }),
  load('movsd', 0x10, 'sse2', copy.mergeLow64, { prefix: PF2, ...REG_ONLY }),
  load('movsd', 0x10, 'sse2', copy.zeroExtend64, { prefix: PF2, memBytes: 8, ...MEM_ONLY }),
  // Halves: 0F 12 and 0F 16 mean movhlps/movlhps on registers, movlps/movhps on memory.
  load('movlps', 0x12, 'sse', copy.mergeLow64, { memBytes: 8, ...MEM_ONLY }),
  load('movhlps', 0x12, 'sse', copy.highToLow, REG_ONLY),
  load('movlpd', 0x12, 'sse2', copy.mergeLow64, { prefix: P66, memBytes: 8, ...MEM_ONLY }),
  load('movhps', 0x16, 'sse', copy.lowToHigh, { memBytes: 8, ...MEM_ONLY }),
  load('movlhps', 0x16, 'sse', copy.lowToHigh, REG_ONLY),
  load('movhpd', 0x16, 'sse2', copy.lowToHigh, { prefix: P66, memBytes: 8, ...MEM_ONLY }),
  // SSE3 duplicating loads (movddup reads 8 bytes: no alignment; lddqu above never checks it).
  load('movsldup', 0x12, 'sse3', copy.duplicateEven32, { prefix: PF3, aligned: true }),
  load('movshdup', 0x16, 'sse3', copy.duplicateOdd32, { prefix: PF3, aligned: true }),
  load('movddup', 0x12, 'sse3', copy.duplicateLow64, { prefix: PF2, memBytes: 8 }),
  // movd/movq into MMX and XMM registers.
  load('movd', 0x6e, 'mmx', copy.zeroExtend32, { a: Reg.MMX, b: Reg.GPR, memBytes: 4 }),
  load('movd', 0x6e, 'sse2', copy.zeroExtend32, { prefix: P66, b: Reg.GPR, memBytes: 4 }),
  load('movq', 0x7e, 'sse2', copy.zeroExtend64, { prefix: PF3, memBytes: 8 }),
  load('movq2dq', 0xd6, 'sse2', copy.zeroExtend64, { prefix: PF3, b: Reg.MMX, ...REG_ONLY }),
  load('movdq2q', 0xd6, 'sse2', copy.mergeLow64, { prefix: PF2, a: Reg.MMX, ...REG_ONLY }),

  // Stores: ModRM.reg (kind a) to ModRM.rm (kind b, or memory).
  store('movups', 0x11, 'sse'),
  store('movupd', 0x11, 'sse2', { prefix: P66 }),
  store('movaps', 0x29, 'sse', { aligned: true }),
  store('movapd', 0x29, 'sse2', { prefix: P66, aligned: true }),
  store('movdqa', 0x7f, 'sse2', { prefix: P66, aligned: true }),
  store('movdqu', 0x7f, 'sse2', { prefix: PF3 }),
  store('movss', 0x11, 'sse', { prefix: PF3, memBytes: 4 }),
  store('movsd', 0x11, 'sse2', { prefix: PF2, memBytes: 8 }),
  store('movlps', 0x13, 'sse', { memBytes: 8, ...MEM_ONLY }),
  store('movlpd', 0x13, 'sse2', { prefix: P66, memBytes: 8, ...MEM_ONLY }),
  store('movhps', 0x17, 'sse', { memBytes: 8, sourceOffset: 8, ...MEM_ONLY }),
  store('movhpd', 0x17, 'sse2', { prefix: P66, memBytes: 8, sourceOffset: 8, ...MEM_ONLY }),
  store('movd', 0x7e, 'mmx', { a: Reg.MMX, b: Reg.GPR, memBytes: 4 }),
  store('movd', 0x7e, 'sse2', { prefix: P66, b: Reg.GPR, memBytes: 4 }),
  store('movq', 0x7f, 'mmx', { a: Reg.MMX, b: Reg.MMX, memBytes: 8 }),
  store('movq', 0xd6, 'sse2', { prefix: P66, memBytes: 8, zeroUpper: true }),
  // Non-temporal stores: memory only; the hint changes nothing btvm models.
  store('movntps', 0x2b, 'sse', { aligned: true, ...MEM_ONLY }),
  store('movntpd', 0x2b, 'sse2', { prefix: P66, aligned: true, ...MEM_ONLY }),
  store('movntdq', 0xe7, 'sse2', { prefix: P66, aligned: true, ...MEM_ONLY }),
  store('movntq', 0xe7, 'sse', { a: Reg.MMX, b: Reg.MMX, memBytes: 8, ...MEM_ONLY }),
  // Byte-masked stores through DS:(E)DI; register operands only.
  special(Special.MASKMOV, 'maskmovq', 0xf7, 'sse', { a: Reg.MMX, b: Reg.MMX, ...REG_ONLY }),
  special(Special.MASKMOV, 'maskmovdqu', 0xf7, 'sse2', { prefix: P66, ...REG_ONLY }),
  // State: MXCSR, the FXSAVE image, the x87 tags.
  special(Special.LDMXCSR, 'ldmxcsr', 0xae, 'sse', { reg: 2, a: Reg.NONE, b: Reg.NONE, memBytes: 4, ...MEM_ONLY }),
  special(Special.STMXCSR, 'stmxcsr', 0xae, 'sse', { reg: 3, a: Reg.NONE, b: Reg.NONE, memBytes: 4, ...MEM_ONLY }),
  special(Special.FXSAVE, 'fxsave', 0xae, 'fxsr', { reg: 0, a: Reg.NONE, b: Reg.NONE, memBytes: 512, aligned: true, ...MEM_ONLY }),
  special(Special.FXRSTOR, 'fxrstor', 0xae, 'fxsr', { reg: 1, a: Reg.NONE, b: Reg.NONE, memBytes: 512, aligned: true, ...MEM_ONLY }),
  special(Special.EMMS, 'emms', 0x77, 'mmx', { a: Reg.NONE, b: Reg.NONE, ...REG_ONLY }),
];
