import { describe, expect, it } from 'vitest';
import type { PortDevice } from '../../src/vmm/devices/port-bus.js';
import { TestGuest, UCODE, handlerOf } from './guest-builder.js';
import { loadSegmentCache } from '../../src/vmm/descriptors.js';
import { SEG_DS, SEG_ES, SEG_SS } from '../../src/state/state.js';
import { MAX_ELEMENTS_PER_CALL } from '../../src/vmm/io.js';
import { VmmResult } from '../../src/vmm-interface/interface.js';

/** A device that records writes and answers reads with port + size. */
class Recorder implements PortDevice {
  readonly accessWidth = 4;
  writes: [number, number, number][] = [];
  readPort(port: number, size: 1 | 2 | 4): number { return (port + size) & 0xffff; }
  writePort(port: number, size: 1 | 2 | 4, value: number): void { this.writes.push([port, size, value]); }
}

function guestWithDevice(): { g: TestGuest; dev: Recorder } {
  const g = new TestGuest();
  const dev = new Recorder();
  g.registerDevice(0x300, dev, 8);
  // What the dispatcher leaves for a VMM call at the start of a time slice.
  g.cpu.budget = 1 << 16;
  return { g, dev };
}

describe('in / out', () => {
  it('ring 0 reaches the device', () => {
    const { g, dev } = guestWithDevice();
    g.emulate('out', 0x301, 0xabcd, 2);
    g.emulate('in', 0x302, 4);
    expect(dev.writes).toEqual([[0x301, 2, 0xabcd]]);
    expect(g.monitor.result).toBe(0x306);
  });

  it('ring 3 with IOPL 0 is allowed exactly where the TSS bitmap has zeros for every byte', () => {
    const { g, dev } = guestWithDevice();
    g.allowPorts(0x300, 2);
    g.enterRing(3);
    g.emulate('out', 0x300, 1, 2); // bytes 0x300, 0x301: open
    expect(dev.writes).toHaveLength(1);
    expect(g.cpu.cpl).toBe(3);
    g.cpu.eip = 0x4444;
    g.emulate('out', 0x301, 1, 2); // 0x302 closed → #GP(0)
    expect(dev.writes).toHaveLength(1);
    expect(g.cpu.eip).toBe(handlerOf(13));
    expect(g.stack(3)).toEqual([0, 0x4444, UCODE]);
  });

  it('a port beyond the bitmap (past the TSS limit) is #GP(0)', () => {
    const { g } = guestWithDevice();
    g.enterRing(3);
    g.emulate('in', 0x3fff, 1);
    expect(g.cpu.eip).toBe(handlerOf(13));
  });

  it('IOPL 3 allows every port from ring 3', () => {
    const { g, dev } = guestWithDevice();
    g.enterRing(3);
    g.setIopl(3);
    g.emulate('out', 0x307, 9, 1);
    expect(dev.writes).toEqual([[0x307, 1, 9]]);
  });
});

describe('ins / outs', () => {
  it('rep outsb writes ECX bytes from DS:ESI, advancing ESI and clearing ECX', () => {
    const { g, dev } = guestWithDevice();
    g.phys.load(0x6000, new Uint8Array([1, 2, 3]));
    g.cpu.regs[2] = 0x300; g.cpu.regs[6] = 0x6000; g.cpu.regs[1] = 3;
    g.emulate('outs', 1, 4 | 0x100, 3 /* DS */);
    expect(dev.writes.map((w) => w[2])).toEqual([1, 2, 3]);
    expect([g.cpu.regs[6], g.cpu.regs[1]]).toEqual([0x6003, 0]);
  });

  it('insw with DF=1 stores to ES:EDI and steps down; rep with ECX=0 does nothing', () => {
    const { g } = guestWithDevice();
    g.cpu.regs[2] = 0x304; g.cpu.regs[7] = 0x7000;
    g.cpu.eflagsSys |= 0x400;
    g.emulate('ins', 2, 4);
    expect(g.phys.read16(0x7000)).toBe(0x306);
    expect(g.cpu.regs[7]).toBe(0x6ffe);
    g.cpu.regs[1] = 0;
    g.emulate('ins', 2, 4 | 0x100);
    expect(g.cpu.regs[7]).toBe(0x6ffe);
  });
});

