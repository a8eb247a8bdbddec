/**
 * Property tests over random guest page tables and random guest activity:
 *
 *  - ShadowMmu: after every operation (including guest stores into its own
 *    page tables, which take the traced path), every TLB entry and every
 *    shadow entry equals what a fresh walk of the guest's tables gives now.
 *  - NestedMmu and ShadowMmu give identical guest-visible results (values,
 *    fault error codes, CR2, final RAM including A/D bits) when the guest
 *    flushes after editing its tables, as it must for a hardware TLB.
 *  - A scattered machine map changes nothing the guest can see.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Access } from '../../src/mmu/mmu.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { PageWalker, PTE_A, PTE_D } from '../../src/mmu/page-walk.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { RAM, apply, buildWorld, candidatePages, freshWalk, op, setup, type World } from './random-world.js';

const PAGES = candidatePages();

/** Every entry of one TLB half equals what a fresh walk at that half's privilege gives now. */
function checkHalf(w: World, mmu: ShadowMmu, probe: PageWalker, cpl: number, read: Int32Array, write: Int32Array): void {
  const mem = w.t.mem;
  for (const page of PAGES) {
    const r = read[page]!;
    if (r >= 0) {
      const la = page << 12;
      expect({ page, cpl, read: freshWalk(w, probe, la, Access.Read, cpl) }).toEqual({ page, cpl, read: r });
      // The fresh walk would not need to set A anywhere.
      expect(mem.read32(probe.pdeAddress) & PTE_A).toBe(PTE_A);
      if (probe.pteAddress >= 0) expect(mem.read32(probe.pteAddress) & PTE_A).toBe(PTE_A);
    }
    const wr = write[page]!;
    if (wr >= 0) {
      expect({ page, cpl, write: freshWalk(w, probe, page << 12, Access.Write, cpl) }).toEqual({ page, cpl, write: wr });
      expect(probe.flags & PTE_D).toBe(PTE_D);
      expect(mmu.isTracedGuestPage(probe.physicalPage)).toBe(false);
    }
  }
}

function checkCoherent(w: World): void {
  const mmu = w.mmu as ShadowMmu;
  const probe = new PageWalker(w.t.mem);
  // Both halves, whatever the CPU's CPL now: a half kept across privilege changes must stay exact.
  checkHalf(w, mmu, probe, 0, mmu.tlb.supervisorRead, mmu.tlb.supervisorWrite);
  checkHalf(w, mmu, probe, 3, mmu.tlb.userRead, mmu.tlb.userWrite);
  const root = mmu.currentRoot();
  root.tables.forEach((table, i) => {
    if (table === null) return;
    for (let j = 0; j < 1024; j++) {
      const e = table[j]!;
      if (e === 0) continue;
      const la = ((i << 22) | (j << 12)) >>> 0;
      expect({ la, m: freshWalk(w, probe, la, Access.Read, 0) }).toEqual({ la, m: e & ~0xfff });
      expect({ la, rights: probe.flags & 6 }).toEqual({ la, rights: e & 6 });
      if ((e & PTE_D) !== 0) expect(probe.flags & PTE_D).toBe(PTE_D);
    }
  });
}

describe('shadow page tables', () => {
  it('every TLB and shadow entry equals a fresh walk after random guest activity', () => {
    fc.assert(
      fc.property(setup, fc.array(op, { minLength: 20, maxLength: 60, size: 'max' }), (s, ops) => {
        const w = buildWorld(s, (cpu, t) => new ShadowMmu(cpu, t.mem));
        for (const o of ops) {
          apply(w, o);
          checkCoherent(w);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('nested and shadow MMUs agree on every access and on the final RAM', () => {
    fc.assert(
      fc.property(setup, fc.array(op, { minLength: 20, maxLength: 80, size: 'max' }), (s, ops) => {
        const a = buildWorld(s, (cpu, t) => new ShadowMmu(cpu, t.mem));
        const b = buildWorld(s, (cpu, t) => new NestedMmu(cpu, t.mem));
        ops.forEach((o, k) => {
          const ra = apply(a, o);
          const rb = apply(b, o);
          expect({ k, r: rb }).toEqual({ k, r: ra });
          // A guest that edits its tables flushes the (hardware) TLB. Any store may be such an
          // edit (through an alias of a table page), and then only the shadow MMU sees it at once.
          if (o.kind === 'pte' || o.kind === 'pde' || (o.kind === 'access' && o.write)) {
            a.mmu.onCr3Write();
            b.mmu.onCr3Write();
          }
        });
        expect(Buffer.compare(a.t.mem.slice(0, RAM), b.t.mem.slice(0, RAM))).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('a scattered machine map gives the same guest-visible results as the identity map', () => {
    fc.assert(
      fc.property(setup, fc.array(op, { minLength: 20, maxLength: 80, size: 'max' }), fc.integer({ min: 1, max: 0x7fffffff }), (s, ops, seed) => {
        const a = buildWorld(s, (cpu, t) => new ShadowMmu(cpu, t.mem));
        const b = buildWorld(s, (cpu, t) => new ShadowMmu(cpu, t.mem), seed);
        expect(b.t.mem.map.isIdentity).toBe(false);
        ops.forEach((o, k) => {
          expect({ k, r: apply(b, o) }).toEqual({ k, r: apply(a, o) });
        });
        expect(Buffer.compare(a.t.mem.slice(0, RAM), b.t.mem.slice(0, RAM))).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
