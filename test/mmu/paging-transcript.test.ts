/**
 * Replays the scenario of the `paging` system fixture kernel
 * (fixtures/system/paging.c) at the MMU level and checks every number its
 * QEMU transcript (fixtures/system/paging.expected) prints: CR2 and error
 * code of each page fault, the A/D bits the walk writes back, what each
 * mapping reads. The tables are built as paging.c builds them (8 MiB
 * identity-mapped user pages, a supervisor 4 MiB PSE alias of physical 0,
 * the test region at 0x10000000, two address spaces) and the guest's own
 * table edits go through its identity alias, as its stores would — so on
 * ShadowMmu they take the traced path. Until the whole machine runs paged
 * kernels, this is how the MMU meets the QEMU oracle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CpuState } from '../../src/state/state.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { GuestDriver, type Outcome } from './guest-driver.js';
import { A, CR0_WP, D, GuestTables, P, PS, RW, US, pagedCpu } from './guest-tables.js';

const transcript = readFileSync(new URL('../../fixtures/system/paging.expected', import.meta.url), 'utf8');
const REGION = 0x10000000, RW_PAGE = REGION, RO_PAGE = REGION + 0x1000, SUPER_PAGE = REGION + 0x2000;
const ABSENT_PAGE = REGION + 0x3000, USER_RO_PAGE = REGION + 0x4000, REMAP_PAGE = REGION + 0x5000, SPACE_VA = 0x20000000;
const MARKER = 0x00123450; // any kernel-image address: the alias must reach it

/** What the transcript says, in order: faults as "cr2/error", A/D lines as "A=x D=y". */
function expectedEvents(): string[] {
  const out: string[] = [];
  for (const line of transcript.split('\n')) {
    const pf = /#PF cr2=([0-9a-f]+) error=([0-9a-f]+)/.exec(line);
    if (pf) out.push(`#PF ${pf[1]}/${pf[2]}`);
    const ad = /PTE after .*: (A=\d D=\d)/.exec(line);
    if (ad) out.push(ad[1]!);
  }
  return out;
}

