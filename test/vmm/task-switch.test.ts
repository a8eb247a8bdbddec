/**
 * Hardware task switching against the SDM (Vol. 3A chapter 7 and the
 * JMP/CALL/INT/IRET pseudo-code), for the rules a fixture kernel cannot show
 * well under QEMU: the order of the TSS descriptor checks and their error
 * codes, faults after the commit point raised in the new task's context, the
 * TSS's T bit, an exception's error code on the new task's stack, and the
 * state saved into the old TSS. The whole-system behaviour (call/iret,
 * jmp through a gate, #DF through an IDT task gate, the I/O bitmap, CR0.TS)
 * is fixtures/system/hwtask.c, compared with QEMU in test/system.
 */
import { describe, expect, it } from 'vitest';
import { SEG_CS, SEG_DS, SEG_SS } from '../../src/state/state.js';
import {
  FREE_SLOT, KCODE, KDATA, TSS, TSS_SEL, TestGuest, UCODE, gateDesc, handlerOf, segDesc,
} from './guest-builder.js';

const GP = 13, NP = 11, TS = 10, DB = 1;
const NT = 0x4000;
/** A second task: its TSS descriptor, its TSS, and a task gate naming it. */
const TASK2 = FREE_SLOT, TASK2_TSS = 0x4000, GATE2 = FREE_SLOT + 8, BAD = FREE_SLOT + 16;
const TASK2_EIP = 0x7000, TASK2_ESP = 0xa000;

function withTask2(g: TestGuest, fields: Partial<Record<'cs' | 'ss' | 'ds' | 'eflags' | 'trap', number>> = {}, limit = 0x67): void {
  g.setDesc(TASK2, segDesc(TASK2_TSS, limit, 0x89, 0));
  const p = g.phys;
  p.write32(TASK2_TSS + 0x20, TASK2_EIP);
  p.write32(TASK2_TSS + 0x24, fields.eflags ?? 2);
  for (let r = 0; r < 8; r++) p.write32(TASK2_TSS + 0x28 + 4 * r, 0x100 + r);
  p.write32(TASK2_TSS + 0x38, TASK2_ESP);
  const ds = fields.ds ?? KDATA;
  for (const [seg, sel] of [[0, ds], [1, fields.cs ?? KCODE], [2, fields.ss ?? KDATA], [3, ds], [4, ds], [5, ds]] as const) {
    p.write32(TASK2_TSS + 0x48 + 4 * seg, sel);
  }
  p.write16(TASK2_TSS + 0x64, fields.trap ?? 0);
  g.setDesc(GATE2, gateDesc(TASK2, 0, 5, 0));
}

const busy = (g: TestGuest, sel: number): number => (g.phys.read8(0x1000 + sel + 5) >>> 1) & 1;

function expectFault(g: TestGuest, vector: number, errorCode: number): void {
  expect(g.core.end).toBeNull();
  expect(g.cpu.eip).toBe(handlerOf(vector));
  expect(g.stack(1)[0]).toBe(errorCode);
}

describe('task switch: the checks before the switch, in the SDM order', () => {
  it('jmp to a TSS whose DPL is below CPL is #GP(sel) before the present check', () => {
    const g = new TestGuest();
    withTask2(g);
    g.setDesc(TASK2, segDesc(TASK2_TSS, 0x67, 0x09, 0)); // not present, DPL 0
    g.enterRing(3);
    g.emulate('farJmp', TASK2 | 3, 0, 4);
    expectFault(g, GP, TASK2);
  });

  it('not present is #NP(sel) before the limit check; a limit below 0x67 is #TS(sel)', () => {
    const g = new TestGuest();
    withTask2(g);
    g.setDesc(TASK2, segDesc(TASK2_TSS, 0x66, 0x09, 0));
    g.emulate('farCall', TASK2, 0, 4);
    expectFault(g, NP, TASK2);
    const h = new TestGuest();
    withTask2(h, {}, 0x66);
    h.emulate('farCall', TASK2, 0, 4);
    expectFault(h, TS, TASK2);
    expect(h.cpu.trSel).toBe(TSS_SEL);
  });

  it('a task gate naming an LDT selector is #GP(TSS selector); a gate not present #NP(gate selector)', () => {
    const g = new TestGuest();
    withTask2(g);
    g.setDesc(GATE2, gateDesc(TASK2 | 4, 0, 5, 0));
    g.emulate('farJmp', GATE2, 0, 4);
    expectFault(g, GP, TASK2 | 4);
    const h = new TestGuest();
    withTask2(h);
    h.setDesc(GATE2, gateDesc(TASK2, 0, 5, 0, false));
    h.emulate('farJmp', GATE2, 0, 4);
    expectFault(h, NP, GATE2);
  });

  it('iret with NT=1 to a back link that is not a busy TSS is #TS(link)', () => {
    const g = new TestGuest();
    withTask2(g);
    g.phys.write16(TSS, TASK2); // available, not busy
    g.cpu.eflagsSys |= NT;
    g.emulate('iret', 4);
    expectFault(g, TS, TASK2);
  });
});

