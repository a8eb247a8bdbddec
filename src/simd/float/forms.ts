/**
 * The floating-point SIMD forms (SSE, SSE2 and SSE3 arithmetic, compares,
 * conversions and approximations under MXCSR): their table rows, from the
 * opcode tables of SDM Vol. 2. Packed forms (ps: no prefix, pd: 66) read a
 * 16-byte aligned memory operand; scalar forms (ss: F3, sd: F2) read 4 or 8
 * bytes, unaligned. The computations live in the files next to this one.
 */
import { Prefix, Reg, simdRow, type SimdForm, type SimdRowFields } from '../simd-form.js';
import { B32, type SimdRun } from '../simd-scratch.js';
import { rcpps, rcpss, rsqrtps, rsqrtss } from './approximate.js';
import { ADD, arithmeticLane, DIV, MUL, SQRT, SUB } from './arithmetic.js';
import { comisLane, compareLane, MAX, MIN, minMaxLane } from './compare.js';
import {
  float32sTo64, float32ToInt32s, float64sTo32, float64ToInt32s, int32sToFloat32, int32sToFloat64, scalarToInt32,
} from './conversion-runs.js';
import { addSub, horizontal } from './horizontal.js';
import { begin, finish } from './mxcsr-env.js';
import { type LaneFn, packed, packedByImm, scalar, scalarByImm } from './packed.js';

type RowOptions = Pick<SimdRowFields, 'a' | 'b' | 'imm' | 'writesA' | 'writesEflags'>;

/** Float rows: the memory operand is the lanes' width, and aligned only when it is a whole XMM register. */
function row(mnemonic: string, prefix: Prefix, opcode: number, memBytes: number, feature: string, run: SimdRun, o: RowOptions = {}): SimdForm {
  return simdRow(mnemonic, opcode, feature, { ...o, prefix, memBytes, aligned: memBytes === 16, run });
}

/** The four rows ps, ss, pd, sd of one two-operand opcode whose lanes `fn` computes. */
function fourRows(name: string, opcode: number, fn: LaneFn, op: number): SimdForm[] {
  return [
    row(`${name}ps`, Prefix.NONE, opcode, 16, 'sse', packed(fn, false, op)),
    row(`${name}ss`, Prefix.PF3, opcode, 4, 'sse', scalar(fn, false, op)),
    row(`${name}pd`, Prefix.P66, opcode, 16, 'sse2', packed(fn, true, op)),
    row(`${name}sd`, Prefix.PF2, opcode, 8, 'sse2', scalar(fn, true, op)),
  ];
}

/** COMISS/UCOMISS (no prefix) and COMISD/UCOMISD (66): EFLAGS only. */
function comisRow(mnemonic: string, prefix: Prefix, opcode: number, wide: boolean, signalsQNaN: number): SimdForm {
  const run: SimdRun = (x) => {
    begin(x);
    comisLane(x, wide, signalsQNaN, 0, B32);
    finish(x);
  };
  return row(mnemonic, prefix, opcode, wide ? 8 : 4, wide ? 'sse2' : 'sse', run, { writesA: false, writesEflags: true });
}

