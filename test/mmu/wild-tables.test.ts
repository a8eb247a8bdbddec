/**
 * Hostile page tables: random words everywhere (frames beyond RAM, PDEs
 * naming the directory itself or data as tables, reserved bits — which
 * include a 4 MiB PDE's PSE-36 bits, as our CPUID lacks PSE-36), random CR3 values (also beyond RAM), random stores
 * that rewrite tables while they are shadowed. Whatever the guest does,
 * the MMUs answer with a value or a #PF — never a host exception — and the
 * shadow and nested MMUs agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CpuState } from '../../src/state/state.js';
import { GuestFault } from '../../src/vmm/fault.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { MmuLinearMemory } from '../../src/vmm/mmu-linear-memory.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { GuestDriver, type Outcome } from './guest-driver.js';
import { GuestTables, pagedCpu } from './guest-tables.js';

const RAM = 64 * 4096;
const word = fc.oneof(
  fc.nat(0xffffffff),
  fc.tuple(fc.nat(63), fc.nat(0xfff)).map(([page, low]) => ((page << 12) | low) >>> 0),
  // Present, user, writable: keeps the walks going deep often enough.
  fc.tuple(fc.nat(63), fc.nat(0xfff)).map(([page, low]) => ((page << 12) | low | 7) >>> 0),
);
const cr3Value = fc.oneof(word, fc.nat(3).map((p) => p << 12));
const linear = fc.oneof(fc.nat(0xffffffff), fc.tuple(fc.nat(0x3ff), fc.nat(63), fc.nat(0xfff)).map(([i, j, o]) => ((i << 22) | (j << 12) | o) >>> 0));

type WildOp =
  | { kind: 'load' | 'store' | 'vmm-read' | 'vmm-write'; la: number; size: 1 | 2 | 4; v: number; cpl: number }
  | { kind: 'cr3'; value: number }
  | { kind: 'pse' };

const wildOp: fc.Arbitrary<WildOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('load' as const, 'store' as const, 'vmm-read' as const, 'vmm-write' as const),
    la: linear, size: fc.constantFrom(1 as const, 2 as const, 4 as const), v: word, cpl: fc.constantFrom(0, 3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cr3' as const), value: fc.oneof(word, fc.nat(3).map((p) => p << 12)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pse' as const) }) },
);

function world(words: number[], cr3: number, make: (cpu: CpuState, t: GuestTables) => MmuCore) {
  const t = new GuestTables(RAM);
  words.forEach((w, k) => t.mem.write32(k * 4, w));
  const cpu = pagedCpu(cr3);
  const mmu = make(cpu, t);
  return { t, cpu, mmu, g: new GuestDriver(mmu, cpu), lin: new MmuLinearMemory(mmu, cpu, t.mem) };
}

function step(w: ReturnType<typeof world>, o: WildOp): Outcome | string {
  const { cpu, mmu, g, lin } = w;
  switch (o.kind) {
    case 'cr3':
      cpu.cr3 = o.value | 0;
      mmu.onCr3Write();
      return 'cr3';
    case 'pse':
      cpu.cr4 ^= 1 << 4;
      mmu.onCr0Cr4Write();
      return 'pse';
    default:
      break;
  }
  cpu.cpl = o.cpl;
  mmu.onCplChange();
  try {
    switch (o.kind) {
      case 'load': return g.load(o.la, o.size);
      case 'store': return g.store(o.la, o.size, o.v);
      case 'vmm-read': return `vmm ${lin.read(o.la, o.size)}`;
      case 'vmm-write': lin.write(o.la, o.size, o.v); return 'vmm ok';
    }
  } catch (e) {
    if (e instanceof GuestFault) return `vmm #PF ${e.errorCode} cr2=${cpu.cr2 >>> 0}`;
    throw e;
  }
}

const seen = { value: 0, unbacked: 0, fault: 0, vmmFault: 0 };
function tally(r: Outcome | string): void {
  if (typeof r === 'string') {
    if (r.startsWith('vmm #PF')) seen.vmmFault++;
  } else if (r.kind === 'fault') seen.fault++;
  else if (r.value === 0xffffffff || r.value === 0xffff || r.value === 0xff) seen.unbacked++;
  else seen.value++;
}

describe('wild page tables', () => {
  it('never raise host exceptions, and shadow and nested MMUs agree', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1024 * 4, maxLength: 1024 * 4 }), cr3Value, fc.array(wildOp, { minLength: 10, maxLength: 60, size: 'max' }),
        (words, cr3, ops) => {
          const a = world(words, cr3, (cpu, t) => new ShadowMmu(cpu, t.mem));
          const b = world(words, cr3, (cpu, t) => new NestedMmu(cpu, t.mem));
          ops.forEach((o, k) => {
            const ra = step(a, o);
            tally(ra);
            expect({ k, r: step(b, o) }).toEqual({ k, r: ra });
            // Tables may have changed under the nested MMU's TLB: flush as a guest would.
            a.mmu.onCr3Write();
            b.mmu.onCr3Write();
          });
          expect(Buffer.compare(a.t.mem.slice(0, RAM), b.t.mem.slice(0, RAM))).toBe(0);
        }),
      { numRuns: 40 },
    );
    // The random worlds must reach every kind of outcome, or this test checks little.
    expect(seen.value).toBeGreaterThan(20);
    expect(seen.unbacked).toBeGreaterThan(10);
    expect(seen.fault).toBeGreaterThan(100);
    expect(seen.vmmFault).toBeGreaterThan(100);
  });
});
