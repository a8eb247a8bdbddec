/**
 * The VMM's paged view of guest linear memory: faults as GuestFault(#PF)
 * with CR2 and nothing written, implicit supervisor accesses, page-crossing
 * values, stores into guest page tables keeping shadows coherent, and the
 * TLB fast path: a VMM access fills and then hits the half of its own
 * privilege class only.
 */
import { describe, expect, it } from 'vitest';
import { GuestFault } from '../../src/vmm/fault.js';
import { MmuLinearMemory } from '../../src/vmm/mmu-linear-memory.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { GuestDriver } from '../mmu/guest-driver.js';
import { GuestTables, P, RW, US, pagedCpu } from '../mmu/guest-tables.js';

function setup() {
  const t = new GuestTables(1 << 20, 99);
  const pd = t.allocPage();
  for (let p = 0; p < 0x40000; p += 4096) t.map4k(pd, p, p, P | RW);
  t.map4k(pd, 0x40000000, 0x80000, P | RW | US);
  t.map4k(pd, 0x40001000, 0x90000, P | US);
  const cpu = pagedCpu(pd, { wp: true });
  const mmu = new ShadowMmu(cpu, t.mem);
  return { t, pd, cpu, mmu, lin: new MmuLinearMemory(mmu, cpu, t.mem) };
}

function faultOf(f: () => unknown): { vector: number; errorCode: number } | null {
  try {
    f();
    return null;
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    return { vector: e.vector, errorCode: e.errorCode };
  }
}

describe('MmuLinearMemory', () => {
  it('reads and writes across a page boundary through two unrelated frames', () => {
    const { t, lin } = setup();
    t.mem.write32(0x80ffc, 0x44332211);
    t.mem.write32(0x90000, 0x88776655);
    expect(lin.read32(0x40000ffe)).toBe(0x66554433);
    expect(lin.read16(0x40000fff)).toBe(0x5544);
  });

  it('reads are unsigned whatever the top byte, within a page and across one', () => {
    const { t, lin } = setup();
    t.mem.write32(0x80ffc, 0xfedcba98);
    t.mem.write32(0x90000, 0x80ff7f01);
    expect(lin.read32(0x40000ffc)).toBe(0xfedcba98);
    expect(lin.read16(0x40000ffe)).toBe(0xfedc);
    expect(lin.read8(0x40000fff)).toBe(0xfe);
    expect(lin.read32(0x40000fff)).toBe(0xff7f01fe);
    expect(lin.read32(0x40000ffd)).toBe(0x01fedcba);
  });

  it('faults before writing anything, with CR2 at the failing page', () => {
    const { t, cpu, lin } = setup();
    const seen: number[] = [];
    lin.onWrite = (pa) => seen.push(pa);
    expect(faultOf(() => lin.write32(0x40000ffe, 0xdeadbeef))).toEqual({ vector: 14, errorCode: 3 });
    expect(cpu.cr2).toBe(0x40001000);
    expect(t.mem.read32(0x80ffc)).toBe(0);
    expect(seen).toEqual([]);
    cpu.cpl = 3;
    expect(faultOf(() => lin.read8(0x1000))).toEqual({ vector: 14, errorCode: 5 });
    lin.implicitSupervisor = true;
    expect(faultOf(() => lin.read8(0x1000))).toBeNull();
  });

  it('a VMM store into a guest page table updates the shadow like a guest store', () => {
    const { t, pd, cpu, mmu, lin } = setup();
    const g = new GuestDriver(mmu, cpu);
    t.mem.write32(0xa0000, 0xabcd);
    expect(g.load(0x40000000, 4)).toEqual({ kind: 'ok', value: 0 });
    const seen: number[] = [];
    lin.onWrite = (pa, n) => seen.push(pa, n);
    lin.write32(t.pteAddress(pd, 0x40000000), 0xa0000 | P | RW | US);
    expect(seen).toEqual([t.pteAddress(pd, 0x40000000), 4]);
    expect(g.load(0x40000000, 4)).toEqual({ kind: 'ok', value: 0xabcd });
  });

  it('an implicit supervisor access at CPL 3 fills the supervisor half only: a user access still faults', () => {
    const { cpu, mmu, lin } = setup();
    cpu.cpl = 3;
    mmu.onCplChange();
    lin.implicitSupervisor = true;
    expect(lin.read32(0x1000)).toBe(0);
    lin.write32(0x1000, 0x12345678);
    expect(mmu.tlb.supervisorRead[1]).toBeGreaterThanOrEqual(0);
    expect(mmu.tlb.supervisorWrite[1]).toBeGreaterThanOrEqual(0);
    expect(mmu.tlb.userRead[1]).toBe(-1);
    expect(mmu.tlb.read).toBe(mmu.tlb.userRead); // still the CPU's half for the fetcher
    expect(lin.read32(0x1000)).toBe(0x12345678); // a hit
    lin.implicitSupervisor = false;
    expect(faultOf(() => lin.read8(0x1000))).toEqual({ vector: 14, errorCode: 5 });
    expect(faultOf(() => lin.write8(0x1000, 0))).toEqual({ vector: 14, errorCode: 7 });
    expect(cpu.cr2).toBe(0x1000);
  });

  it('a write that hits the TLB still reports its guest-physical address (scattered map)', () => {
    const { t, mmu, lin } = setup();
    const seen: number[] = [];
    lin.onWrite = (pa, n) => seen.push(pa, n);
    lin.write32(0x40000010, 1); // miss: walks, sets D, fills
    const misses = mmu.statistics.walks;
    lin.write16(0x40000014, 2); // hit
    lin.write8(0x40000ffc, 3); // hit
    expect(mmu.statistics.walks).toBe(misses);
    expect(seen).toEqual([0x80010, 4, 0x80014, 2, 0x80ffc, 1]);
    expect([t.mem.read32(0x80010), t.mem.read16(0x80014), t.mem.read8(0x80ffc)]).toEqual([1, 2, 3]);
    expect(t.mem.map.toMachine[0x80]).not.toBe(0x80); // the hit really went through the map
  });

  it('readPair gives the two dwords read32 gives, on a hit, a miss and across a page; a fault stores nothing', () => {
    const { t, cpu, lin } = setup();
    t.mem.write32(0x80ff8, 0x89abcdef);
    t.mem.write32(0x80ffc, 0xfedcba98);
    t.mem.write32(0x90000, 0x01234567);
    const pair = { lo: 7, hi: 7 };
    for (const la of [0x40000ff8, 0x40000ff8, 0x40000ffa, 0x40000ffc]) {
      lin.readPair(la, pair);
      expect([pair.lo >>> 0, pair.hi >>> 0]).toEqual([lin.read32(la), lin.read32(la + 4)]);
    }
    cpu.cpl = 3;
    lin.implicitSupervisor = false;
    const untouched = { lo: 7, hi: 7 };
    expect(faultOf(() => lin.readPair(0xffc, untouched))).toEqual({ vector: 14, errorCode: 5 });
    expect(cpu.cr2).toBe(0xffc);
    expect(untouched).toEqual({ lo: 7, hi: 7 });
    // The first page reads, the second is not present: CR2 names the second, nothing stored.
    lin.implicitSupervisor = true;
    expect(faultOf(() => lin.readPair(0x40001ffc, untouched))).toEqual({ vector: 14, errorCode: 0 });
    expect(cpu.cr2).toBe(0x40002000);
    expect(untouched).toEqual({ lo: 7, hi: 7 });
  });

  it('tryWriteBytes stores a run at once only on a write hit within one page, reporting it once', () => {
    const { t, mmu, lin } = setup();
    const seen: number[] = [];
    lin.onWrite = (pa, n) => seen.push(pa, n);
    const run = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lin.tryWriteBytes(0x40000100, run, 8)).toBe(false); // no write entry yet: the caller goes value by value
    expect(seen).toEqual([]);
    lin.write8(0x40000100, 0); // a miss fills the write entry (and sets D)
    seen.length = 0;
    const walks = mmu.statistics.walks;
    expect(lin.tryWriteBytes(0x40000100, run, 8)).toBe(true);
    expect(mmu.statistics.walks).toBe(walks);
    expect([t.mem.read32(0x80100), t.mem.read32(0x80104), t.mem.read8(0x80108)]).toEqual([0x04030201, 0x08070605, 0]);
    expect(seen).toEqual([0x80100, 8]);
    expect(lin.tryWriteBytes(0x40000ffc, run, 8)).toBe(false); // would cross into the next page
    expect(t.mem.read32(0x80ffc)).toBe(0);
  });
});

