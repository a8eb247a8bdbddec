/**
 * Differential test of FRNDINT, FSCALE, FXTRACT, FPREM and FPREM1 against the
 * host CPU (driver in softfloat-diff.ts): the registers they write, the
 * exception bits and the condition codes they define must match bit for
 * bit. X87_CASES sets the number of cases per form (default 1000).
 */
import { describe, expect, it } from 'vitest';
import { C0, C1, C2, C3, DE, EXC_MASK, IE, PE, ZE } from '../../src/fpu/float80.js';
import { fscale, frndint, fxtract } from '../../src/fpu/softfloat/misc.js';
import { fprem } from '../../src/fpu/softfloat/remainder.js';
import { haveX87Oracle, runX87, stackState, X87_ORACLE_MISSING } from '../support/x87-oracle.js';
import { diffRegisterForm, reportMismatches, type RegisterForm } from './softfloat-diff.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping: ${X87_ORACLE_MISSING}`);
const CASES = Number(process.env.X87_CASES ?? 1000);
const SEED = Number(process.env.X87_SEED ?? 0x87);
/** Generous for big X87_CASES runs on a loaded machine (the host side alone takes ~1 µs of CPU a case). */
const TIMEOUT = Math.max(60_000, CASES * 10);
const out = new Uint32Array(6);

function remainder(name: string, code: number[], ieee: boolean): RegisterForm {
  return {
    name, code, statusMask: EXC_MASK | C0 | C1 | C2 | C3,
    model: (a, b, fcw) => {
      out.set(a);
      const status = fprem(a[0], a[1], a[2], b[0], b[1], b[2], ieee, fcw, out, 0);
      return { st: [...out.subarray(0, 3)], status };
    },
  };
}

const FORMS: RegisterForm[] = [
  {
    name: 'frndint', code: [0xd9, 0xfc], statusMask: EXC_MASK | C1,
    model: (a, _b, fcw) => {
      out.set(a);
      const status = frndint(a[0], a[1], a[2], fcw, out, 0);
      return { st: [...out.subarray(0, 3)], status };
    },
  },
  {
    name: 'fscale', code: [0xd9, 0xfd], statusMask: EXC_MASK | C1,
    model: (a, b, fcw) => {
      out.set(a);
      const status = fscale(a[0], a[1], a[2], b[0], b[1], b[2], fcw, out, 0);
      return { st: [...out.subarray(0, 3)], status };
    },
  },
  {
    // Pushes: ST(0) = significand, ST(1) = exponent; nothing moves when an unmasked exception stops it.
    name: 'fxtract', code: [0xd9, 0xf4], statusMask: EXC_MASK | C1,
    model: (a, b, fcw) => {
      const status = fxtract(a[0], a[1], a[2], fcw, out, 0);
      if (status & ~fcw & (IE | ZE | DE)) return { st: [...a, ...b], status };
      return { st: [...out.subarray(3, 6), ...out.subarray(0, 3)], status };
    },
  },
  remainder('fprem', [0xd9, 0xf8], false),
  remainder('fprem1', [0xd9, 0xf5], true),
];

describe.skipIf(!ok)('softfloat frndint, fscale, fxtract, fprem against the host CPU', () => {
  for (const form of FORMS) {
    it(`${form.name}: bit-exact`, () => {
      const bad = diffRegisterForm(form, SEED ^ (form.code[1] << 4), CASES);
      expect(reportMismatches(form.name, CASES, bad)).toBe(0);
    }, TIMEOUT);
  }
});

describe('frndint at the top of the 64-bit range', () => {
  // 2^63 − 0.5 (e = 62, all 64 significand bits set): to nearest-even and up it
  // becomes 2^63, one bit wider than the integers below it; down and toward
  // zero give 2^63 − 1. The sign stays (SDM: FRNDINT keeps the operand's sign).
  const cases: [number, number[]][] = [
    [0x037f, [0x403e, 0x80000000, 0]], // nearest
    [0x0b7f, [0x403e, 0x80000000, 0]], // up
    [0x077f, [0x403d, 0xffffffff, 0xfffffffe]], // down
    [0x0f7f, [0x403d, 0xffffffff, 0xfffffffe]], // toward zero
  ];
  it('rounds 2^63 − 0.5 as the SDM and the host do, for both signs', () => {
    for (const [fcw, want] of cases) {
      for (const sign of [0, 0x8000]) {
        const status = frndint(0x403d | sign, 0xffffffff, 0xffffffff, fcw, out, 0);
        const negUp = sign !== 0 && (fcw === 0x0b7f || fcw === 0x077f);
        // Negative: "up" moves toward zero (−(2^63 − 1)) and "down" away from it (−2^63).
        const expected = negUp ? (fcw === 0x0b7f ? [0x403d, 0xffffffff, 0xfffffffe] : [0x403e, 0x80000000, 0]) : want;
        expect([out[0]! & 0xffff, out[1]! >>> 0, out[2]! >>> 0], `fcw ${fcw.toString(16)} sign ${sign}`).toEqual([expected[0]! | sign, expected[1], expected[2]]);
        expect(status & PE).toBe(PE);
        if (ok) {
          const [host] = runX87([{ state: stackState(fcw, [0x403d | sign, 0xffffffff, 0xffffffff]), code: Uint8Array.from([0xd9, 0xfc]) }]);
          expect(Array.from(host!.state.st.subarray(0, 3)), `host, fcw ${fcw.toString(16)} sign ${sign}`).toEqual([expected[0]! | sign, expected[1], expected[2]]);
        }
      }
    }
  });
});
