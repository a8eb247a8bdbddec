/**
 * Differential test of the softfloat arithmetic (add, sub, mul, div, sqrt)
 * against the host CPU: random operands biased to the special values
 * (softfloat-operands.ts), every rounding mode and precision control, some
 * exceptions unmasked; the result pattern, the exception bits and C1 must
 * match bit for bit. ST(0) = a and ST(1) = b are set with FRSTOR and the
 * register form of each instruction runs natively (softfloat-diff.ts). When
 * the model writes nothing (an unmasked IE, ZE or DE), ST(0) must keep a.
 * X87_CASES sets the number of cases per operation (default 1500); X87_SEED
 * the seed. About a million cases over the three softfloat suites:
 *   X87_CASES=30000 npx vitest run --config test/vitest.config.ts test/fpu/softfloat-
 * (≈ 250k here, 600k in softfloat-convert, 150k in softfloat-misc).
 */
import { describe, expect, it } from 'vitest';
import { C1, EXC_MASK } from '../../src/fpu/float80.js';
import { fadd, fsub } from '../../src/fpu/softfloat/add.js';
import { fmul } from '../../src/fpu/softfloat/mul.js';
import { fdiv } from '../../src/fpu/softfloat/div.js';
import { fsqrt } from '../../src/fpu/softfloat/sqrt.js';
import { haveX87Oracle, X87_ORACLE_MISSING } from '../support/x87-oracle.js';
import { diffRegisterForm, reportMismatches, type RegisterForm } from './softfloat-diff.js';
import { boundaryPair, squarePair } from './softfloat-operands.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping: ${X87_ORACLE_MISSING}`);
const CASES = Number(process.env.X87_CASES ?? 1500);
const SEED = Number(process.env.X87_SEED ?? 0x87);
/** Generous for big X87_CASES runs on a loaded machine (the host side alone takes ~1 µs of CPU a case). */
const TIMEOUT = Math.max(60_000, CASES * 10);

type Binary = typeof fadd;
const out = new Uint32Array(3);

/** ST(0) ← op(x, y) where x, y are ST(0), ST(1) or swapped (the reversed forms). */
function binary(name: string, code: number[], op: Binary, reversed = false): RegisterForm {
  return {
    name, code, statusMask: EXC_MASK | C1,
    model: (a, b, fcw) => {
      out.set(a);
      const [x, y] = reversed ? [b, a] : [a, b];
      // Words may come as uint32 (a Uint32Array register file) or int32 (an Int32Array view of it): try both.
      const w = (v: number) => (a[2] & 1 ? v | 0 : v);
      const status = op(x[0], w(x[1]), w(x[2]), y[0], w(y[1]), w(y[2]), fcw, out, 0);
      return { st: [...out], status };
    },
  };
}

const FORMS: RegisterForm[] = [
  binary('fadd', [0xd8, 0xc1], fadd),
  binary('fsub', [0xd8, 0xe1], fsub),
  binary('fsubr', [0xd8, 0xe9], fsub, true),
  binary('fmul', [0xd8, 0xc9], fmul),
  binary('fdiv', [0xd8, 0xf1], fdiv),
  binary('fdivr', [0xd8, 0xf9], fdiv, true),
  {
    name: 'fsqrt', code: [0xd9, 0xfa], statusMask: EXC_MASK | C1,
    model: (a, _b, fcw) => {
      out.set(a);
      const status = fsqrt(a[0], a[1], a[2], fcw, out, 0);
      return { st: [...out], status };
    },
  },
];

describe.skipIf(!ok)('softfloat arithmetic against the host CPU', () => {
  for (const form of FORMS) {
    it(`${form.name}: result, exceptions and C1 bit-exact`, () => {
      const bad = diffRegisterForm(form, SEED ^ form.code[1], CASES);
      expect(reportMismatches(form.name, CASES, bad)).toBe(0);
    }, TIMEOUT);
  }
  it('fsqrt: exact squares and their neighbours', () => {
    const n = Math.ceil(CASES / 5);
    const bad = diffRegisterForm(FORMS[6], SEED ^ 0x5a, n, squarePair);
    expect(reportMismatches('fsqrt (squares)', n, bad)).toBe(0);
  }, TIMEOUT);
  for (const form of FORMS.slice(0, 6)) {
    it(`${form.name}: results next to the smallest normal (tininess after rounding)`, () => {
      const n = Math.ceil(CASES / 5);
      const bad = diffRegisterForm(form, SEED ^ form.code[1] ^ 0xb0, n, boundaryPair);
      expect(reportMismatches(`${form.name} (boundary)`, n, bad)).toBe(0);
    }, TIMEOUT);
  }
});
