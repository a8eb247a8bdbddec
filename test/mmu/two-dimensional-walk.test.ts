/**
 * What a nested-paging TLB miss costs, as the statistics count it: each
 * guest paging-structure entry the walk reads (walkAccesses) is itself a
 * guest-physical address that must be mapped to machine memory, and so is
 * the final page — mapLookups = walkAccesses + 1 per miss. This is the
 * two-dimensional walk docs/virtualization.md compares with shadow paging;
 * nothing else checks that the counters add up.
 */
import { describe, expect, it } from 'vitest';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { GuestDriver } from './guest-driver.js';
import { A, D, GuestTables, P, RW, US, pagedCpu } from './guest-tables.js';

function nested() {
  const t = new GuestTables(8 << 20);
  const pd = t.allocPage();
  t.map4k(pd, 0x40000000, 0x500000, P | RW | US | A | D, P | RW | US | A);
  t.map4m(pd, 0x80000000, 0x400000, P | RW | US | A | D);
  const cpu = pagedCpu(pd, { pse: true });
  const mmu = new NestedMmu(cpu, t.mem);
  return { t, mmu, g: new GuestDriver(mmu, cpu) };
}

describe('nested paging: the two-dimensional walk in the statistics', () => {
  it('a 4 KiB miss reads two guest entries and maps three guest-physical pages', () => {
    const { t, mmu, g } = nested();
    t.mem.write32(0x500010, 0x1234);
    const before = { ...mmu.statistics };
    expect(g.load(0x40000010, 4)).toEqual({ kind: 'ok', value: 0x1234 });
    const s = mmu.statistics;
    expect([s.walks - before.walks, s.walkAccesses - before.walkAccesses, s.mapLookups - before.mapLookups]).toEqual([1, 2, 3]);
    g.load(0x40000014, 4); // a TLB hit: no walk, no lookup
    expect([s.walks - before.walks, s.mapLookups - before.mapLookups]).toEqual([1, 3]);
  });

  it('a 4 MiB miss reads one guest entry and maps two', () => {
    const { t, mmu, g } = nested();
    t.mem.write32(0x400020, 0x5678);
    const before = { ...mmu.statistics };
    expect(g.load(0x80000020, 4)).toEqual({ kind: 'ok', value: 0x5678 });
    const s = mmu.statistics;
    expect([s.walks - before.walks, s.walkAccesses - before.walkAccesses, s.mapLookups - before.mapLookups]).toEqual([1, 1, 2]);
  });
});
