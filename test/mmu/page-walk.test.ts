/**
 * The page walk against hand-built tables and the SDM's rules (Vol. 3A,
 * 4.3 32-bit paging, 4.6 access rights, 4.7 page-fault error codes, 4.8
 * accessed and dirty flags).
 */
import { describe, expect, it } from 'vitest';
import { Access } from '../../src/mmu/mmu.js';
import { cpuidLeaf } from '../../src/state/cpu-model.js';
import { PDE_LARGE_RESERVED, PageWalker, largePageReservedMask } from '../../src/mmu/page-walk.js';
import { A, CR0_BASE, CR0_PG, CR0_WP, CR4_PSE, D, GuestTables, P, PS, RW, US } from './guest-tables.js';

const RAM = 1 << 20;
const PG = (CR0_BASE | CR0_PG) | 0;

function setup() {
  const t = new GuestTables(RAM);
  const pd = t.allocPage();
  return { t, pd, w: new PageWalker(t.mem) };
}

/**
 * Access rights as SDM 4.6 words them, one paging-structure entry at a
 * time: supervisor reads always allowed; supervisor writes need R/W=1 in
 * every entry only when CR0.WP=1; user accesses need U/S=1 in every entry,
 * user writes also R/W=1 in every entry.
 */
function sdmAllows(entries: number[], write: boolean, user: boolean, wp: boolean): boolean {
  for (const e of entries) {
    if (user && (e & US) === 0) return false;
    if (write && (user || wp) && (e & RW) === 0) return false;
  }
  return true;
}

