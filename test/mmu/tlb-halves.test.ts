/**
 * The software TLB's two privilege halves (mmu/software-tlb.ts): a
 * CPL change selects a half and flushes nothing, but an entry made at one
 * privilege class never serves an access of the other, and everything that
 * invalidates translations (CR3 write, invlpg, CR0.WP) empties both halves.
 * Checked through the MMU protocol (GuestDriver, which indexes the half of
 * the CPU's CPL as compiled code does) and through code the paged emitter
 * generates for CPL 0 and CPL 3.
 */
import { describe, expect, it } from 'vitest';
import { PagedMemoryEmitter } from '../../src/codegen/paged-memory-access.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { GuestDriver } from './guest-driver.js';
import { A, D, GuestTables, P, RW, US, pagedCpu } from './guest-tables.js';

const KINDS = [['shadow', ShadowMmu], ['nested', NestedMmu]] as const;
const KERNEL = 0x40000000, USER = 0x40001000, READONLY = 0x40002000;

/** A kernel page (supervisor only), a user page and a user read-only page, already accessed and dirty. */
function world(Kind: typeof ShadowMmu | typeof NestedMmu) {
  const t = new GuestTables(1 << 20);
  const pd = t.allocPage();
  for (let p = 0; p < 0x20000; p += 4096) t.map4k(pd, p, p, P | RW);
  t.map4k(pd, KERNEL, 0x30000, P | RW | A | D);
  t.map4k(pd, USER, 0x31000, P | RW | US | A | D);
  t.map4k(pd, READONLY, 0x32000, P | US | A | D);
  t.mem.write32(0x30000, 0x11111111);
  t.mem.write32(0x31000, 0x22222222);
  t.mem.write32(0x32000, 0x33333333);
  const cpu = pagedCpu(pd);
  const mmu: MmuCore = new Kind(cpu, t.mem);
  return { t, pd, cpu, mmu, g: new GuestDriver(mmu, cpu) };
}

function setCpl(w: { cpu: { cpl: number }; mmu: MmuCore }, cpl: number): void {
  w.cpu.cpl = cpl;
  w.mmu.onCplChange();
}

