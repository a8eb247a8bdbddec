/**
 * Differential test of the softfloat arithmetic (add, sub, mul, div, sqrt)
 * against the host CPU: random operands biased to the special values
 * (softfloat-operands.ts), every rounding mode and precision control, some
 * exceptions unmasked; the result pattern, the exception bits and C1 must
 * match bit for bit. ST(0) = a and ST(1) = b are set with FRSTOR and the
 * register form of each instruction runs natively. X87_CASES sets the number
 * of cases per operation (default 3000); X87_SEED the seed.
 */
import { describe, expect, it } from 'vitest';
import { C1, EXC_MASK, f80Hex } from '../../src/fpu/float80.js';
import { fadd, fsub } from '../../src/fpu/softfloat/add.js';
import { fmul } from '../../src/fpu/softfloat/mul.js';
import { fdiv } from '../../src/fpu/softfloat/div.js';
import { fsqrt } from '../../src/fpu/softfloat/sqrt.js';
import { xorshift32 } from '../support/xorshift32.js';
import { haveX87Oracle, runX87, stackState, X87_ORACLE_MISSING, type X87Case } from '../support/x87-oracle.js';
import { randomF80, randomFcw } from './softfloat-operands.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping: ${X87_ORACLE_MISSING}`);
const CASES = Number(process.env.X87_CASES ?? 3000);
const SEED = Number(process.env.X87_SEED ?? 0x87);
const BATCH = 20000;

/** The model of one instruction: ST(0) ← f(ST(0), ST(1)); returns the exception bits and C1. */
type Model = (a: readonly number[], b: readonly number[], fcw: number, out: Uint32Array) => number;

interface Op {
  name: string;
  code: number[];
  model: Model;
  unary?: boolean;
}

const OPS: Op[] = [
  { name: 'fadd', code: [0xd8, 0xc1], model: (a, b, f, out) => fadd(a[0], a[1], a[2], b[0], b[1], b[2], f, out, 0) },
  { name: 'fsub', code: [0xd8, 0xe1], model: (a, b, f, out) => fsub(a[0], a[1], a[2], b[0], b[1], b[2], f, out, 0) },
  { name: 'fsubr', code: [0xd8, 0xe9], model: (a, b, f, out) => fsub(b[0], b[1], b[2], a[0], a[1], a[2], f, out, 0) },
  { name: 'fmul', code: [0xd8, 0xc9], model: (a, b, f, out) => fmul(a[0], a[1], a[2], b[0], b[1], b[2], f, out, 0) },
  { name: 'fdiv', code: [0xd8, 0xf1], model: (a, b, f, out) => fdiv(a[0], a[1], a[2], b[0], b[1], b[2], f, out, 0) },
  { name: 'fdivr', code: [0xd8, 0xf9], model: (a, b, f, out) => fdiv(b[0], b[1], b[2], a[0], a[1], a[2], f, out, 0) },
  { name: 'fsqrt', code: [0xd9, 0xfa], model: (a, _b, f, out) => fsqrt(a[0], a[1], a[2], f, out, 0), unary: true },
];

interface Mismatch {
  fcw: number;
  a: string;
  b: string;
  want: string;
  got: string;
}

function runOp(op: Op, seed: number, n: number): { cases: number; mismatches: Mismatch[] } {
  const r = xorshift32(seed);
  const mismatches: Mismatch[] = [];
  const out = new Uint32Array(3);
  for (let done = 0; done < n; done += BATCH) {
    const m = Math.min(BATCH, n - done);
    const inputs: { a: number[]; b: number[]; fcw: number }[] = [];
    const cases: X87Case[] = [];
    for (let i = 0; i < m; i++) {
      const b = randomF80(r);
      const a = randomF80(r, b);
      const fcw = randomFcw(r);
      inputs.push({ a, b, fcw });
      cases.push({ state: stackState(fcw, [...a, ...b]), code: new Uint8Array(op.code) });
    }
    const outcomes = runX87(cases);
    for (let i = 0; i < m; i++) {
      const { a, b, fcw } = inputs[i];
      const host = outcomes[i].state;
      out.set(a);
      const flags = op.model(a, b, fcw, out) & (EXC_MASK | C1);
      const hostFlags = host.fsw & (EXC_MASK | C1);
      if (out[0] !== host.st[0] || out[1] !== host.st[1] || out[2] !== host.st[2] || flags !== hostFlags) {
        mismatches.push({
          fcw,
          a: f80Hex(a[0], a[1], a[2]),
          b: f80Hex(b[0], b[1], b[2]),
          want: `${f80Hex(host.st[0], host.st[1], host.st[2])} ${hostFlags.toString(16)}`,
          got: `${f80Hex(out[0], out[1], out[2])} ${flags.toString(16)}`,
        });
      }
    }
  }
  return { cases: n, mismatches };
}

describe.skipIf(!ok)('softfloat arithmetic against the host CPU', () => {
  for (const op of OPS) {
    it(`${op.name}: result, exceptions and C1 bit-exact`, () => {
      const { cases, mismatches } = runOp(op, SEED ^ op.code[1], CASES);
      if (mismatches.length) {
        console.log(`${op.name}: ${mismatches.length}/${cases} mismatches; first:`);
        for (const mm of mismatches.slice(0, 12)) console.log(`  fcw ${mm.fcw.toString(16)} a ${mm.a} b ${mm.b} host ${mm.want} ours ${mm.got}`);
      }
      expect(mismatches.length).toBe(0);
    });
  }
});
