import { describe, expect, it } from 'vitest';
import { SEG_CS, SEG_DS, SEG_ES, SEG_SS } from '../../src/state/state.js';
import { ZF, arithFlags } from '../../src/vmm/lazy-flags.js';
import {
  FREE_SLOT, GDT, KCODE, KDATA, KSTACK, TSS_SEL, TestGuest, UCODE, UDATA, USTACK, gateDesc, handlerOf, segDesc,
} from './guest-builder.js';

const GP = 13, NP = 11, SS = 12, DF = 8, UD = 6;

function expectFault(g: TestGuest, vector: number, errorCode: number): void {
  expect(g.cpu.eip).toBe(handlerOf(vector));
  expect(g.stack(1)[0]).toBe(errorCode);
}

describe('segment loads', () => {
  it('ring 0 may load any data segment; the accessed bit is set and the cache filled', () => {
    const g = new TestGuest();
    g.setDesc(FREE_SLOT, segDesc(0x12345000, 0x00fff, 0x92, 0x4));
    g.emulate('loadSeg', SEG_ES, FREE_SLOT);
    expect([g.cpu.segSel[SEG_ES], g.cpu.segBase[SEG_ES], g.cpu.segLimit[SEG_ES]]).toEqual([FREE_SLOT, 0x12345000, 0xfff]);
    expect((g.phys.read32(GDT + FREE_SLOT + 4) >>> 8) & 1).toBe(1);
  });

  it('ring 3 loading a DPL-0 data segment is #GP(selector)', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.emulate('loadSeg', SEG_DS, KDATA);
    expectFault(g, GP, KDATA);
  });

  it('SS: null is #GP(0), DPL ≠ CPL is #GP(sel), not present is #SS(sel); a load opens the interrupt shadow', () => {
    const g = new TestGuest();
    g.emulate('loadSeg', SEG_SS, 0);
    expectFault(g, GP, 0);
    const h = new TestGuest();
    h.emulate('loadSeg', SEG_SS, UDATA & ~3);
    expectFault(h, GP, UDATA & ~3);
    const k = new TestGuest();
    k.setDesc(FREE_SLOT, segDesc(0, 0xfffff, 0x12));
    k.emulate('loadSeg', SEG_SS, FREE_SLOT);
    expectFault(k, SS, FREE_SLOT);
    const s = new TestGuest();
    s.emulate('loadSeg', SEG_SS, KDATA, 0, 0x555);
    expect(s.core.shadowEip).toBe(0x555);
  });

  it('DS: not present is #NP(sel), beyond the GDT limit #GP(sel), null is fine, code segments only if readable', () => {
    const g = new TestGuest();
    g.setDesc(FREE_SLOT, segDesc(0, 0xfffff, 0x12));
    g.emulate('loadSeg', SEG_DS, FREE_SLOT);
    expectFault(g, NP, FREE_SLOT);
    const h = new TestGuest();
    h.emulate('loadSeg', SEG_DS, 0x1f8);
    expectFault(h, GP, 0x1f8);
    const k = new TestGuest();
    k.emulate('loadSeg', SEG_DS, 0);
    expect(k.cpu.segSel[SEG_DS]).toBe(0);
    k.setDesc(FREE_SLOT, segDesc(0, 0xfffff, 0x98)); // execute-only code
    k.emulate('loadSeg', SEG_DS, FREE_SLOT);
    expectFault(k, GP, FREE_SLOT);
  });
});