describe('task switch: state', () => {
  it('call saves the old task at the return point, nests (NT, back link, busy), sets CR0.TS; iret undoes it', () => {
    const g = new TestGuest();
    withTask2(g);
    g.cpu.regs[0] = 0xaaaa;
    g.cpu.cr0 &= ~8;
    g.emulate('farCall', TASK2, 0, 4, 0x4321);
    expect([g.cpu.trSel, g.cpu.eip, g.cpu.regs[4], g.cpu.regs[0]]).toEqual([TASK2, TASK2_EIP, TASK2_ESP, 0x100]);
    expect(g.cpu.eflagsSys & NT).toBe(NT);
    expect(g.cpu.cr0 & 8).toBe(8);
    expect([g.phys.read16(TASK2_TSS), busy(g, TASK2), busy(g, TSS_SEL)]).toEqual([TSS_SEL, 1, 1]);
    expect([g.phys.read32(TSS + 0x20), g.phys.read32(TSS + 0x28), g.phys.read32(TSS + 0x4c)]).toEqual([0x4321, 0xaaaa, KCODE]);
    g.emulate('iret', 4, 0, 0, 0x7005);
    expect([g.cpu.trSel, g.cpu.eip, g.cpu.regs[0], g.cpu.eflagsSys & NT]).toEqual([TSS_SEL, 0x4321, 0xaaaa, 0]);
    expect([busy(g, TASK2), busy(g, TSS_SEL)]).toEqual([0, 1]);
    expect([g.phys.read32(TASK2_TSS + 0x20), g.phys.read32(TASK2_TSS + 0x24) & NT]).toEqual([0x7005, 0]);
  });

  it('jmp through a task gate does not nest: NT as the TSS has it, back link untouched, the old task not busy', () => {
    const g = new TestGuest();
    withTask2(g);
    g.phys.write16(TASK2_TSS, 0x1234);
    g.emulate('farJmp', GATE2, 0, 4);
    expect([g.cpu.trSel, g.cpu.eip, g.cpu.eflagsSys & NT]).toEqual([TASK2, TASK2_EIP, 0]);
    expect([g.phys.read16(TASK2_TSS), busy(g, TASK2), busy(g, TSS_SEL)]).toEqual([0x1234, 1, 0]);
  });

  it('the new task\'s LDT is loaded before its segments: a CS from that LDT works', () => {
    const g = new TestGuest();
    withTask2(g, { cs: 0x04 });
    g.phys.write32(TASK2_TSS + 0x60, BAD);
    g.setDesc(BAD, segDesc(0x5000, 0xf, 0x82, 0));
    const [lo, hi] = segDesc(0x100, 0xfffff, 0x9a);
    g.phys.write32(0x5000, lo);
    g.phys.write32(0x5004, hi);
    g.emulate('farJmp', TASK2, 0, 4);
    expect(g.core.end).toBeNull();
    expect([g.cpu.ldtSel, g.cpu.ldtBase, g.cpu.segSel[SEG_CS], g.cpu.segBase[SEG_CS], g.cpu.eip]).toEqual([BAD, 0x5000, 4, 0x100, TASK2_EIP]);
  });

  it('a task switch may enter ring 3: CPL comes from the new CS', () => {
    const g = new TestGuest();
    withTask2(g, { cs: UCODE, ss: 0x23, ds: 0x23 });
    g.emulate('farCall', TASK2, 0, 4);
    expect([g.cpu.cpl, g.cpu.segSel[SEG_CS], g.cpu.segSel[SEG_SS]]).toEqual([3, UCODE, 0x23]);
  });
});

