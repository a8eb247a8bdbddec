/**
 * rdmsr/wrmsr as QEMU 7.2's TCG answers them (src/vmm/msr.ts lists each MSR
 * with its source): fixtures/system/msr.c compares the whole list with
 * QEMU; these check the rules one by one through the monitor — values at
 * reset, MSRs that keep any value, MSRs that ignore writes, no #GP for an
 * MSR QEMU does not model, #GP for PKRS's reserved bits and outside ring 0,
 * and IA32_APIC_BASE going to the local APIC.
 */
import { describe, expect, it } from 'vitest';
import { MmioMap } from '../../src/memory/mmio.js';
import { LocalApic } from '../../src/vmm/devices/local-apic.js';
import { TestGuest, handlerOf } from './guest-builder.js';

const GP = 13;

function msrGuest() {
  const g = new TestGuest();
  const rd = (msr: number): [number, number] => {
    g.cpu.regs[1] = msr | 0;
    g.emulate('rdmsr');
    return [g.cpu.regs[2]! >>> 0, g.cpu.regs[0]! >>> 0];
  };
  const wr = (msr: number, hi: number, lo: number) => {
    g.cpu.regs[1] = msr | 0;
    g.cpu.regs[2] = hi | 0;
    g.cpu.regs[0] = lo | 0;
    g.emulate('wrmsr');
  };
  return { g, rd, wr };
}

describe('MSRs as QEMU 7.2 TCG answers them', () => {
  it('values at reset', () => {
    const { rd } = msrGuest();
    expect(rd(0x8b)).toEqual([1, 0]);
    expect(rd(0x35)).toEqual([0, 0x10001]);
    expect(rd(0x198)).toEqual([0x400, 1000]);
    expect(rd(0x1a0)).toEqual([0, 1]);
    expect(rd(0x277)).toEqual([0x70406, 0x70406]);
    for (const msr of [0x3a, 0x140, 0x179, 0x17a, 0x17b, 0x186, 0x187, 0xfe, 0x400, 0xc0000080, 0x12345678]) {
      expect(rd(msr), msr.toString(16)).toEqual([0, 0]);
    }
  });

  it('PAT, MISC_ENABLE, MCG_STATUS, the MTRRs and STAR keep any 64-bit value', () => {
    const { rd, wr } = msrGuest();
    for (const msr of [0x277, 0x1a0, 0x17a, 0x200, 0x20f, 0x250, 0x258, 0x259, 0x268, 0x26f, 0x2ff, 0xc0000081]) {
      wr(msr, 0x08070406, 0xdeadbeef);
      expect(rd(msr), msr.toString(16)).toEqual([0x08070406, 0xdeadbeef]);
    }
  });

  it('writes to the probed MSRs QEMU ignores change nothing and raise nothing', () => {
    const { g, rd, wr } = msrGuest();
    const eip = g.cpu.eip;
    for (const msr of [0x8b, 0x3a, 0x140, 0x186, 0x187, 0x179, 0x17b, 0x401, 0xfe, 0xc0000080, 0x12345678]) {
      const before = rd(msr);
      wr(msr, 0xffffffff, 0xffffffff);
      expect(rd(msr), msr.toString(16)).toEqual(before);
    }
    expect(g.cpu.eip).toBe(eip);
  });

  it('PKRS with reserved high bits is #GP(0); rdmsr outside ring 0 is #GP(0)', () => {
    const { g, wr } = msrGuest();
    wr(0x6e1, 1, 0);
    expect(g.cpu.eip).toBe(handlerOf(GP));
    const { g: g3 } = msrGuest();
    g3.enterRing(3);
    g3.cpu.regs[1] = 0x1a0;
    g3.emulate('rdmsr');
    expect(g3.cpu.eip).toBe(handlerOf(GP));
  });

  it('IA32_APIC_BASE is the local APIC\'s', () => {
    const { g, rd, wr } = msrGuest();
    const mmio = new MmioMap();
    g.core.localApic = new LocalApic({ nowNs: () => 0 }, { pendingVector: () => -1, acknowledge: () => 0 }, mmio);
    expect(rd(0x1b)).toEqual([0, 0xfee00900]);
    wr(0x1b, 0, 0xfed00900);
    expect(rd(0x1b)).toEqual([0, 0xfed00900]);
    expect(mmio.covers(0xfed00000)).toBe(true);
  });
});