describe('int and iret across rings', () => {
  it('int 0x80 from ring 3 switches to the TSS stack; iret returns and nulls ring-0 data segments', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.cpu.eip = 0x4000;
    g.cpu.regs[4] = USTACK - 16;
    g.emulate('int', 0x80, 0, 0, 0x4002);
    expect([g.cpu.eip, g.cpu.cpl, g.cpu.segSel[SEG_CS], g.cpu.segSel[SEG_SS], g.cpu.regs[4]]).toEqual([handlerOf(0x80), 0, KCODE, KDATA, KSTACK - 20]);
    expect(g.stack(5)).toEqual([0x4002, UCODE, 0x2, USTACK - 16, UDATA]);
    // The kernel loads its data segment, then returns.
    g.emulate('loadSeg', SEG_DS, KDATA);
    g.emulate('iret', 4);
    expect([g.cpu.eip, g.cpu.cpl, g.cpu.segSel[SEG_CS], g.cpu.segSel[SEG_SS], g.cpu.regs[4]]).toEqual([0x4002, 3, UCODE, UDATA, USTACK - 16]);
    expect(g.cpu.segSel[SEG_DS]).toBe(0);
    expect(g.cpu.segSel[SEG_ES]).toBe(UDATA);
  });

  it('int n through a DPL-0 gate from ring 3 is #GP(n*8+2)', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.cpu.eip = 0x4000;
    g.emulate('int', 0x0d);
    expectFault(g, GP, 0x0d * 8 + 2);
    expect(g.stack(2)[1]).toBe(0x4000); // the int itself faulted
  });

  it('iret in ring 3 cannot raise IOPL or set IF when IOPL < 3', () => {
    const g = new TestGuest();
    g.enterRing(3);
    const sp = (g.cpu.regs[4]! - 12) >>> 0;
    g.phys.write32(sp, 0x4100); g.phys.write32(sp + 4, UCODE); g.phys.write32(sp + 8, 0x3202);
    g.cpu.regs[4] = sp;
    g.emulate('iret', 4);
    expect([g.cpu.eip, g.cpu.eflagsSys & 0x3200]).toEqual([0x4100, 0]);
  });

  it('iret to a more privileged CS is #GP(cs)', () => {
    const g = new TestGuest();
    g.enterRing(3);
    const sp = (g.cpu.regs[4]! - 12) >>> 0;
    g.phys.write32(sp, 0x4100); g.phys.write32(sp + 4, KCODE); g.phys.write32(sp + 8, 0x2);
    g.cpu.regs[4] = sp;
    g.emulate('iret', 4);
    expectFault(g, GP, KCODE);
  });
});

describe('far transfers', () => {
  it('far call through a call gate from ring 3 copies parameters to the ring-0 stack; far ret returns', () => {
    const g = new TestGuest();
    g.setDesc(FREE_SLOT, gateDesc(KCODE, 0x7000, 0xc, 3, true, 2));
    g.enterRing(3);
    g.cpu.regs[4] = USTACK - 8;
    g.phys.write32(USTACK - 8, 0x1111); // param 0 (pushed last)
    g.phys.write32(USTACK - 4, 0x2222);
    g.cpu.eip = 0x4000;
    g.emulate('farCall', FREE_SLOT | 3, 0, 4, 0x4007);
    expect([g.cpu.eip, g.cpu.cpl, g.cpu.segSel[SEG_SS]]).toEqual([0x7000, 0, KDATA]);
    expect(g.stack(6)).toEqual([0x4007, UCODE, 0x1111, 0x2222, USTACK - 8, UDATA]);
    g.emulate('farRet', 4, 8);
    expect([g.cpu.eip, g.cpu.cpl, g.cpu.segSel[SEG_CS], g.cpu.regs[4]]).toEqual([0x4007, 3, UCODE, USTACK]);
  });

  it('far jmp to a code segment at another privilege is #GP(sel); to a busy TSS #GP(sel); to a 16-bit TSS unsupported', () => {
    const g = new TestGuest();
    g.emulate('farJmp', UCODE, 0x100, 4);
    expectFault(g, GP, UCODE & ~3);
    const b = new TestGuest();
    b.emulate('farJmp', TSS_SEL, 0, 4);
    expectFault(b, GP, TSS_SEL);
    const h = new TestGuest();
    h.setDesc(FREE_SLOT, segDesc(0x3000, 0x67, 0x81, 0));
    h.emulate('farJmp', FREE_SLOT, 0, 4);
    expect(h.core.end?.kind).toBe('unsupported');
  });

  it('far jmp beyond the segment limit is #GP(0)', () => {
    const g = new TestGuest();
    g.setDesc(FREE_SLOT, segDesc(0, 0xfff, 0x9a, 0x4));
    g.emulate('farJmp', FREE_SLOT, 0x1000, 4);
    expectFault(g, GP, 0);
  });

  it('sysenter enters ring 0 from the MSRs; sysexit returns to ring 3 at EDX with ESP=ECX', () => {
    const g = new TestGuest();
    g.cpu.sysenterCs = KCODE; g.cpu.sysenterEsp = 0x8800; g.cpu.sysenterEip = 0x7100;
    g.enterRing(3);
    g.emulate('sysenter');
    expect([g.cpu.cpl, g.cpu.eip, g.cpu.regs[4], g.cpu.segSel[SEG_CS], g.cpu.segSel[SEG_SS]]).toEqual([0, 0x7100, 0x8800, KCODE, KDATA]);
    g.cpu.regs[1] = 0x7ff0; g.cpu.regs[2] = 0x4010;
    g.emulate('sysexit');
    expect([g.cpu.cpl, g.cpu.eip, g.cpu.regs[4], g.cpu.segSel[SEG_CS], g.cpu.segSel[SEG_SS]]).toEqual([3, 0x4010, 0x7ff0, UCODE, UDATA]);
    g.emulate('sysexit');
    expectFault(g, GP, 0);
  });
});

