/**
 * The double fast path (src/fpu/softfloat/double-fast-path.ts) gives the same
 * bits as the integer path and as the host CPU: random double operands
 * (biased to exact results, halfway cases and the ends of the fast range)
 * under PC = 53 bits and round to nearest, each case computed with the fast
 * path on and off, and run natively. Also checks that the fast path is
 * taken for most of these cases and for none under other precision or
 * rounding controls.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { C1, EXC_MASK } from '../../src/fpu/float80.js';
import { fadd, fsub } from '../../src/fpu/softfloat/add.js';
import { fromFloat64 } from '../../src/fpu/softfloat/convert-float.js';
import { fdiv } from '../../src/fpu/softfloat/div.js';
import { fastAdd, fastDiv, fastMul, fastSqrt, NOT_TAKEN, setDoubleFastPath } from '../../src/fpu/softfloat/double-fast-path.js';
import { fmul } from '../../src/fpu/softfloat/mul.js';
import { fsqrt } from '../../src/fpu/softfloat/sqrt.js';
import { xorshift32 } from '../support/xorshift32.js';
import { haveX87Oracle, X87_ORACLE_MISSING } from '../support/x87-oracle.js';
import { diffRegisterForm, reportMismatches, type RegisterForm } from './softfloat-diff.js';
import type { PairCase, Rand } from './softfloat-operands.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping the host comparison: ${X87_ORACLE_MISSING}`);
const CASES = Number(process.env.X87_CASES ?? 2000);
const SEED = Number(process.env.X87_SEED ?? 0x87);
const TIMEOUT = Math.max(60_000, CASES * 10);
const PC53_NEAREST = 0x1240; // exceptions unmasked; the pickers OR in masks

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const slot = new Uint32Array(3);

function f80(x: number): number[] {
  f64[0] = x;
  fromFloat64(u32[1], u32[0], 0x37f, slot, 0);
  return [...slot];
}

/** A random double: a random significand or a short one (exact products and sums), exponent near 0 or near the fast range's ends. */
function randomDouble(r: Rand): number {
  const short = r() % 3 === 0;
  const m = short ? (r() % 4096) + 1 : (r() * 2 ** 21 + (r() >>> 11)) / 2 ** 53 + 1;
  const k = r() % 10;
  const e = k < 6 ? (r() % 80) - 40 : k < 8 ? 900 + (r() % 100) : -960 + (r() % 60);
  return (r() % 2 ? -1 : 1) * m * 2 ** e;
}

function fastPair(r: Rand): PairCase {
  const a = randomDouble(r);
  let b = randomDouble(r);
  if (r() % 4 === 0) b = -a * (1 + 2 ** -(r() % 60)); // cancellation
  const masks = r() % 3 === 0 ? r() & 0x3f : 0x3f;
  return { a: f80(a), b: f80(b), fcw: PC53_NEAREST | masks };
}

const out = new Uint32Array(3);
type Binary = typeof fadd;

function both(op: (fcw: number) => number, fcw: number, a: readonly number[]): { st: number[]; status: number } {
  out.set(a);
  setDoubleFastPath(false);
  const slow = op(fcw);
  const slowSt = [...out];
  out.set(a);
  setDoubleFastPath(true);
  const fast = op(fcw);
  if (fast !== slow || out.join() !== slowSt.join()) throw new Error(`fast path ${out.join()} ${fast} != integer path ${slowSt.join()} ${slow}`);
  return { st: slowSt, status: slow };
}

function binary(name: string, code: number[], fn: Binary): RegisterForm {
  return {
    name, code, statusMask: EXC_MASK | C1,
    model: (a, b, fcw) => both((f) => fn(a[0], a[1], a[2], b[0], b[1], b[2], f, out, 0), fcw, a),
  };
}

const FORMS: RegisterForm[] = [
  binary('fadd', [0xd8, 0xc1], fadd),
  binary('fsub', [0xd8, 0xe1], fsub),
  binary('fmul', [0xd8, 0xc9], fmul),
  binary('fdiv', [0xd8, 0xf1], fdiv),
  {
    name: 'fsqrt', code: [0xd9, 0xfa], statusMask: EXC_MASK | C1,
    model: (a, _b, fcw) => both((f) => fsqrt(a[0], a[1], a[2], f, out, 0), fcw, [...a]),
  },
];

afterAll(() => setDoubleFastPath(true));

describe('double fast path', () => {
  it('is taken for double operands under PC = 53 / nearest, and never under other controls', () => {
    const r = xorshift32(SEED);
    let taken = 0, n = 0;
    for (let i = 0; i < 2000; i++) {
      const { a, b, fcw } = fastPair(r);
      const ops = [
        fastAdd(a[0], a[1], a[2], b[0], b[1], b[2], 0, fcw, out, 0), fastMul(a[0], a[1], a[2], b[0], b[1], b[2], fcw, out, 0),
        fastDiv(a[0], a[1], a[2], b[0], b[1], b[2], fcw, out, 0), fastSqrt(a[0] & 0x7fff, a[1], a[2], fcw, out, 0),
      ];
      for (const x of ops) if (x !== NOT_TAKEN) taken++;
      n += ops.length;
      for (const other of [0x037f, 0x067f, 0x0a7f, 0x0e7f, 0x007f]) {
        expect(fastAdd(a[0], a[1], a[2], b[0], b[1], b[2], 0, other, out, 0)).toBe(NOT_TAKEN);
        expect(fastMul(a[0], a[1], a[2], b[0], b[1], b[2], other, out, 0)).toBe(NOT_TAKEN);
      }
    }
    console.log(`double fast path taken for ${taken}/${n} operations on double operands`);
    expect(taken / n).toBeGreaterThan(0.5);
  });

  describe.skipIf(!ok)('agrees with the integer path and the host CPU', () => {
    for (const form of FORMS) {
      it(`${form.name}`, () => {
        const bad = diffRegisterForm(form, SEED ^ form.code[1] ^ 0xfa, CASES, fastPair);
        expect(reportMismatches(`${form.name} (double operands)`, CASES, bad)).toBe(0);
      }, TIMEOUT);
    }
  });
});
