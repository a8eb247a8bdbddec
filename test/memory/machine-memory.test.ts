/**
 * The pieces under the MMU: the machine map is a permutation, guest-physical
 * access through a scattered map behaves byte for byte like PhysicalMemory
 * (the identity), and the software TLB's cheap flush clears exactly what
 * was filled, falling back to a full clear past its tracking bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuestMemoryError, PhysicalMemory } from '../../src/memory/physical-memory.js';
import { GuestPhysicalMemory } from '../../src/memory/guest-physical-memory.js';
import { MachineMap } from '../../src/memory/machine-map.js';
import { createMmu, parseMmuKind, UnknownMmuKind } from '../../src/mmu/create-mmu.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { CpuState } from '../../src/state/state.js';
import { SoftwareTlb, TLB_ENTRIES } from '../../src/mmu/software-tlb.js';

const RAM = 64 * 4096;

describe('MachineMap', () => {
  it('scatters as a permutation, reproducibly, and has no machine page beyond RAM', () => {
    const a = MachineMap.scattered(RAM, 42);
    expect([...a.toMachine].sort((x, y) => x - y)).toEqual([...Array(64).keys()]);
    expect(a.isIdentity).toBe(false);
    expect([...MachineMap.scattered(RAM, 42).toMachine]).toEqual([...a.toMachine]);
    for (let g = 0; g < 64; g++) expect(a.toGuest[a.toMachine[g]!]).toBe(g);
    expect(a.machinePage(64)).toBe(-1);
    expect(a.machineAddress(2 ** 32 + 5)).toBe(-1);
    expect(MachineMap.identity(RAM).isIdentity).toBe(true);
    expect(() => MachineMap.identity(0x1_0000_0000)).toThrow(RangeError);
  });
});

describe('GuestPhysicalMemory over a scattered map', () => {
  it('every access equals PhysicalMemory on the same operations (0xFF and dropped writes beyond RAM)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ write: fc.boolean(), pa: fc.oneof(fc.nat(RAM + 8), fc.constantFrom(4094, 4095, RAM - 2, 0xfffffffe)),
          size: fc.constantFrom(1, 2, 4), v: fc.nat(0xffffffff) }), { maxLength: 60 }),
        fc.integer({ min: 1 }),
        (ops, seed) => {
          const model = new PhysicalMemory(RAM);
          const g = new GuestPhysicalMemory(new PhysicalMemory(RAM), MachineMap.scattered(RAM, seed));
          for (const o of ops) {
            if (o.write) {
              if (o.pa + o.size > 2 ** 32) continue; // PhysicalMemory wraps at 4 GiB; guest-physical pages do not
              if (o.size === 1) model.write8(o.pa, o.v);
              else if (o.size === 2) model.write16(o.pa, o.v);
              else model.write32(o.pa, o.v);
              g.write(o.pa, o.size, o.v);
            } else if (o.pa + o.size <= 2 ** 32) {
              expect(g.read(o.pa, o.size)).toBe(o.size === 1 ? model.read8(o.pa) : o.size === 2 ? model.read16(o.pa) : model.read32(o.pa));
            }
          }
          expect(Buffer.compare(g.slice(0, RAM), model.slice(0, RAM))).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('loads and slices across scattered pages; refuses ranges outside RAM', () => {
    const g = new GuestPhysicalMemory(new PhysicalMemory(RAM), MachineMap.scattered(RAM, 3));
    const data = Uint8Array.from({ length: 3 * 4096 + 17 }, (_, i) => (i * 7) & 0xff);
    g.load(4000, data);
    expect(Buffer.compare(g.slice(4000, data.length), data)).toBe(0);
    expect(g.read8(4000 + 5000)).toBe((5000 * 7) & 0xff);
    expect(() => g.load(RAM - 2, new Uint8Array(4))).toThrow(GuestMemoryError);
  });
});

describe('SoftwareTlb', () => {
  it('flushes only what it filled, and fully once tracking overflows', () => {
    const tlb = new SoftwareTlb();
    tlb.setRead(5, 0x1000);
    tlb.setWrite(5, 0x1000);
    tlb.setRead(0xfffff, 0x2000);
    tlb.flushAll();
    expect(tlb.read[5]).toBe(-1);
    expect(tlb.write[5]).toBe(-1);
    expect(tlb.read[0xfffff]).toBe(-1);
    for (let p = 0; p < 10000; p++) tlb.setRead(p * 97 % TLB_ENTRIES, p << 12);
    tlb.flushAll();
    expect(tlb.read.every((v) => v === -1)).toBe(true);
  });

  it('drops write entries to a page that becomes traced, keeping reads', () => {
    const tlb = new SoftwareTlb();
    tlb.setRead(7, 0x3000);
    tlb.setWrite(7, 0x3000);
    tlb.setWrite(8, 0x4000);
    tlb.dropWritesTo(3);
    expect([tlb.read[7], tlb.write[7], tlb.write[8]]).toEqual([0x3000, -1, 0x4000]);
  });
});

describe('createMmu', () => {
  it('builds the MMU --mmu names over identity or scattered memory; rejects other names with a typed error', () => {
    const cpu = new CpuState();
    const shadow = createMmu(cpu, new PhysicalMemory(RAM));
    expect(shadow).toBeInstanceOf(ShadowMmu);
    expect(shadow.mem.map.isIdentity).toBe(true);
    const nested = createMmu(cpu, new PhysicalMemory(RAM), { kind: parseMmuKind('nested'), scatterSeed: 9 });
    expect(nested).toBeInstanceOf(NestedMmu);
    expect(nested.mem.map.isIdentity).toBe(false);
    expect(() => parseMmuKind('ept')).toThrow(UnknownMmuKind);
  });
});
