/**
 * MMIO windows (src/memory/mmio.ts) and every path by which a guest access
 * reaches one: GuestPhysicalMemory (page walks, loaders, devices), the
 * MMU's TLB-miss fills for translated code (shadow and nested, paging on
 * and off), the VMM's linear accesses (MmuLinearMemory) and the physical
 * emitter's out-of-line path (SlowMemoryPath). A window's page never gets
 * a TLB entry, so every access to it is seen by the device.
 */
import { describe, expect, it } from 'vitest';
import { MmioMap, type MmioDevice } from '../../src/memory/mmio.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { SlowMemoryPath } from '../../src/codegen/memory-access.js';
import { Translation } from '../../src/mmu/mmu.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { MmuLinearMemory } from '../../src/vmm/mmu-linear-memory.js';
import { CpuState } from '../../src/state/state.js';
import { GuestTables, P, RW, pagedCpu } from '../mmu/guest-tables.js';

const WINDOW = 0xfee00000;

/** A device whose registers are a Uint32Array of the window, recording every access. */
class RecordingDevice implements MmioDevice {
  readonly log: string[] = [];
  readonly regs = new Uint32Array(1024);
  leave = 0;
  mmioRead(offset: number, size: number): number {
    this.log.push(`r${size}@${offset.toString(16)}`);
    const v = this.regs[offset >>> 2]! >>> (8 * (offset & 3));
    return size === 4 ? v >>> 0 : v & ((1 << (8 * size)) - 1);
  }
  mmioWrite(offset: number, size: number, value: number): number {
    this.log.push(`w${size}@${offset.toString(16)}=${value.toString(16)}`);
    if (size === 4) this.regs[offset >>> 2] = value;
    return this.leave;
  }
}

describe('MmioMap', () => {
  it('routes an access inside a window whole, splits one across its edge into bytes, and reads open bus elsewhere', () => {
    const map = new MmioMap();
    const dev = new RecordingDevice();
    map.map(dev, WINDOW, 0x1000);
    dev.regs[0x30 >>> 2] = 0x50014;
    expect(map.read(WINDOW + 0x30, 4)).toBe(0x50014);
    expect(map.read(WINDOW - 4, 4)).toBe(0xffffffff);
    expect(map.read(WINDOW + 0xfff, 2)).toBe(0xff00); // last byte of the window, then open bus
    expect(dev.log).toEqual(['r4@30', 'r1@fff']);
    expect(map.covers(WINDOW + 0xfff)).toBe(true);
    expect(map.covers(WINDOW + 0x1000)).toBe(false);
  });

  it('moves and removes windows', () => {
    const map = new MmioMap();
    const dev = new RecordingDevice();
    map.map(dev, WINDOW, 0x1000);
    map.map(dev, 0xfed00000, 0x1000);
    expect([map.covers(WINDOW), map.covers(0xfed00000)]).toEqual([false, true]);
    map.unmap(dev);
    expect(map.covers(0xfed00000)).toBe(false);
    expect(map.write(0xfed00000, 4, 1)).toBe(0);
  });
});

describe('GuestPhysicalMemory beyond RAM', () => {
  it('reads and writes go to the window (page walks, devices and loaders use this path)', () => {
    const t = new GuestTables(1 << 20);
    const dev = new RecordingDevice();
    t.mem.mmio.map(dev, WINDOW, 0x1000);
    t.mem.write32(WINDOW + 0x80, 0x12);
    expect(t.mem.read32(WINDOW + 0x80)).toBe(0x12);
    expect(t.mem.read8(WINDOW + 0x1000)).toBe(0xff);
    expect(dev.log).toEqual(['w4@80=12', 'r4@80']);
  });
});

const mmus: Record<string, (cpu: CpuState, t: GuestTables) => MmuCore> = {
  shadow: (cpu, t) => new ShadowMmu(cpu, t.mem),
  nested: (cpu, t) => new NestedMmu(cpu, t.mem),
};