describe('MmuLinearMemory with RAM above 2 GiB', () => {
  // The machine offsets of pages from 2 GiB up are negative in the TLB's int32 entries.
  it('reaches pages from 2 GiB up on a TLB miss, on a hit and across them', () => {
    const t = new GuestTables(0x8000_4000);
    const pd = t.allocPage();
    for (let p = 0; p < 0x40000; p += 4096) t.map4k(pd, p, p, P | RW);
    t.map4k(pd, 0x40000000, 0x80001000, P | RW);
    t.map4k(pd, 0x40001000, 0x80002000, P | RW);
    const cpu = pagedCpu(pd);
    const mmu = new ShadowMmu(cpu, t.mem);
    const lin = new MmuLinearMemory(mmu, cpu, t.mem);
    const written: number[] = [];
    lin.onWrite = (pa) => written.push(pa);
    lin.write32(0x40000ff0, 0x12345678);
    expect(mmu.tlb.supervisorWrite[0x40000]).toBe(0x80001000 | 0);
    lin.write32(0x40000ff4, 0x9abcdef0);
    lin.write32(0x40000ffe, 0xcafef00d);
    expect(lin.tryWriteBytes(0x40000100, Uint8Array.of(1, 2, 3), 3)).toBe(true);
    expect([t.mem.read32(0x80001ff0), t.mem.read32(0x80001ff4), t.mem.read16(0x80001ffe), t.mem.read16(0x80002000)])
      .toEqual([0x12345678, 0x9abcdef0, 0xf00d, 0xcafe]);
    expect(t.mem.read32(0x80001100) & 0xffffff).toBe(0x030201);
    expect(written).toEqual([0x80001ff0, 0x80001ff4, 0x80001ffe, 0x80002000, 0x80001100]);
    expect([lin.read32(0x40000ff0), lin.read8(0x40000ff7), lin.read32(0x40000ffe)]).toEqual([0x12345678, 0x9a, 0xcafef00d]);
    const pair = { lo: 0, hi: 0 };
    lin.readPair(0x40000ff0, pair);
    expect(pair).toEqual({ lo: 0x12345678, hi: 0x9abcdef0 | 0 });
  });
});
