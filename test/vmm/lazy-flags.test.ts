/**
 * The VMM's EFLAGS wrappers (src/vmm/lazy-flags.ts). The thunk arithmetic
 * itself is state/flags-thunk.ts's, which test/(state/flags-thunk.ts).test.ts checks
 * against the host CPU for every thunk kind and width; the VMM used to carry
 * a second implementation, checked only against that one, and no longer
 * does. What is left to test here is what the VMM adds: the system bits,
 * bit 1, the bits EFLAGS never holds, and ZF-only updates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CcOp, CpuState } from '../../src/state/state.js';
import { AF, ARITH_FLAGS, CF, IF, OF, PF, SF, ZF, arithFlags, readEflags, setZf, writeEflags } from '../../src/vmm/lazy-flags.js';

describe('VMM EFLAGS', () => {
  it('writeEflags then readEflags keeps every bit EFLAGS holds, forces bit 1 and drops 3, 5, 15 and 22-31', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      const cpu = new CpuState();
      writeEflags(cpu, v);
      expect(readEflags(cpu)).toBe(((v & 0x3fffff & ~0x8028) | 2) >>> 0);
    }), { numRuns: 2000 });
  });

  it('readEflags merges the system bits with the flags of a live thunk (sub 1 - 2 sets CF SF AF PF)', () => {
    const cpu = new CpuState();
    Object.assign(cpu, { ccOp: CcOp.Sub, ccSize: 4, ccRes: -1, ccA: 1, ccB: 2, ccAux: 0, eflagsSys: IF | 2 });
    // 1 - 2 = 0xffffffff: borrow, negative, borrow from bit 4, even parity of 0xff; not zero, no overflow.
    expect(arithFlags(cpu)).toBe(CF | SF | AF | PF);
    expect(readEflags(cpu)).toBe(IF | 2 | CF | SF | AF | PF);
  });

  it('setZf changes ZF alone, whatever thunk was live', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xfff }), fc.boolean(), (flags, on) => {
      const cpu = new CpuState();
      writeEflags(cpu, flags | IF);
      const before = readEflags(cpu);
      setZf(cpu, on);
      expect(readEflags(cpu)).toBe(on ? (before | ZF) >>> 0 : (before & ~ZF) >>> 0);
      expect(arithFlags(cpu) & ~ZF & ARITH_FLAGS).toBe(before & ~ZF & ARITH_FLAGS & (CF | PF | AF | SF | OF));
    }));
  });
});