/** Descriptor words of a byte-granular 32-bit data segment (SDM vol. 3 §3.4.5); `type` 2 = read/write, 0 = read-only. */
function dataDescriptor(base: number, limit: number, type: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = ((base >>> 16) & 0xff) | ((0x10 | type) << 8) | (1 << 15) | (limit & 0xf0000) | (1 << 22) | (base & 0xff000000);
  return [lo | 0, hi | 0];
}

describe('ins / outs through limited segments (checked as translated code checks its own accesses)', () => {
  it('rep insb stops at ES\'s limit with #GP(0), EDI and ECX counting the bytes stored', () => {
    const { g } = guestWithDevice();
    const [lo, hi] = dataDescriptor(0x6000, 3, 2);
    loadSegmentCache(g.cpu, SEG_ES, 0x30, lo, hi);
    g.cpu.regs[2] = 0x300; g.cpu.regs[7] = 1; g.cpu.regs[1] = 5;
    g.cpu.eip = 0x4444;
    const icount = g.cpu.icount;
    g.emulate('ins', 1, 4 | 0x100);
    expect([g.phys.read8(0x6001), g.phys.read8(0x6002), g.phys.read8(0x6003), g.phys.read8(0x6004)]).toEqual([1, 1, 1, 0]);
    expect(g.cpu.icount - icount).toBe(3); // the elements stored retired; the generated code counts the faulting one
    expect([g.cpu.regs[7], g.cpu.regs[1]]).toEqual([4, 2]);
    expect(g.cpu.eip).toBe(handlerOf(13));
    expect(g.stack(3)[0]).toBe(0); // error code 0, EIP of the ins itself
    expect(g.stack(3)[1]).toBe(0x4444);
  });

  it('ins into a read-only ES is #GP(0) before the port is read; outs from it works', () => {
    const { g, dev } = guestWithDevice();
    const [lo, hi] = dataDescriptor(0x6000, 0xfff, 0);
    loadSegmentCache(g.cpu, SEG_ES, 0x30, lo, hi);
    g.phys.load(0x6010, new Uint8Array([7]));
    g.cpu.regs[2] = 0x300; g.cpu.regs[7] = 0x10; g.cpu.regs[6] = 0x10;
    g.emulate('outs', 1, 4, SEG_ES);
    expect(dev.writes).toEqual([[0x300, 1, 7]]);
    g.emulate('ins', 1, 4);
    expect(g.cpu.eip).toBe(handlerOf(13));
    expect(g.cpu.regs[7]).toBe(0x10);
  });

  it('outs through a null DS is #GP(0); through SS past its limit #SS(0); nothing reaches the device', () => {
    const { g, dev } = guestWithDevice();
    loadSegmentCache(g.cpu, SEG_DS, 0, 0, 0);
    g.cpu.regs[2] = 0x300; g.cpu.regs[6] = 0x10;
    g.emulate('outs', 1, 4, SEG_DS);
    expect(g.cpu.eip).toBe(handlerOf(13));
    const [lo, hi] = dataDescriptor(0, 0xffff, 2);
    loadSegmentCache(g.cpu, SEG_SS, 0x30, lo, hi);
    g.cpu.regs[6] = 0xfffe;
    g.emulate('outs', 4, 4, SEG_SS);
    expect(g.cpu.eip).toBe(handlerOf(12));
    expect(dev.writes).toEqual([]);
  });
});