describe('PageWalker', () => {
  it('translates a 4 KiB page and sets A on PDE and PTE, D only on a write', () => {
    const { t, pd, w } = setup();
    t.map4k(pd, 0x00403000, 0x7000, P | RW);
    expect(w.walk(0x00403abc, Access.Read, 0, PG, pd, 0)).toBe(true);
    expect(w.physical).toBe(0x7abc);
    expect(t.pde(pd, 0x00403000) & (A | D)).toBe(A);
    const pte = t.pteAddress(pd, 0x00403000);
    expect(t.mem.read32(pte) & (A | D)).toBe(A);
    expect(w.flags & D).toBe(0);
    expect(w.walk(0x00403abc, Access.Write, 0, PG, pd, 0)).toBe(true);
    expect(t.mem.read32(pte) & (A | D)).toBe(A | D);
    expect(t.pde(pd, 0x00403000) & D).toBe(0); // D exists only in the final entry
    expect(w.flags & D).toBe(D);
  });

  it('counts table accesses: reads plus the A/D write-backs that were needed', () => {
    const { t, pd, w } = setup();
    t.map4k(pd, 0x1000, 0x5000, P | RW);
    w.walk(0x1000, Access.Write, 0, PG, pd, 0);
    expect(w.accesses).toBe(4); // PDE read, PDE.A write, PTE read, PTE A|D write
    w.walk(0x1000, Access.Write, 0, PG, pd, 0);
    expect(w.accesses).toBe(2);
  });

  it('a probe (commit=false) changes nothing', () => {
    const { t, pd, w } = setup();
    t.map4k(pd, 0x1000, 0x5000, P | RW);
    const before = t.mem.slice(0, RAM);
    expect(w.walk(0x1000, Access.Write, 0, PG, pd, 0, false)).toBe(true);
    expect(Buffer.compare(t.mem.slice(0, RAM), before)).toBe(0);
  });

  it('maps 4 MiB pages only with CR4.PSE; without it PDE.PS is ignored (no reserved-bit fault)', () => {
    const { t, pd, w } = setup();
    // A PDE with PS whose frame bits also make a valid page-table address (0x00400000 region → table at 0x0).
    t.setPde(pd, 0x00800000, 0x00c00000 | 0x1000 | PS | P | RW);
    expect(w.walk(0x00812345, Access.Read, 0, PG, pd, CR4_PSE)).toBe(true);
    expect(w.physical).toBe(0x00c12345);
    expect(w.pteAddress).toBe(-1);
    expect(t.pde(pd, 0x00800000) & A).toBe(A);
    expect(w.walk(0x00812345, Access.Write, 0, PG, pd, CR4_PSE)).toBe(true);
    expect(t.pde(pd, 0x00800000) & D).toBe(D);
    // PSE off: the same PDE references a page table at 0x00c01000 (bit 12 is PAT for a 4 MiB page) (beyond this 1 MiB RAM: open bus).
    expect(w.walk(0x00812345, Access.Read, 0, PG, pd, 0)).toBe(true);
    expect(w.pteAddress).toBe(0x00c01000 + 0x12 * 4);
    expect(w.physical).toBe(0xfffff345); // the PTE read as 0xFFFFFFFF
  });

  it('reports bits 21:13 of a 4 MiB PDE as reserved (P | RSVD): our CPUID has no PSE-36, so M = 32', () => {
    // SDM Vol. 3A Table 4-4: bits 21:(M-19) of a 4 MiB PDE are reserved; M is 32
    // when CPUID.01H:EDX.PSE-36 [bit 17] is 0, as in QEMU's qemu32 model we mirror.
    expect(cpuidLeaf(1, 0)[3] & (1 << 17)).toBe(0);
    expect(PDE_LARGE_RESERVED).toBe(0x003fe000);
    const { t, pd, w } = setup();
    for (let bit = 13; bit <= 21; bit++) {
      t.setPde(pd, 0x00400000, (0x00400000 | (1 << bit) | P | RW | PS) >>> 0);
      expect(w.walk(0x00400000, Access.Write, 3, PG, pd, CR4_PSE)).toBe(false);
      expect({ bit, error: w.errorCode }).toEqual({ bit, error: 0x8 | 0x1 | 0x2 | 0x4 });
      expect(w.walk(0x00400000, Access.Read, 0, PG, pd, CR4_PSE)).toBe(false);
      expect({ bit, error: w.errorCode }).toEqual({ bit, error: 0x8 | 0x1 });
      expect(t.pde(pd, 0x00400000) & A).toBe(0);
    }
    // Bit 12 is PAT (advertised), not reserved; the frame is bits 31:22 only.
    t.setPde(pd, 0x00400000, (0xffc00000 | (1 << 12) | P | RW | PS) >>> 0);
    expect(w.walk(0x00401234, Access.Read, 0, PG, pd, CR4_PSE)).toBe(true);
    expect(w.physical).toBe(0xffc01234);
    // Not present: reserved bits are not checked (no RSVD without P).
    t.setPde(pd, 0x00400000, (0x00400000 | 0x003fe000 | RW | PS) >>> 0);
    expect(w.walk(0x00400000, Access.Read, 0, PG, pd, CR4_PSE)).toBe(false);
    expect(w.errorCode).toBe(0);
  });

  it('reserved 4 MiB PDE bits follow CPUID as SDM Table 4-4 gives them for other CPUs', () => {
    const PSE36 = 1 << 17, PAE = 1 << 6;
    expect(largePageReservedMask(PAE, 0x80000004, 0)).toBe(0x003fe000); // no PSE-36: 21:13
    expect(largePageReservedMask(PSE36 | PAE, 0x80000004, 0)).toBe(0x003e0000); // MAXPHYADDR 36: 21:17
    expect(largePageReservedMask(PSE36, 0x80000008, 39)).toBe(0x00300000); // 21:20
    expect(largePageReservedMask(PSE36, 0x80000008, 46)).toBe(0x00200000); // M = min(40, 46): 21
  });

  it('not-present entries: error code without P; a present PDE still gets A when its PTE is absent', () => {
    const { t, pd, w } = setup();
    expect(w.walk(0x2000, Access.Read, 0, PG, pd, 0)).toBe(false);
    expect(w.errorCode).toBe(0);
    expect(w.walk(0x2000, Access.Write, 3, PG, pd, 0)).toBe(false);
    expect(w.errorCode).toBe(6);
    t.setPde(pd, 0x2000, t.allocPage() | P | RW | US);
    expect(w.walk(0x2000, Access.Exec, 3, PG, pd, 0)).toBe(false);
    expect(w.errorCode).toBe(4);
    expect(t.pde(pd, 0x2000) & A).toBe(A);
  });

  it('access rights over all combinations agree with the SDM rules, and a refused access sets no leaf A', () => {
    for (let pdeBits = 0; pdeBits < 4; pdeBits++) {
      for (let pteBits = 0; pteBits < 4; pteBits++) {
        for (const large of [false, true]) {
          for (const cpl of [0, 1, 3]) {
            for (const wp of [false, true]) {
              for (const access of [Access.Read, Access.Write, Access.Exec]) {
                const { t, pd, w } = setup();
                const pdeFlags = P | (pdeBits & 1 ? RW : 0) | (pdeBits & 2 ? US : 0);
                const pteFlags = P | (pteBits & 1 ? RW : 0) | (pteBits & 2 ? US : 0);
                if (large) t.map4m(pd, 0x00400000, 0x00400000, pdeFlags);
                else t.map4k(pd, 0x00400000, 0x9000, pteFlags, pdeFlags);
                const cr0 = wp ? PG | CR0_WP : PG;
                const ok = w.walk(0x00400010, access, cpl, cr0, pd, CR4_PSE);
                const write = access === Access.Write, user = cpl === 3;
                const want = sdmAllows(large ? [pdeFlags] : [pdeFlags, pteFlags], write, user, wp);
                expect({ pdeBits, pteBits, large, cpl, wp, access, ok }).toEqual({ pdeBits, pteBits, large, cpl, wp, access, ok: want });
                const leaf = large ? pd + 4 : t.pteAddress(pd, 0x00400000);
                if (ok) {
                  expect(t.mem.read32(leaf) & (A | D)).toBe(write ? A | D : A);
                } else {
                  expect(w.errorCode).toBe(1 | (write ? 2 : 0) | (user ? 4 : 0));
                  expect(t.mem.read32(leaf) & (A | D)).toBe(0);
                }
              }
            }
          }
        }
      }
    }
  });

  it('survives wild tables: CR3 and PDEs beyond RAM read as open bus (0xFFFFFFFF), self-references work', () => {
    const { t, pd, w } = setup();
    // CR3 beyond RAM: the PDE reads 0xFFFFFFFF: with PSE a 4 MiB page with bit 21 set → RSVD fault.
    expect(w.walk(0x1234, Access.Read, 0, PG, 0xfff00000, CR4_PSE)).toBe(false);
    expect(w.errorCode).toBe(0x9);
    // Without PSE: table at 0xFFFFF000 (open bus) → frame 0xFFFFF000, no RAM there.
    expect(w.walk(0x1234, Access.Write, 3, PG, 0xfff00000, 0)).toBe(true);
    expect(w.physical).toBe(0xfffff234);
    // A PD that references itself as a page table maps the PD at 0xFFC00000 + i*4096.
    t.setPde(pd, 0xffc00000, pd | P | RW);
    expect(w.walk(0xffc00000 + (0x3ff << 12) + 0xffc, Access.Read, 0, PG, pd, 0)).toBe(true);
    expect(w.physical).toBe(pd + 0xffc);
  });
});
