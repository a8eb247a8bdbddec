import { describe, expect, it } from 'vitest';
import { VmmResult } from '../../src/vmm-interface/interface.js';
import { IF } from '../../src/vmm/lazy-flags.js';
import { TRAP_HOST_VIEW } from '../../src/vmm/privileged.js';
import { GDT, IDT, KCODE, KSTACK, TSS_SEL, TestGuest, UCODE, USTACK, UDATA, handlerOf } from './guest-builder.js';

const GP = 13, UD = 6;

/** After a #GP delivered from ring 3 the CPU is at the handler on the TSS stack with a 6-dword frame. */
function expectGpFromRing3(g: TestGuest, faultEip: number, errorCode = 0): void {
  expect(g.cpu.eip).toBe(handlerOf(GP));
  expect(g.cpu.cpl).toBe(0);
  expect(g.cpu.regs[4]).toBe(KSTACK - 24);
  const [err, eip, cs, , esp, ss] = g.stack(6);
  expect([err, eip, cs, esp, ss]).toEqual([errorCode, faultEip, UCODE, USTACK, UDATA]);
}

describe('cli / sti', () => {
  it('change the virtual IF in ring 0 whatever IOPL is', () => {
    const g = new TestGuest();
    g.cpu.eflagsSys |= IF;
    expect(g.emulate('cli')).toBe(VmmResult.Continue);
    expect(g.cpu.eflagsSys & IF).toBe(0);
    g.emulate('sti', 0, 0, 0, 0x1235);
    expect(g.cpu.eflagsSys & IF).toBe(IF);
    expect(g.core.shadowEip).toBe(0x1235);
  });

  it('#GP(0) in ring 3 when IOPL < 3, delivered through the IDT with a stack switch', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.cpu.eip = 0x4000;
    g.cpu.eflagsSys |= IF;
    expect(g.emulate('cli')).toBe(VmmResult.Leave);
    expectGpFromRing3(g, 0x4000);
    // The interrupt gate cleared IF; the pushed EFLAGS kept the guest's IF=1.
    expect(g.cpu.eflagsSys & IF).toBe(0);
    expect(g.stack(4)[3]! & IF).toBe(IF);
  });

  it('are allowed in ring 3 when IOPL = 3', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.setIopl(3);
    g.emulate('sti');
    expect(g.cpu.eflagsSys & IF).toBe(IF);
    expect(g.cpu.cpl).toBe(3);
  });

  it('sti with IF already set opens no new interrupt shadow', () => {
    const g = new TestGuest();
    g.cpu.eflagsSys |= IF;
    g.emulate('sti', 0, 0, 0, 0x99);
    expect(g.core.shadowEip).toBe(-1);
  });
});

describe('hlt and ring-0-only instructions', () => {
  it('hlt halts at ring 0 and leaves with EIP after it', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x100;
    expect(g.emulate('hlt', 0, 0, 0, 0x101)).toBe(VmmResult.Leave);
    expect(g.cpu.halted).toBe(true);
    expect(g.cpu.eip).toBe(0x101);
  });

  for (const [r, a, b] of [
    ['hlt', 0, 0], ['movToCr', 3, 0], ['movFromCr', 0, 0], ['movToDr', 7, 0], ['clts', 0, 0], ['lmsw', 1, 0],
    ['lgdt', 0x100, 4], ['lidt', 0x100, 4], ['lldt', 0, 0], ['ltr', TSS_SEL, 0], ['invlpg', 0, 0],
    ['invd', 0, 0], ['wbinvd', 0, 0], ['rdmsr', 0, 0], ['wrmsr', 0, 0],
  ] as const) {
    it(`${r} in ring 3 is #GP(0)`, () => {
      const g = new TestGuest();
      g.enterRing(3);
      g.cpu.eip = 0x4000;
      g.emulate(r, a, b);
      expectGpFromRing3(g, 0x4000);
      expect(g.cpu.halted).toBe(false);
    });
  }
});

describe('control and debug registers', () => {
  it('mov cr0 keeps ET set, clts clears TS, lmsw cannot clear PE', () => {
    const g = new TestGuest();
    expect(g.emulate('movToCr', 0, 0x0000000b)).toBe(VmmResult.Leave); // PE MP TS
    expect(g.cpu.cr0).toBe(0x1b);
    g.emulate('clts');
    expect(g.cpu.cr0).toBe(0x13);
    g.emulate('lmsw', 0x0000000e); // tries to clear PE, sets MP EM TS
    expect(g.cpu.cr0).toBe(0x1f);
    g.emulate('movFromCr', 0);
    expect(g.monitor.result).toBe(0x1f);
  });

  it('PG without PE, NW without CD, reserved CR4 bits are #GP(0); cr1 is #UD', () => {
    for (const [cr, v, vec] of [[0, 0x80000000, GP], [0, 0x20000001, GP], [4, 1, GP], [1, 0, UD]] as const) {
      const g = new TestGuest();
      g.cpu.eip = 0x777;
      g.emulate('movToCr', cr, v);
      expect(g.cpu.eip).toBe(handlerOf(vec));
    }
  });

  it('turning paging on or PE off ends the run as unsupported instead of misbehaving', () => {
    const g = new TestGuest();
    g.emulate('movToCr', 0, 0x80000011);
    expect(g.core.end?.kind).toBe('unsupported');
    const h = new TestGuest();
    h.emulate('movToCr', 0, 0x10);
    expect(h.core.end?.kind).toBe('unsupported');
  });

  it('DR6/DR7 read back with their fixed bits; DR4 aliases DR6 unless CR4.DE', () => {
    const g = new TestGuest();
    g.emulate('movToDr', 6, 0);
    g.emulate('movFromDr', 4);
    expect(g.monitor.result >>> 0).toBe(0xffff0ff0);
    g.emulate('movToDr', 7, 0);
    g.emulate('movFromDr', 7);
    expect(g.monitor.result).toBe(0x400);
    g.emulate('movToCr', 4, 8); // DE
    g.cpu.eip = 0x10;
    g.emulate('movFromDr', 5);
    expect(g.cpu.eip).toBe(handlerOf(UD));
  });
});