for (const [kind, make] of Object.entries(mmus)) {
  describe(`--mmu ${kind}: translated code's fills and the VMM's accesses reach the window`, () => {
    function paged() {
      const t = new GuestTables(1 << 20);
      const dev = new RecordingDevice();
      t.mem.mmio.map(dev, WINDOW, 0x1000);
      const pd = t.allocPage();
      t.map4k(pd, 0x40000000, WINDOW, P | RW);
      t.map4k(pd, 0x00200000, 0x00200000, P | RW);
      const cpu = pagedCpu(pd);
      const mmu = make(cpu, t);
      return { t, dev, cpu, mmu };
    }

    it('paging on: reads come from the device, never from a TLB entry', () => {
      const { dev, mmu } = paged();
      dev.regs[0x30 >>> 2] = 0x50014;
      for (let i = 0; i < 3; i++) {
        expect(mmu.fillRead(0x40000030, 4)).toBe(Translation.Done);
        expect(mmu.slowValue).toBe(0x50014);
      }
      expect(mmu.tlb.supervisorRead[0x40000]).toBe(-1);
      expect(dev.log).toEqual(['r4@30', 'r4@30', 'r4@30']);
    });

    it('paging on: a store reaches the device; a device asking to leave makes it DoneInvalidated', () => {
      const { dev, mmu } = paged();
      expect(mmu.fillWrite(0x400000b0, 4, 0, null)).toBe(Translation.Done);
      dev.leave = 1;
      expect(mmu.fillWrite(0x40000300, 4, 0x40061, null)).toBe(Translation.DoneInvalidated);
      expect(mmu.tlb.supervisorWrite[0x40000]).toBe(-1);
      expect(dev.log).toEqual(['w4@b0=0', 'w4@300=40061']);
      expect(dev.regs[0x300 >>> 2]).toBe(0x40061);
    });

    it('paging off: linear = guest-physical, same routing', () => {
      const t = new GuestTables(1 << 20);
      const dev = new RecordingDevice();
      t.mem.mmio.map(dev, WINDOW, 0x1000);
      const cpu = new CpuState();
      cpu.cr0 = 0x11;
      const mmu = make(cpu, t);
      dev.regs[0x20 >>> 2] = 0x01000000;
      expect(mmu.fillRead(WINDOW + 0x20 | 0, 4)).toBe(Translation.Done);
      expect(mmu.slowValue).toBe(0x01000000);
      expect(mmu.fillWrite(WINDOW + 0x80 | 0, 4, 0x20, null)).toBe(Translation.Done);
      expect(dev.regs[0x80 >>> 2]).toBe(0x20);
    });

    it('the VMM\'s accesses (MmuLinearMemory): whole dword reads and writes', () => {
      const { t, dev, cpu, mmu } = paged();
      const linear = new MmuLinearMemory(mmu, cpu, t.mem);
      dev.regs[0xf0 >>> 2] = 0x1ff;
      expect(linear.read32(0x400000f0)).toBe(0x1ff);
      linear.write32(0x40000080, 0x30);
      expect(dev.regs[0x80 >>> 2]).toBe(0x30);
      expect(dev.log).toEqual(['r4@f0', 'w4@80=30']);
    });
  });
}

describe('SlowMemoryPath (paging off, identity map): accesses at or above the end of RAM', () => {
  it('go to the windows; a store whose device asks to leave answers 1', () => {
    const mem = new PhysicalMemory(1 << 20);
    const map = new MmioMap();
    const dev = new RecordingDevice();
    map.map(dev, WINDOW, 0x1000);
    const slow = new SlowMemoryPath(mem, new Uint8Array(1 << 20), () => 0, map);
    dev.regs[0x30 >>> 2] = 0x50014;
    expect(slow.load32(WINDOW + 0x30)).toBe(0x50014);
    expect(slow.store32(WINDOW + 0xb0, 0, null)).toBe(0);
    dev.leave = 1;
    expect(slow.store32(WINDOW + 0x300, 0x40061, null)).toBe(1);
    expect(slow.load32(0xfd000000)).toBe(-1);
    mem.write32(0x100, 0x1234);
    expect(slow.load32(0x100)).toBe(0x1234); // RAM is still RAM
    expect(dev.log).toEqual(['r4@30', 'w4@b0=0', 'w4@300=40061']);
  });
});
