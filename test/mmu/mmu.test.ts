/**
 * ShadowMmu and NestedMmu through the generated-code protocol: TLB fills,
 * faults with error code and CR2, page-crossing accesses, unbacked pages,
 * write tracing, invlpg/CR3/CPL handling (the privilege halves in detail:
 * tlb-halves.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { Access, Translation } from '../../src/mmu/mmu.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { GuestDriver } from './guest-driver.js';
import { A, CR0_BASE, D, GuestTables, P, RW, US, pagedCpu } from './guest-tables.js';

const RAM = 4 << 20;
const KINDS = [['shadow', ShadowMmu], ['nested', NestedMmu]] as const;

/** Identity-maps the low 4 MiB supervisor-only (the kernel), plus test pages above. */
function world(Kind: typeof ShadowMmu | typeof NestedMmu, opts: { wp?: boolean; cpl?: number } = {}) {
  const t = new GuestTables(RAM);
  const pd = t.allocPage();
  for (let p = 0; p < RAM; p += 4096) t.map4k(pd, p, p, P | RW, P | RW | US);
  const cpu = pagedCpu(pd, opts);
  const mmu: MmuCore = new Kind(cpu, t.mem);
  return { t, pd, cpu, mmu, g: new GuestDriver(mmu, cpu) };
}