describe('task switch: faults after the commit point belong to the new task', () => {
  it('a DS not present is #NP(DS) delivered at the new task\'s first instruction, on its stack', () => {
    const g = new TestGuest();
    withTask2(g, { ds: BAD });
    g.setDesc(BAD, segDesc(0, 0xfffff, 0x12));
    g.emulate('farCall', TASK2, 0, 4, 0x4321);
    expectFault(g, NP, BAD);
    expect(g.cpu.trSel).toBe(TASK2);
    expect(g.stack(2)[1]).toBe(TASK2_EIP);
    expect(g.cpu.regs[4]).toBe(TASK2_ESP - 16);
    expect(g.phys.read32(TSS + 0x20)).toBe(0x4321);
    expect(g.cpu.segSel[SEG_DS]).toBe(BAD);
  });

  it('the TSS\'s T bit raises #DB at the new task\'s first instruction and sets DR6.BT', () => {
    const g = new TestGuest();
    withTask2(g, { trap: 1 });
    g.emulate('farJmp', TASK2, 0, 4);
    expect(g.cpu.eip).toBe(handlerOf(DB));
    expect(g.stack(1)[0]).toBe(TASK2_EIP);
    expect(g.cpu.dr[6]! & 0x8000).toBe(0x8000);
  });
});

describe('task switch: IDT task gates', () => {
  it('an exception with an error code pushes it on the new task\'s stack; the new task is nested', () => {
    const g = new TestGuest();
    withTask2(g);
    g.setGate(GP, gateDesc(TASK2, 0, 5, 0));
    g.cpu.eip = 0x4000;
    g.emulate('loadSeg', SEG_DS, 0x1f8); // beyond the GDT: #GP(0x1f8)
    expect([g.core.end, g.cpu.trSel, g.cpu.eip, g.cpu.regs[4]]).toEqual([null, TASK2, TASK2_EIP, TASK2_ESP - 4]);
    expect(g.stack(1)[0]).toBe(0x1f8);
    expect(g.cpu.eflagsSys & NT).toBe(NT);
    expect([g.phys.read16(TASK2_TSS), g.phys.read32(TSS + 0x20)]).toEqual([TSS_SEL, 0x4000]);
  });

  it('a fault after the commit point is the new task\'s own exception, not a double fault of the delivery', () => {
    const g = new TestGuest();
    withTask2(g, { ds: BAD });
    g.setDesc(BAD, segDesc(0, 0xfffff, 0x12));
    g.setGate(GP, gateDesc(TASK2, 0, 5, 0));
    g.emulate('loadSeg', SEG_DS, 0x1f8);
    expectFault(g, NP, BAD);
    expect([g.cpu.trSel, g.stack(2)[1]]).toEqual([TASK2, TASK2_EIP]);
  });

  it('int n to a task gate checks the gate DPL (#GP(vector*8+2)); a busy target TSS is #GP(sel|EXT) for an exception', () => {
    const g = new TestGuest();
    withTask2(g);
    g.setGate(0x40, gateDesc(TASK2, 0, 5, 0));
    g.enterRing(3);
    g.cpu.eip = 0x4000;
    g.emulate('int', 0x40, 0, 0, 0x4002);
    expectFault(g, GP, 0x40 * 8 + 2);
    const h = new TestGuest();
    h.setGate(GP, gateDesc(TSS_SEL, 0, 5, 0)); // the running task: busy
    h.setGate(8, gateDesc(KCODE, handlerOf(8), 0xe, 0));
    h.emulate('loadSeg', SEG_DS, 0x1f8);
    // #GP(sel|EXT) while delivering #GP: a double fault.
    expectFault(h, 8, 0);
  });
});
