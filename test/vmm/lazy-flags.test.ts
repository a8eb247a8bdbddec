/**
 * The VMM's flags materialiser (pushf, interrupt frames) against the one
 * codegen compiles into translated code: two implementations written
 * independently from the thunk semantics in src/ir/ops.ts must agree on
 * every thunk, or a guest would see different flags from pushf than from
 * jcc. Defined flags only: AF after shifts and logic ops is undefined on
 * hardware and each side may choose.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CcOp, CpuState } from '../../src/cpu/state.js';
import { materializeFlags } from '../../src/codegen/flags.js';
import { AF, arithFlags, readEflags, writeEflags } from '../../src/vmm/lazy-flags.js';

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });

describe('arithFlags', () => {
  it('agrees with codegen on random thunks of every kind and size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: CcOp.Add, max: CcOp.Mul }), fc.constantFrom(1, 2, 4), int32, int32, fc.integer({ min: 1, max: 31 }), int32,
        (op, size, a, b, count, aux) => {
          const cpu = new CpuState();
          const bits = size * 8;
          const shift = op === CcOp.Shl || op === CcOp.Shr || op === CcOp.Sar;
          const bb = shift ? Math.min(count, bits) : b;
          const auxv = op === CcOp.Adc || op === CcOp.Sbb || op === CcOp.Mul ? aux & 1 : aux & 0x8d5;
          let res: number;
          switch (op) {
            case CcOp.Add: res = a + bb; break;
            case CcOp.Adc: res = a + bb + auxv; break;
            case CcOp.Sub: res = a - bb; break;
            case CcOp.Sbb: res = a - bb - auxv; break;
            case CcOp.Inc: res = a + 1; break;
            case CcOp.Dec: res = a - 1; break;
            case CcOp.Shl: res = a << bb; break;
            case CcOp.Shr: res = (a & (bits === 32 ? -1 : (1 << bits) - 1)) >>> bb; break;
            case CcOp.Sar: res = ((a << (32 - bits)) >> (32 - bits)) >> bb; break;
            default: res = a;
          }
          Object.assign(cpu, { ccOp: op, ccSize: size, ccRes: res | 0, ccA: a, ccB: bb, ccAux: op === CcOp.Inc || op === CcOp.Dec ? aux & 1 : auxv });
          const undefinedAf = op === CcOp.Logic || shift || op === CcOp.Mul ? AF : 0;
          expect(arithFlags(cpu) & ~undefinedAf).toBe(materializeFlags(cpu) & ~undefinedAf);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('writeEflags then readEflags is the identity on the writable bits, bit 1 forced', () => {
    const cpu = new CpuState();
    writeEflags(cpu, 0x00247fd5);
    expect(readEflags(cpu)).toBe(0x00247fd7 & ~0x8028 | 2);
  });
});