describe('rep ins / outs are resumable: a bounded number of elements per call', () => {
  const INSN = 0x4444, NEXT = 0x4446;

  it('rep outsb with ECX = 0xFFFFFFFF moves MAX_ELEMENTS_PER_CALL, then leaves at the instruction with ECX/ESI counting them', () => {
    const { g, dev } = guestWithDevice();
    g.cpu.regs[2] = 0x300; g.cpu.regs[6] = 0x6000; g.cpu.regs[1] = -1;
    g.cpu.eip = INSN;
    const icount = g.cpu.icount, budget = g.cpu.budget;
    expect(g.emulate('outs', 1, 4 | 0x100, 3, NEXT)).toBe(VmmResult.Leave);
    expect(dev.writes).toHaveLength(MAX_ELEMENTS_PER_CALL);
    expect(g.cpu.eip).toBe(INSN);
    expect(g.cpu.regs[1]! >>> 0).toBe(0xffffffff - MAX_ELEMENTS_PER_CALL);
    expect(g.cpu.regs[6]).toBe(0x6000 + MAX_ELEMENTS_PER_CALL);
    // The generated code counts the instruction once on Leave; the monitor counts the other elements.
    expect(g.cpu.icount - icount).toBe(MAX_ELEMENTS_PER_CALL - 1);
    expect(budget - g.cpu.budget).toBe(MAX_ELEMENTS_PER_CALL - 1);
  });

  it('never moves more elements than the budget left (time slice or --max-insns), but always one', () => {
    const { g, dev } = guestWithDevice();
    g.cpu.regs[2] = 0x300; g.cpu.regs[6] = 0x6000; g.cpu.regs[1] = 100;
    g.cpu.eip = INSN;
    g.cpu.budget = 7;
    g.emulate('outs', 1, 4 | 0x100, 3, NEXT);
    expect(dev.writes).toHaveLength(7);
    expect([g.cpu.regs[1], g.cpu.budget, g.cpu.eip]).toEqual([93, 1, INSN]);
    g.cpu.budget = 0;
    g.emulate('outs', 1, 4 | 0x100, 3, NEXT);
    expect(dev.writes).toHaveLength(8);
  });

  it('calls resume where the last one stopped and the last leaves at the next instruction', () => {
    const { g, dev } = guestWithDevice();
    const n = 2 * MAX_ELEMENTS_PER_CALL + 5;
    g.phys.load(0x6000, Uint8Array.from({ length: n }, (_, i) => i & 0xff));
    g.cpu.regs[2] = 0x300; g.cpu.regs[6] = 0x6000; g.cpu.regs[1] = n;
    g.cpu.eip = INSN;
    let calls = 0;
    while (g.cpu.eip === INSN) {
      g.emulate('outs', 1, 4 | 0x100, 3, NEXT);
      calls++;
    }
    expect(calls).toBe(3);
    expect(g.cpu.eip).toBe(NEXT);
    expect(dev.writes.map((w) => w[2])).toEqual(Array.from({ length: n }, (_, i) => i & 0xff));
    expect([g.cpu.regs[1], g.cpu.regs[6]]).toEqual([0, 0x6000 + n]);
  });

  it('rep insw with a 16-bit address size steps CX and DI alone and keeps their upper halves', () => {
    const { g } = guestWithDevice();
    g.cpu.regs[2] = 0x302; g.cpu.regs[7] = 0x1234_fff0; g.cpu.regs[1] = 0x5678_2000;
    g.cpu.eip = INSN;
    g.emulate('ins', 2, 2 | 0x100, 0, NEXT);
    expect(g.cpu.eip).toBe(INSN);
    expect(g.cpu.regs[1]! >>> 0).toBe(0x5678_2000 - MAX_ELEMENTS_PER_CALL);
    expect(g.cpu.regs[7]! >>> 0).toBe(0x1234_0000 | ((0xfff0 + 2 * MAX_ELEMENTS_PER_CALL) & 0xffff));
    expect(g.phys.read16(0xfff0)).toBe(0x304); // the first element went to ES:0xfff0, not past 64 KiB
  });

  it('stops after the element during which the host asked to pause, with the rest still to do', () => {
    const { g, dev } = guestWithDevice();
    const write = dev.writePort.bind(dev);
    dev.writePort = (port, size, value) => {
      write(port, size, value);
      if (dev.writes.length === 3) g.core.hostBlocked = true;
    };
    g.cpu.regs[2] = 0x300; g.cpu.regs[6] = 0x6000; g.cpu.regs[1] = 10;
    g.cpu.eip = INSN;
    expect(g.emulate('outs', 1, 4 | 0x100, 3, NEXT)).toBe(VmmResult.Leave);
    expect([dev.writes.length, g.cpu.regs[1], g.cpu.eip]).toEqual([3, 7, INSN]);
  });

  it('a plain out leaves the block when the host asked to pause', () => {
    const { g, dev } = guestWithDevice();
    g.cpu.eip = INSN;
    expect(g.emulate('out', 0x300, 1, 1, NEXT)).toBe(VmmResult.Continue);
    g.core.hostBlocked = true;
    expect(g.emulate('out', 0x300, 2, 1, NEXT)).toBe(VmmResult.Leave);
    expect([dev.writes.length, g.cpu.eip]).toEqual([2, NEXT]);
  });
});