function run(make: (cpu: CpuState, t: GuestTables) => MmuCore, scatter?: number) {
  const t = new GuestTables(16 << 20, scatter, 0x00700000);
  const pd1 = t.allocPage(), pd2 = t.allocPage();
  for (const pd of [pd1, pd2]) for (let p = 0; p < 8 << 20; p += 4096) t.map4k(pd, p, p, P | RW | US, P | RW | US);
  t.map4m(pd1, 0x40000000, 0, P | RW);
  const [rw, ro, sup, uro, oldT, newT, s1, s2] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => t.allocPage());
  t.mem.write32(ro!, 0x0dd0f00d);
  t.mem.write32(uro!, 0x5eadbeef);
  t.mem.write32(oldT!, 0x1111);
  t.mem.write32(newT!, 0x2222);
  t.mem.write32(s1!, 0xaaaa0001);
  t.mem.write32(s2!, 0xbbbb0002);
  t.mem.write32(MARKER, 0x600dcafe);
  t.map4k(pd1, RW_PAGE, rw!, P | RW);
  t.map4k(pd1, RO_PAGE, ro!, P);
  t.map4k(pd1, SUPER_PAGE, sup!, P | RW);
  t.map4k(pd1, USER_RO_PAGE, uro!, P | US);
  t.map4k(pd1, REMAP_PAGE, oldT!, P | RW);
  t.map4k(pd1, SPACE_VA, s1!, P | RW);
  t.map4k(pd2, SPACE_VA, s2!, P | RW);

  const cpu = pagedCpu(pd1, { pse: true });
  const mmu = make(cpu, t);
  const g = new GuestDriver(mmu, cpu);
  const events: string[] = [];
  const value = (o: Outcome): number => {
    if (o.kind !== 'ok') throw new Error(`unexpected #PF ${JSON.stringify(o)}`);
    return o.value;
  };
  const probe = (o: Outcome): void => {
    if (o.kind === 'fault') events.push(`#PF ${o.cr2.toString(16)}/${o.errorCode.toString(16)}`);
  };
  const pteOf = (va: number) => t.pteAddress(pd1, va);
  const showAd = (va: number): void => {
    const pte = value(g.load(pteOf(va), 4)); // the kernel reads its table through the identity map
    events.push(`A=${pte & A ? 1 : 0} D=${pte & D ? 1 : 0}`);
  };
  const facts: Record<string, number> = {};

  facts.alias = value(g.load(0x40000000 + MARKER, 4));
  g.store(0x40000000 + MARKER, 4, 0x12345678);
  facts.direct = value(g.load(MARKER, 4));
  probe(g.load(ABSENT_PAGE + 0x10, 4));
  probe(g.store(ABSENT_PAGE + 0x20, 4, 1));
  probe(g.load(0xc0000000, 4));
  g.store(RO_PAGE + 4, 4, 0x77);
  facts.roWp0 = value(g.load(RO_PAGE + 4, 4));
  cpu.cr0 |= CR0_WP;
  mmu.onCr0Cr4Write();
  probe(g.store(RO_PAGE + 4, 4, 0x88));
  facts.roWp1 = value(g.load(RO_PAGE + 4, 4));
  g.store(pteOf(RW_PAGE), 4, value(g.load(pteOf(RW_PAGE), 4)) & ~(A | D));
  mmu.onInvlpg(RW_PAGE);
  showAd(RW_PAGE);
  g.load(RW_PAGE, 4);
  showAd(RW_PAGE);
  g.store(RW_PAGE, 4, 5);
  showAd(RW_PAGE);
  facts.remapBefore = value(g.load(REMAP_PAGE, 4));
  g.store(pteOf(REMAP_PAGE), 4, newT! | P | RW);
  mmu.onInvlpg(REMAP_PAGE);
  facts.remapAfter = value(g.load(REMAP_PAGE, 4));
  facts.space1 = value(g.load(SPACE_VA, 4));
  cpu.cr3 = pd2;
  mmu.onCr3Write();
  facts.space2 = value(g.load(SPACE_VA, 4));
  cpu.cr3 = pd1;
  mmu.onCr3Write();
  facts.space1Again = value(g.load(SPACE_VA, 4));
  cpu.cpl = 3;
  mmu.onCplChange();
  facts.userRo = value(g.load(USER_RO_PAGE, 4));
  probe(g.store(USER_RO_PAGE, 4, 1));
  probe(g.load(SUPER_PAGE, 4));
  return { events, facts };
}

const makers = {
  shadow: (cpu: CpuState, t: GuestTables): MmuCore => new ShadowMmu(cpu, t.mem),
  nested: (cpu: CpuState, t: GuestTables): MmuCore => new NestedMmu(cpu, t.mem),
};

describe('the paging fixture scenario against its QEMU transcript', () => {
  it('the transcript has the events this test expects to check', () => {
    expect(expectedEvents().length).toBe(9);
  });

  for (const [name, make] of Object.entries(makers)) {
    for (const scatter of [undefined, 1234]) {
      it(`${name} MMU${scatter ? ', scattered memory' : ''}: faults, CR2, error codes and A/D bits match QEMU`, () => {
        const result = run(make, scatter);
        expect(result.events).toEqual(expectedEvents());
        expect(transcript).toContain(`direct read = ${result.facts.direct!.toString(16)}`);
        expect(result.facts.alias).toBe(0x600dcafe);
        expect(transcript).toContain(`allowed, value ${result.facts.roWp0!.toString(16)}`);
        expect(transcript).toContain(`value still ${result.facts.roWp1!.toString(16)}`);
        expect(transcript).toContain(`before ${result.facts.remapBefore!.toString(16)}, after ${result.facts.remapAfter!.toString(16)}`);
        expect(transcript).toContain(
          `space 1 = ${result.facts.space1!.toString(16)}; after mov cr3 to space 2 = ${result.facts.space2!.toString(16)}; ` +
            `back in space 1 = ${result.facts.space1Again!.toString(16)}`,
        );
        expect(result.facts.userRo).toBe(0x5eadbeef);
      });
    }
  }
});