export const FORMS: readonly SimdForm[] = [
  ...fourRows('add', 0x58, arithmeticLane, ADD),
  ...fourRows('mul', 0x59, arithmeticLane, MUL),
  ...fourRows('sub', 0x5c, arithmeticLane, SUB),
  ...fourRows('div', 0x5e, arithmeticLane, DIV),
  ...fourRows('sqrt', 0x51, arithmeticLane, SQRT),
  ...fourRows('min', 0x5d, minMaxLane, MIN),
  ...fourRows('max', 0x5f, minMaxLane, MAX),
  row('rsqrtps', Prefix.NONE, 0x52, 16, 'sse', rsqrtps),
  row('rsqrtss', Prefix.PF3, 0x52, 4, 'sse', rsqrtss),
  row('rcpps', Prefix.NONE, 0x53, 16, 'sse', rcpps),
  row('rcpss', Prefix.PF3, 0x53, 4, 'sse', rcpss),
  row('cmpps', Prefix.NONE, 0xc2, 16, 'sse', packedByImm(compareLane, false), { imm: true }),
  row('cmpss', Prefix.PF3, 0xc2, 4, 'sse', scalarByImm(compareLane, false), { imm: true }),
  row('cmppd', Prefix.P66, 0xc2, 16, 'sse2', packedByImm(compareLane, true), { imm: true }),
  row('cmpsd', Prefix.PF2, 0xc2, 8, 'sse2', scalarByImm(compareLane, true), { imm: true }),
  comisRow('ucomiss', Prefix.NONE, 0x2e, false, 0),
  comisRow('comiss', Prefix.NONE, 0x2f, false, 1),
  comisRow('ucomisd', Prefix.P66, 0x2e, true, 0),
  comisRow('comisd', Prefix.P66, 0x2f, true, 1),
  // Conversions (0F 2A/2C/2D, 5A, 5B, E6).
  row('cvtpi2ps', Prefix.NONE, 0x2a, 8, 'sse', int32sToFloat32(2), { b: Reg.MMX }),
  row('cvtsi2ss', Prefix.PF3, 0x2a, 4, 'sse', int32sToFloat32(1), { b: Reg.GPR }),
  row('cvtpi2pd', Prefix.P66, 0x2a, 8, 'sse2', int32sToFloat64(2), { b: Reg.MMX }),
  row('cvtsi2sd', Prefix.PF2, 0x2a, 4, 'sse2', int32sToFloat64(1), { b: Reg.GPR }),
  row('cvttps2pi', Prefix.NONE, 0x2c, 8, 'sse', float32ToInt32s(2, true), { a: Reg.MMX }),
  row('cvttss2si', Prefix.PF3, 0x2c, 4, 'sse', scalarToInt32(false, true), { a: Reg.GPR }),
  row('cvttpd2pi', Prefix.P66, 0x2c, 16, 'sse2', float64ToInt32s(false, true), { a: Reg.MMX }),
  row('cvttsd2si', Prefix.PF2, 0x2c, 8, 'sse2', scalarToInt32(true, true), { a: Reg.GPR }),
  row('cvtps2pi', Prefix.NONE, 0x2d, 8, 'sse', float32ToInt32s(2, false), { a: Reg.MMX }),
  row('cvtss2si', Prefix.PF3, 0x2d, 4, 'sse', scalarToInt32(false, false), { a: Reg.GPR }),
  row('cvtpd2pi', Prefix.P66, 0x2d, 16, 'sse2', float64ToInt32s(false, false), { a: Reg.MMX }),
  row('cvtsd2si', Prefix.PF2, 0x2d, 8, 'sse2', scalarToInt32(true, false), { a: Reg.GPR }),
  row('cvtps2pd', Prefix.NONE, 0x5a, 8, 'sse2', float32sTo64(2)),
  row('cvtpd2ps', Prefix.P66, 0x5a, 16, 'sse2', float64sTo32(2)),
  row('cvtss2sd', Prefix.PF3, 0x5a, 4, 'sse2', float32sTo64(1)),
  row('cvtsd2ss', Prefix.PF2, 0x5a, 8, 'sse2', float64sTo32(1)),
  row('cvtdq2ps', Prefix.NONE, 0x5b, 16, 'sse2', int32sToFloat32(4)),
  row('cvtps2dq', Prefix.P66, 0x5b, 16, 'sse2', float32ToInt32s(4, false)),
  row('cvttps2dq', Prefix.PF3, 0x5b, 16, 'sse2', float32ToInt32s(4, true)),
  row('cvttpd2dq', Prefix.P66, 0xe6, 16, 'sse2', float64ToInt32s(true, true)),
  row('cvtdq2pd', Prefix.PF3, 0xe6, 8, 'sse2', int32sToFloat64(2)),
  row('cvtpd2dq', Prefix.PF2, 0xe6, 16, 'sse2', float64ToInt32s(true, false)),
  // SSE3.
  row('addsubpd', Prefix.P66, 0xd0, 16, 'sse3', addSub(true)),
  row('addsubps', Prefix.PF2, 0xd0, 16, 'sse3', addSub(false)),
  row('haddpd', Prefix.P66, 0x7c, 16, 'sse3', horizontal(true, ADD)),
  row('haddps', Prefix.PF2, 0x7c, 16, 'sse3', horizontal(false, ADD)),
  row('hsubpd', Prefix.P66, 0x7d, 16, 'sse3', horizontal(true, SUB)),
  row('hsubps', Prefix.PF2, 0x7d, 16, 'sse3', horizontal(false, SUB)),
];