describe('descriptor-table registers', () => {
  it('lgdt/sgdt round-trip; a 16-bit lgdt keeps 24 bits of base', () => {
    const g = new TestGuest();
    g.phys.write16(0x500, 0x1234);
    g.phys.write32(0x502, 0xabcdef01);
    g.emulate('lgdt', 0x500, 4);
    expect([g.cpu.gdtBase >>> 0, g.cpu.gdtLimit]).toEqual([0xabcdef01, 0x1234]);
    g.emulate('sgdt', 0x600, 4);
    expect([g.phys.read16(0x600), g.phys.read32(0x602)]).toEqual([0x1234, 0xabcdef01]);
    g.emulate('lidt', 0x500, 2);
    expect(g.cpu.idtBase >>> 0).toBe(0xcdef01);
  });

  it('sgdt/sidt/smsw/str are unprivileged and show the virtual values in ring 3 under bt', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.emulate('sidt', 0x600, 4);
    expect([g.phys.read16(0x600), g.phys.read32(0x602)]).toEqual([0x7ff, IDT]);
    g.emulate('smsw');
    expect(g.monitor.result).toBe(0x11);
    g.emulate('str');
    expect(g.monitor.result).toBe(TSS_SEL);
  });

  it('under --virt=trap they leak the host values', () => {
    const g = new TestGuest('trap');
    g.emulate('sgdt', 0x600, 4);
    expect([g.phys.read16(0x600), g.phys.read32(0x602)]).toEqual([TRAP_HOST_VIEW.gdtLimit, TRAP_HOST_VIEW.gdtBase]);
    g.emulate('smsw');
    expect(g.monitor.result >>> 0).toBe(TRAP_HOST_VIEW.cr0);
  });

  it('ltr marks the TSS busy; ltr of a busy TSS is #GP(sel)', () => {
    const g = new TestGuest();
    expect((g.phys.read32(GDT + TSS_SEL + 4) >>> 8) & 0xf).toBe(0xb);
    g.cpu.eip = 0x40;
    g.emulate('ltr', TSS_SEL);
    expect(g.cpu.eip).toBe(handlerOf(GP));
    expect(g.stack(1)[0]).toBe(TSS_SEL);
  });

  it('lldt: null is allowed, a non-LDT descriptor is #GP(sel)', () => {
    const g = new TestGuest();
    g.emulate('lldt', 0);
    expect(g.cpu.ldtSel).toBe(0);
    g.emulate('lldt', KCODE);
    expect(g.cpu.eip).toBe(handlerOf(GP));
    expect(g.stack(1)[0]).toBe(KCODE);
  });
});

describe('rdtsc, rdmsr, wrmsr', () => {
  it('rdtsc counts virtual nanoseconds; CR4.TSD makes it #GP in ring 3', () => {
    const g = new TestGuest();
    g.now = 0x1_2345_6789;
    g.emulate('rdtsc');
    expect([g.cpu.regs[2], g.cpu.regs[0]! >>> 0]).toEqual([1, 0x23456789]);
    g.emulate('movToCr', 4, 4);
    g.enterRing(3);
    g.emulate('rdtsc');
    expect(g.cpu.eip).toBe(handlerOf(GP));
  });

  it('SYSENTER MSRs round-trip; an MSR QEMU 7.2 TCG does not model reads 0 instead of #GP', () => {
    const g = new TestGuest();
    g.cpu.regs[1] = 0x174;
    g.cpu.regs[0] = KCODE;
    g.emulate('wrmsr');
    g.cpu.regs[0] = 0;
    g.emulate('rdmsr');
    expect(g.cpu.regs[0]).toBe(KCODE);
    expect(g.cpu.sysenterCs).toBe(KCODE);
    g.cpu.regs[1] = 0xc0000080; // EFER: nothing of it is on qemu32
    g.cpu.regs[0] = -1;
    g.cpu.regs[2] = -1;
    const eip = g.cpu.eip;
    g.emulate('rdmsr');
    expect([g.cpu.regs[0], g.cpu.regs[2], g.cpu.eip]).toEqual([0, 0, eip]);
  });
});
