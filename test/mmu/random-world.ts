/**
 * Test helper: random guest paging worlds and operation sequences for the
 * property tests (fast-check arbitraries), and a runner that applies an
 * operation the way a guest would (stores into its own tables through
 * its identity-mapped kernel alias, CR3 loads, invlpg, CPL and WP changes).
 */
import fc from 'fast-check';
import { Access } from '../../src/mmu/mmu.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { PageWalker } from '../../src/mmu/page-walk.js';
import type { CpuState } from '../../src/state/state.js';
import { GuestDriver, type Outcome } from './guest-driver.js';
import { A, GuestTables, P, PS, RW, US, pagedCpu } from './guest-tables.js';

export const RAM = 4 << 20;
export const PDS = [0x10000, 0x11000];
export const PTS = [0x12000, 0x13000, 0x14000, 0x15000];
const DATA = [0x20000, 0x21000, 0x22000, 0x23000, 0x24000, 0x25000];
/** Frames a PTE may name: data, the tables themselves (aliases), and a page without RAM. */
const FRAMES = [...DATA, ...PTS, ...PDS, 0x7fff0000];

const flagBits = fc.record({ p: fc.nat(9), rw: fc.boolean(), us: fc.boolean(), a: fc.boolean(), d: fc.boolean() })
  .map((f) => (f.p > 0 ? P : 0) | (f.rw ? RW : 0) | (f.us ? US : 0) | (f.a ? A : 0) | (f.d ? 0x40 : 0));

export const pteValue = fc.tuple(fc.constantFrom(...FRAMES), flagBits).map(([f, b]) => (f | b) >>> 0);
export const pdeValue = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...PTS), flagBits).map(([t, b]) => (t | (b & ~0x40)) >>> 0) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 0x400000), flagBits).map(([f, b]) => (f | b | PS) >>> 0) },
  { weight: 1, arbitrary: fc.constant(0) },
);

export type Op =
  | { kind: 'access'; pdi: number; j: number; off: number; size: 1 | 2 | 4; write: boolean; value: number }
  | { kind: 'pte'; pt: number; j: number; value: number }
  | { kind: 'pde'; pd: number; i: number; value: number }
  | { kind: 'cr3'; pd: number }
  | { kind: 'invlpg'; pdi: number; j: number }
  | { kind: 'cpl'; cpl: number }
  | { kind: 'wp'; on: boolean };

export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({
    kind: fc.constant('access' as const), pdi: fc.constantFrom(1, 2), j: fc.nat(7),
    off: fc.oneof(fc.nat(4095), fc.constantFrom(0xffd, 0xffe, 0xfff)), size: fc.constantFrom(1 as const, 2 as const, 4 as const),
    write: fc.boolean(), value: fc.nat(0xffffffff) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pte' as const), pt: fc.nat(3), j: fc.nat(7), value: pteValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pde' as const), pd: fc.nat(1), i: fc.constantFrom(1, 2), value: pdeValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cr3' as const), pd: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invlpg' as const), pdi: fc.constantFrom(1, 2), j: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cpl' as const), cpl: fc.constantFrom(0, 3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wp' as const), on: fc.boolean() }) },
);

export interface Setup {
  readonly pse: boolean;
  readonly ptes: readonly number[]; // 4 tables × 8 entries
}

export const setup: fc.Arbitrary<Setup> = fc.record({ pse: fc.boolean(), ptes: fc.array(pteValue, { minLength: 32, maxLength: 32 }) });

export interface World {
  readonly t: GuestTables;
  readonly cpu: CpuState;
  readonly mmu: MmuCore;
  readonly g: GuestDriver;
}

export function buildWorld(s: Setup, make: (cpu: CpuState, t: GuestTables) => MmuCore, scatterSeed?: number): World {
  const t = new GuestTables(RAM, scatterSeed, 0x30000);
  // Distinct contents per data page, so a stale translation shows in the values read.
  for (const page of DATA) for (let o = 0; o < 4096; o += 4) t.mem.write32(page + o, Math.imul(page + o, 0x9e3779b1));
  // The kernel: the low 4 MiB identity-mapped, supervisor, writable, through one table shared by both spaces.
  const kernelPt = t.allocPage();
  for (let p = 0; p < RAM; p += 4096) t.mem.write32(kernelPt + (p >>> 10), p | P | RW);
  for (const pd of PDS) t.mem.write32(pd, kernelPt | P | RW);
  t.mem.write32(PDS[0]! + 4, PTS[0]! | P | RW | US);
  t.mem.write32(PDS[0]! + 8, PTS[1]! | P | RW | US);
  t.mem.write32(PDS[1]! + 4, PTS[2]! | P | RW | US);
  t.mem.write32(PDS[1]! + 8, PTS[1]! | P | RW | US);
  s.ptes.forEach((v, k) => t.mem.write32(PTS[k >>> 3]! + (k & 7) * 4, v));
  const cpu = pagedCpu(PDS[0]!, { pse: s.pse });
  const mmu = make(cpu, t);
  return { t, cpu, mmu, g: new GuestDriver(mmu, cpu) };
}

export const linearOf = (pdi: number, j: number): number => ((pdi << 22) | (j << 12)) >>> 0;

/** Applies `o` as the guest would; table stores run at CPL 0 through the kernel's identity alias. */
export function apply(w: World, o: Op): Outcome | null {
  const { cpu, mmu, g } = w;
  switch (o.kind) {
    case 'access': {
      const la = (linearOf(o.pdi, o.j) + o.off) >>> 0;
      return o.write ? g.store(la, o.size, o.value) : g.load(la, o.size);
    }
    case 'pte':
    case 'pde': {
      const saved = cpu.cpl;
      cpu.cpl = 0;
      mmu.onCplChange();
      const at = o.kind === 'pte' ? PTS[o.pt]! + o.j * 4 : PDS[o.pd]! + o.i * 4;
      const r = g.store(at, 4, o.value);
      cpu.cpl = saved;
      mmu.onCplChange();
      return r;
    }
    case 'cr3':
      cpu.cr3 = PDS[o.pd]!;
      mmu.onCr3Write();
      return null;
    case 'invlpg':
      mmu.onInvlpg(linearOf(o.pdi, o.j));
      return null;
    case 'cpl':
      cpu.cpl = o.cpl;
      mmu.onCplChange();
      return null;
    case 'wp':
      cpu.cr0 = o.on ? cpu.cr0 | (1 << 16) : cpu.cr0 & ~(1 << 16);
      mmu.onCr0Cr4Write();
      return null;
  }
}

/** Every linear page the operations can touch: the test pages and the kernel's identity pages up to the tables. */
export function candidatePages(): number[] {
  const pages: number[] = [];
  for (const pdi of [1, 2]) for (let j = 0; j < 8; j++) pages.push((pdi << 10) | j);
  for (let p = 0; p < 0x40; p++) pages.push(p);
  return pages;
}

/** A fresh, side-effect-free walk: returns machine offset or -1, with the walker left for inspection. */
export function freshWalk(w: World, probe: PageWalker, linear: number, access: Access, cpl: number): number {
  const cpu = w.cpu;
  if (!probe.walk(linear, access, cpl, cpu.cr0, cpu.cr3, cpu.cr4, false)) return -1;
  const mp = w.t.mem.map.machinePage(probe.physicalPage);
  return mp < 0 ? -1 : mp << 12;
}