describe('exception delivery', () => {
  it('a contributory fault while delivering #GP becomes #DF with error code 0', () => {
    const g = new TestGuest();
    g.setGate(GP, gateDesc(KCODE, handlerOf(GP), 0xe, 0, false));
    g.cpu.eip = 0x4000;
    g.monitor.raise(GP, 0);
    expectFault(g, DF, 0);
    expect(g.stack(2)[1]).toBe(0x4000);
  });

  it('a fault while delivering #DF is a triple fault that ends the run', () => {
    const g = new TestGuest();
    g.setGate(GP, gateDesc(KCODE, handlerOf(GP), 0xe, 0, false));
    g.setGate(DF, gateDesc(KCODE, handlerOf(DF), 0xe, 0, false));
    g.monitor.raise(GP, 0);
    expect(g.core.end?.kind).toBe('triple-fault');
  });

  it('a fault while delivering a benign exception is handled serially (#NP with EXT set)', () => {
    const g = new TestGuest();
    g.setGate(UD, gateDesc(KCODE, handlerOf(UD), 0xe, 0, false));
    g.monitor.raise(UD, -1);
    expectFault(g, NP, UD * 8 + 2 + 1);
  });

  it('an exception in ring 0 pushes EFLAGS, CS, EIP and the error code on the same stack', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x1234;
    g.monitor.raise(GP, 0x18);
    expect(g.stack(4)).toEqual([0x18, 0x1234, KCODE, 0x2]);
    expect(g.cpu.regs[4]).toBe(KSTACK - 16);
  });

  it('a ring-3 exception with a bad TSS stack selector is #TS, whose delivery needs the same stack: triple fault', () => {
    const g = new TestGuest();
    g.phys.write16(0x3000 + 8, UDATA); // SS0 with RPL 3
    g.enterRing(3);
    g.monitor.raise(UD, -1);
    const ts = `#TS(0x${((UDATA & ~3) | 1).toString(16)})`;
    // The end names the whole chain: the #UD, the #TS its delivery raised, the #DF, and the #TS that ended it.
    expect(g.core.end).toEqual({ kind: 'triple-fault', detail: `${ts} while delivering #DF at eip=0x0 (exceptions: #UD -> ${ts} -> #DF(0x0) -> ${ts})` });
  });
});

describe('lar, lsl, verr, verw', () => {
  it('report visible descriptors through ZF and write the register', () => {
    const g = new TestGuest();
    g.emulate('lar', KCODE, 3, 4);
    expect(arithFlags(g.cpu) & ZF).toBe(ZF);
    expect(g.cpu.regs[3]! >>> 0).toBe(0x00c09a00); // as in the GDT: never accessed
    g.emulate('lsl', KDATA, 3, 4);
    expect(g.cpu.regs[3]! >>> 0).toBe(0xffffffff);
    g.enterRing(3);
    g.cpu.regs[3] = 0x77;
    g.emulate('lsl', KDATA, 3, 4);
    expect(arithFlags(g.cpu) & ZF).toBe(0);
    expect(g.cpu.regs[3]).toBe(0x77);
    g.emulate('verw', UDATA);
    expect(arithFlags(g.cpu) & ZF).toBe(ZF);
    g.emulate('verw', UCODE);
    expect(arithFlags(g.cpu) & ZF).toBe(0);
    g.emulate('verr', UCODE);
    expect(arithFlags(g.cpu) & ZF).toBe(ZF);
  });
});