describe.each(KINDS)('%s MMU', (_name, Kind) => {
  it('invlpg anywhere in a 4 MiB page drops all its cached pieces; in a 4 KiB page, that page only', () => {
    const t = new GuestTables(8 << 20);
    const pd = t.allocPage();
    t.map4m(pd, 0x40000000, 0, P | RW | US | A | D);
    t.map4k(pd, 0x80000000, 0x500000, P | RW | A | D);
    t.map4k(pd, 0x80001000, 0x501000, P | RW | A | D);
    const cpu = pagedCpu(pd, { pse: true });
    const mmu: MmuCore = new Kind(cpu, t.mem);
    const g = new GuestDriver(mmu, cpu);
    t.mem.write32(0x1000, 0x1111);
    t.mem.write32(0x3ff000, 0x2222);
    t.mem.write32(0x401000, 0x3333);
    t.mem.write32(0x7ff000, 0x4444);
    t.mem.write32(0x500000, 0x5555);
    t.mem.write32(0x501000, 0x6666);
    expect([g.load(0x40001000, 4), g.load(0x403ff000, 4)]).toEqual([{ kind: 'ok', value: 0x1111 }, { kind: 'ok', value: 0x2222 }]);
    expect([g.load(0x80000000, 4), g.load(0x80001000, 4)]).toEqual([{ kind: 'ok', value: 0x5555 }, { kind: 'ok', value: 0x6666 }]);
    // Remap the large page to the next 4 MiB and invalidate one address inside it: both pieces follow.
    t.map4m(pd, 0x40000000, 0x400000, P | RW | US | A | D);
    mmu.onInvlpg(0x40200000);
    expect([g.load(0x40001000, 4), g.load(0x403ff000, 4)]).toEqual([{ kind: 'ok', value: 0x3333 }, { kind: 'ok', value: 0x4444 }]);
    // Swap the two small pages and invalidate only the first: the second still shows its cached translation.
    t.map4k(pd, 0x80000000, 0x501000, P | RW | A | D);
    t.map4k(pd, 0x80001000, 0x500000, P | RW | A | D);
    mmu.onInvlpg(0x80000000);
    expect(g.load(0x80000000, 4)).toEqual({ kind: 'ok', value: 0x6666 });
    if (Kind === NestedMmu) expect(g.load(0x80001000, 4)).toEqual({ kind: 'ok', value: 0x6666 }); // stale, as on hardware
  });

  it('fills the TLB on a miss and then hits', () => {
    const { t, pd, mmu, g } = world(Kind);
    t.map4k(pd, 0x40000000, 0x30000, P | RW | US);
    t.mem.write32(0x30010, 0xcafef00d);
    expect(g.load(0x40000010, 4)).toEqual({ kind: 'ok', value: 0xcafef00d });
    expect(mmu.tlb.read[0x40000]).toBe(0x30000);
    expect(mmu.statistics.tlbMisses).toBe(1);
    expect(g.load(0x40000014, 2)).toEqual({ kind: 'ok', value: 0 });
    expect(mmu.statistics.tlbMisses).toBe(1);
  });

  it('installs a write entry only once the page is dirty', () => {
    const { t, pd, mmu, g } = world(Kind);
    t.map4k(pd, 0x40000000, 0x30000, P | RW | US);
    g.load(0x40000000, 4);
    expect(mmu.tlb.write[0x40000]).toBe(-1);
    g.store(0x40000000, 4, 7);
    expect(t.mem.read32(t.pteAddress(pd, 0x40000000)) & (A | D)).toBe(A | D);
    expect(mmu.tlb.write[0x40000]).toBe(0x30000);
    expect(t.mem.read32(0x30000)).toBe(7);
  });

  it('reports faults with the error code and CR2, leaving memory alone', () => {
    const { t, pd, cpu, mmu, g } = world(Kind, { cpl: 3 });
    mmu.onCplChange();
    expect(g.load(0x00001000, 4)).toEqual({ kind: 'fault', errorCode: 5, cr2: 0x1000 }); // supervisor page
    expect(g.store(0x50000000, 1, 1)).toEqual({ kind: 'fault', errorCode: 6, cr2: 0x50000000 });
    t.map4k(pd, 0x40000000, 0x30000, P | US);
    expect(g.store(0x40000ffe, 1, 1)).toEqual({ kind: 'fault', errorCode: 7, cr2: 0x40000ffe });
    expect(mmu.statistics.guestPageFaults).toBe(3);
    expect(cpu.cr2).toBe(0x40000ffe);
  });

  it('page-crossing accesses check both pages first; CR2 is the second page when it faults', () => {
    const { t, pd, g } = world(Kind, { cpl: 3 });
    g.mmu.onCplChange();
    t.map4k(pd, 0x40000000, 0x30000, P | RW | US);
    t.map4k(pd, 0x40001000, 0x38000, P | US);
    t.mem.write32(0x30ffc, 0x44332211);
    t.mem.write32(0x38000, 0x88776655);
    expect(g.load(0x40000ffe, 4)).toEqual({ kind: 'ok', value: 0x66554433 });
    expect(g.store(0x40000ffe, 4, 0xaabbccdd)).toEqual({ kind: 'fault', errorCode: 7, cr2: 0x40001000 });
    expect(t.mem.read32(0x30ffc)).toBe(0x44332211);
    t.map4k(pd, 0x40001000, 0x38000, P | RW | US);
    g.mmu.onInvlpg(0x40001000);
    expect(g.store(0x40000fff, 2, 0xbeef)).toEqual({ kind: 'ok', value: 0 });
    expect(t.mem.read8(0x30fff)).toBe(0xef);
    expect(t.mem.read8(0x38000)).toBe(0xbe);
  });

  it('a page without RAM behind it reads 0xFF and drops writes, through the slow path every time', () => {
    const { t, pd, mmu, g } = world(Kind);
    t.map4k(pd, 0x40000000, 0x7fff0000, P | RW);
    expect(g.load(0x40000004, 4)).toEqual({ kind: 'ok', value: 0xffffffff });
    expect(g.load(0x40000004, 2)).toEqual({ kind: 'ok', value: 0xffff });
    expect(g.store(0x40000004, 4, 0)).toEqual({ kind: 'ok', value: 0 });
    expect(mmu.tlb.read[0x40000]).toBe(-1);
    expect(mmu.translate(0x40000004, Access.Read, 0)).toBe(Translation.Done);
    expect(mmu.lastPhysical).toBe(0x7fff0004);
  });

  it('CR0.WP decides supervisor writes to read-only pages, and a WP change empties the TLB', () => {
    const { t, pd, cpu, mmu, g } = world(Kind);
    t.map4k(pd, 0x40000000, 0x30000, P | US | D | A);
    expect(g.store(0x40000000, 4, 1)).toEqual({ kind: 'ok', value: 0 });
    expect(mmu.tlb.write[0x40000]).toBe(0x30000);
    cpu.cr0 |= 1 << 16;
    mmu.onCr0Cr4Write();
    expect(mmu.tlb.write[0x40000]).toBe(-1);
    expect(g.store(0x40000000, 4, 2)).toEqual({ kind: 'fault', errorCode: 3, cr2: 0x40000000 });
  });

  it('a user/supervisor switch selects the other TLB half: nothing is flushed, nothing leaks', () => {
    const { cpu, mmu, g } = world(Kind);
    g.load(0x2000, 4);
    expect(mmu.tlb.read[2]).toBe(0x2000);
    const flushes = mmu.statistics.tlbFlushes;
    cpu.cpl = 3;
    mmu.onCplChange();
    expect(mmu.tlb.read[2]).toBe(-1);
    expect(mmu.tlb.supervisorRead[2]).toBe(0x2000);
    expect(g.load(0x2000, 4)).toEqual({ kind: 'fault', errorCode: 5, cr2: 0x2000 });
    expect(mmu.statistics.tlbFlushes).toBe(flushes);
  });

  it('paging off: linear is guest-physical', () => {
    const { cpu, mmu, g, t } = world(Kind);
    cpu.cr0 = CR0_BASE;
    mmu.onCr0Cr4Write();
    t.mem.write32(0x3fff00, 0x12345678);
    expect(g.load(0x3fff00, 4)).toEqual({ kind: 'ok', value: 0x12345678 });
    expect(g.load(0x400000, 1)).toEqual({ kind: 'ok', value: 0xff });
  });
});