describe.each(KINDS)('TLB privilege halves, %s MMU', (_name, Kind) => {
  it('a round trip kernel -> user -> kernel keeps both halves: no flush, no second miss', () => {
    const w = world(Kind);
    const { mmu, g } = w;
    expect(g.load(KERNEL, 4)).toEqual({ kind: 'ok', value: 0x11111111 });
    setCpl(w, 3);
    expect(g.load(USER, 4)).toEqual({ kind: 'ok', value: 0x22222222 });
    const misses = mmu.statistics.tlbMisses;
    for (let i = 0; i < 3; i++) {
      setCpl(w, 0);
      expect(g.load(KERNEL, 4)).toEqual({ kind: 'ok', value: 0x11111111 });
      setCpl(w, 3);
      expect(g.load(USER, 4)).toEqual({ kind: 'ok', value: 0x22222222 });
    }
    expect(mmu.statistics.tlbMisses).toBe(misses);
    expect(mmu.statistics.tlbFlushes).toBe(0);
  });

  it('a user access after a supervisor access to a supervisor-only page faults with U=1', () => {
    const w = world(Kind);
    const { cpu, mmu, g } = w;
    expect(g.store(KERNEL, 4, 5)).toEqual({ kind: 'ok', value: 0 });
    expect(mmu.tlb.supervisorRead[KERNEL >>> 12]).toBe(0x30000);
    expect(mmu.tlb.supervisorWrite[KERNEL >>> 12]).toBe(0x30000);
    setCpl(w, 3);
    expect(g.load(KERNEL, 4)).toEqual({ kind: 'fault', errorCode: 5, cr2: KERNEL }); // P | U
    expect(g.store(KERNEL, 4, 6)).toEqual({ kind: 'fault', errorCode: 7, cr2: KERNEL }); // P | W | U
    expect(cpu.cr2).toBe(KERNEL);
    expect(mmu.tlb.userRead[KERNEL >>> 12]).toBe(-1);
    expect(mmu.tlb.userWrite[KERNEL >>> 12]).toBe(-1);
    setCpl(w, 1); // CPL 1 is supervisor too: the entry is still there for it
    expect(mmu.tlb.read[KERNEL >>> 12]).toBe(0x30000);
    expect(g.load(KERNEL, 4)).toEqual({ kind: 'ok', value: 5 });
  });

  it('a supervisor write allowed by CR0.WP=0 gives no user write entry on a read-only page', () => {
    const w = world(Kind);
    const { mmu, g, t } = w;
    expect(g.store(READONLY, 4, 9)).toEqual({ kind: 'ok', value: 0 });
    expect(mmu.tlb.supervisorWrite[READONLY >>> 12]).toBe(0x32000);
    setCpl(w, 3);
    expect(g.load(READONLY, 4)).toEqual({ kind: 'ok', value: 9 });
    expect(g.store(READONLY, 4, 10)).toEqual({ kind: 'fault', errorCode: 7, cr2: READONLY });
    expect(t.mem.read32(0x32000)).toBe(9);
  });

  it('a user entry does not serve a later supervisor access under CR0.WP=1 either way round', () => {
    const w = world(Kind);
    const { cpu, mmu, g } = w;
    cpu.cr0 |= 1 << 16;
    mmu.onCr0Cr4Write();
    setCpl(w, 3);
    expect(g.load(READONLY, 4)).toEqual({ kind: 'ok', value: 0x33333333 });
    setCpl(w, 0);
    expect(g.store(READONLY, 4, 1)).toEqual({ kind: 'fault', errorCode: 3, cr2: READONLY }); // WP: P | W, no U
  });

  it('a CR3 write empties both halves', () => {
    const w = world(Kind);
    const { cpu, mmu, g, t, pd } = w;
    g.store(KERNEL, 4, 1);
    setCpl(w, 3);
    g.store(USER, 4, 2);
    // A second address space mapping USER elsewhere, and KERNEL not at all.
    const pd2 = t.allocPage();
    for (let p = 0; p < 0x20000; p += 4096) t.map4k(pd2, p, p, P | RW);
    t.map4k(pd2, USER, 0x34000, P | RW | US);
    cpu.cr3 = pd2;
    mmu.onCr3Write();
    for (const a of [mmu.tlb.supervisorRead, mmu.tlb.supervisorWrite, mmu.tlb.userRead, mmu.tlb.userWrite]) {
      expect([a[KERNEL >>> 12], a[USER >>> 12]]).toEqual([-1, -1]);
    }
    expect(g.load(USER, 4)).toEqual({ kind: 'ok', value: 0 });
    setCpl(w, 0);
    expect(g.load(KERNEL, 4)).toEqual({ kind: 'fault', errorCode: 0, cr2: KERNEL });
    cpu.cr3 = pd;
    mmu.onCr3Write();
    expect(g.load(KERNEL, 4)).toEqual({ kind: 'ok', value: 1 });
  });

  it('invlpg drops the page from both halves, whichever CPL runs it', () => {
    const w = world(Kind);
    const { mmu, g, t, pd } = w;
    g.load(USER, 4);
    setCpl(w, 3);
    g.load(USER, 4);
    expect(mmu.tlb.supervisorRead[USER >>> 12]).toBe(0x31000);
    expect(mmu.tlb.userRead[USER >>> 12]).toBe(0x31000);
    setCpl(w, 0);
    // The kernel takes the page away from user mode and flushes it, as it must for a hardware TLB.
    t.mem.write32(t.pteAddress(pd, USER), 0x31000 | P | RW | A | D);
    mmu.onInvlpg(USER);
    expect(mmu.tlb.supervisorRead[USER >>> 12]).toBe(-1);
    expect(mmu.tlb.userRead[USER >>> 12]).toBe(-1);
    setCpl(w, 3);
    expect(g.load(USER, 4)).toEqual({ kind: 'fault', errorCode: 5, cr2: USER });
  });
});

describe('generated code indexes the half of the CPL it was compiled for', () => {
  /** One 4-byte load compiled for supervisor or user code; returns the value or `fault <error code>`. */
  function compileLoad(mmu: MmuCore, user: boolean) {
    const e = new PagedMemoryEmitter(mmu, new Uint8Array(0), () => 0, () => user);
    const body = e.load(4, 'v', 'addr', 'm0', 'break out;');
    const src = `return function (addr) { let rv = -1, re = -1, inv = 0; out: { ${body} return v >>> 0; } return 'fault ' + re; };`;
    const b = e.bindings();
    return { source: body, run: new Function('cpu', 'REGION', ...b.names, src)(mmu.cpu, null, ...b.values) as (a: number) => number | string };
  }

  it.each(KINDS)('user code after kernel code on a supervisor-only page still faults (%s)', (_name, Kind) => {
    const w = world(Kind);
    const kernel = compileLoad(w.mmu, false), user = compileLoad(w.mmu, true);
    expect(kernel.source).toContain('TLBR[');
    expect(user.source).toContain('TLBUR[');
    expect(kernel.run(KERNEL)).toBe(0x11111111);
    expect(kernel.run(KERNEL)).toBe(0x11111111);
    setCpl(w, 3);
    expect(user.run(KERNEL)).toBe('fault 5');
    expect(w.cpu.cr2).toBe(KERNEL);
    expect(user.run(USER)).toBe(0x22222222);
    const misses = w.mmu.statistics.tlbMisses;
    setCpl(w, 0);
    expect(kernel.run(KERNEL)).toBe(0x11111111);
    setCpl(w, 3);
    expect(user.run(USER)).toBe(0x22222222);
    expect(w.mmu.statistics.tlbMisses).toBe(misses);
  });
});
