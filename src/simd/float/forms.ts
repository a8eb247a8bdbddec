/**
 * The floating-point SIMD forms (SSE, SSE2 and SSE3 arithmetic, compares,
 * conversions and approximations under MXCSR): their table rows, from the
 * opcode tables of SDM Vol. 2. Packed forms (ps: no prefix, pd: 66) read a
 * 16-byte aligned memory operand; scalar forms (ss: F3, sd: F2) read 4 or 8
 * bytes, unaligned. The computations live in the files next to this one.
 */
import { OpMap, Prefix, Reg, type SimdForm } from '../simd-form.js';
import type { SimdRun } from '../simd-scratch.js';
import { ADD, arithmeticLane, DIV, MUL, SQRT, SUB } from './arithmetic.js';
import { packed, scalar } from './packed.js';

interface RowOptions {
  a?: Reg;
  b?: Reg;
  imm?: boolean;
  writesA?: boolean;
  writesEflags?: boolean;
  aligned?: boolean;
}

function row(mnemonic: string, prefix: Prefix, opcode: number, memBytes: number, feature: string, run: SimdRun, o: RowOptions = {}): SimdForm {
  return {
    mnemonic, map: OpMap.M0F, prefix, opcode, reg: -1,
    a: o.a ?? Reg.XMM, b: o.b ?? Reg.XMM, memBytes, regForm: true,
    aligned: o.aligned ?? memBytes === 16, imm: o.imm ?? false,
    writesA: o.writesA ?? true, writesEflags: o.writesEflags ?? false, feature, run,
  };
}

/** The four rows ps, ss, pd, sd of one two-operand arithmetic opcode. */
function arithmeticRows(name: string, opcode: number, op: number): SimdForm[] {
  return [
    row(`${name}ps`, Prefix.NONE, opcode, 16, 'sse', packed(arithmeticLane, false, op)),
    row(`${name}ss`, Prefix.PF3, opcode, 4, 'sse', scalar(arithmeticLane, false, op)),
    row(`${name}pd`, Prefix.P66, opcode, 16, 'sse2', packed(arithmeticLane, true, op)),
    row(`${name}sd`, Prefix.PF2, opcode, 8, 'sse2', scalar(arithmeticLane, true, op)),
  ];
}

export const FORMS: readonly SimdForm[] = [
  ...arithmeticRows('add', 0x58, ADD),
  ...arithmeticRows('mul', 0x59, MUL),
  ...arithmeticRows('sub', 0x5c, SUB),
  ...arithmeticRows('div', 0x5e, DIV),
  ...arithmeticRows('sqrt', 0x51, SQRT),
];