describe('ShadowMmu specifics', () => {
  it('refills from the shadow without walking after a TLB flush (hidden faults only once)', () => {
    const { t, pd, mmu, g } = world(ShadowMmu);
    t.map4k(pd, 0x40000000, 0x30000, P | RW | US);
    g.load(0x40000000, 4);
    expect(mmu.statistics.hiddenPageFaults).toBe(1);
    const walks = mmu.statistics.walks;
    mmu.onCr3Write(); // same CR3: the shadow survives, the TLB does not
    expect(mmu.tlb.read[0x40000]).toBe(-1);
    g.load(0x40000000, 4);
    expect(mmu.statistics.walks).toBe(walks);
    expect(mmu.statistics.hiddenPageFaults).toBe(1);
  });

  it('traces page tables: a guest PTE store goes through the MMU and drops the shadow entry', () => {
    const { t, pd, mmu, g } = world(ShadowMmu);
    t.map4k(pd, 0x40000000, 0x30000, P | RW | US);
    const pte = t.pteAddress(pd, 0x40000000);
    g.store(0x40000000, 4, 1);
    expect((mmu as ShadowMmu).isTracedGuestPage(pte >>> 12)).toBe(true);
    expect((mmu as ShadowMmu).isTracedGuestPage(pd >>> 12)).toBe(true);
    expect(mmu.tlb.write[pte >>> 12]).toBe(-1); // the kernel's identity alias of the table is not writable in the TLB
    // The guest remaps the page without invlpg: tracing makes the change visible at once.
    expect(g.store(pte, 4, 0x31000 | P | RW | US)).toEqual({ kind: 'ok', value: 0 });
    expect(mmu.statistics.tracedWrites).toBe(1);
    expect(mmu.tlb.read[0x40000]).toBe(-1);
    t.mem.write32(0x31000, 99);
    expect(g.load(0x40000000, 4)).toEqual({ kind: 'ok', value: 99 });
  });

  it('a PDE store drops the whole shadow table under it', () => {
    const { t, pd, mmu, g } = world(ShadowMmu);
    t.map4k(pd, 0x40000000, 0x30000, P | RW | US);
    g.load(0x40000000, 4);
    const root = (mmu as ShadowMmu).currentRoot();
    expect(root.tables[0x100]).not.toBeNull();
    g.store(pd + 0x100 * 4, 4, 0);
    expect(root.tables[0x100]).toBeNull();
    expect(g.load(0x40000000, 4)).toEqual({ kind: 'fault', errorCode: 0, cr2: 0x40000000 });
  });

  it('caches shadows per CR3 and evicts the least recently used', () => {
    const { t, pd, cpu, mmu, g } = world(ShadowMmu);
    const shadow = mmu as ShadowMmu;
    g.load(0x1000, 4);
    const first = shadow.currentRoot();
    const spaces: number[] = [];
    for (let k = 0; k < 8; k++) {
      const other = t.allocPage();
      t.mem.write32(other, t.mem.read32(pd)); // share the kernel's page table
      spaces.push(other);
    }
    cpu.cr3 = spaces[0]!;
    mmu.onCr3Write();
    cpu.cr3 = pd;
    mmu.onCr3Write();
    expect(shadow.currentRoot()).toBe(first); // warm again
    for (const s of spaces) {
      cpu.cr3 = s;
      mmu.onCr3Write();
      g.load(0x1000, 4);
    }
    expect(shadow.isTracedGuestPage(pd >>> 12)).toBe(false); // evicted, untraced
    expect(shadow.isTracedGuestPage(spaces[7]! >>> 12)).toBe(true);
  });
});
