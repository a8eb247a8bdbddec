/**
 * invlpg inside 4 MiB pages (SDM vol. 3A 4.10.4.1: INVLPG invalidates the
 * TLB entries of the page containing the address, whatever its size). Both
 * MMUs cache a large page as separate 4 KiB pieces, read and write, so an
 * invlpg at any address inside it — first byte, last byte, unaligned, in the
 * first, middle or last 4 KiB piece — must drop every cached piece. The
 * guest's tables are the oracle: after the remap and one invlpg, every
 * access must reach the new frame. Rounds run on the same MMU, so pieces
 * refilled after an invalidation (and after a CR3 reload, which empties the
 * TLB) must be dropped again by the next invlpg.
 */
import { describe, expect, it } from 'vitest';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import { GuestDriver } from './guest-driver.js';
import { A, D, GuestTables, P, RW, US, pagedCpu } from './guest-tables.js';

const KINDS = [['shadow', ShadowMmu], ['nested', NestedMmu]] as const;
const LARGE = 0x40000000;
const FRAMES = [0x400000, 0x800000, 0xc00000];
/** Offsets inside the large page that the guest touches: first, middle and last piece, and some between. */
const TOUCHED = [0x0, 0x1ff8, 0x155000, 0x200000, 0x2ff004, 0x3ff000, 0x3ffffc];
/** Where the invlpg lands, relative to the large page. */
const INVLPG_AT = [0x0, 0x3fffff, 0x200000, 0x1234, 0x3ff000, 0x155abc];

/** Marks every touched dword of each frame with its frame number and offset. */
function fillFrames(t: GuestTables): void {
  FRAMES.forEach((frame, f) => {
    for (const off of TOUCHED) t.mem.write32(frame + off, (f << 24) | off);
  });
}

describe.each(KINDS)('%s MMU: invlpg anywhere inside a 4 MiB page', (_name, Kind) => {
  function setup() {
    const t = new GuestTables(16 << 20);
    const pd = t.allocPage();
    t.map4m(pd, LARGE, FRAMES[0]!, P | RW | US | A | D);
    const cpu = pagedCpu(pd, { pse: true });
    const mmu: MmuCore = new Kind(cpu, t.mem);
    fillFrames(t);
    return { t, pd, cpu, mmu, g: new GuestDriver(mmu, cpu) };
  }

  /** Reads every touched dword; the frame numbers seen. */
  const framesSeen = (g: GuestDriver) =>
    TOUCHED.map((off) => {
      const r = g.load(LARGE + off, 4);
      return r.kind === 'ok' ? (r.value >>> 24) : -1;
    });

  it.each(INVLPG_AT.map((at) => [at.toString(16), at] as const))('at offset 0x%s: every cached 4 KiB piece, read or written, follows the remap', (_hex, at) => {
    const { t, pd, g, mmu } = setup();
    let current = 0;
    for (let round = 0; round < 4; round++) {
      // Cache each piece for reading, and half of them for writing too.
      expect(framesSeen(g)).toEqual(TOUCHED.map(() => current));
      TOUCHED.forEach((off, i) => {
        if (i % 2 === 0) g.store(LARGE + off + 2, 1, (current << 4) | 0x0f); // dirties the page: write entries
      });
      fillFrames(t);
      if (round === 2) mmu.onCr3Write(); // the refill after a full flush must be tracked as well
      if (round === 2) expect(framesSeen(g)).toEqual(TOUCHED.map(() => current));
      const next = (current + 1) % FRAMES.length;
      t.map4m(pd, LARGE, FRAMES[next]!, P | RW | US | A | D);
      mmu.onInvlpg(LARGE + at);
      current = next;
      expect(framesSeen(g), `round ${round}`).toEqual(TOUCHED.map(() => current));
      // Stores land in the new frame too.
      TOUCHED.forEach((off) => expect(g.store(LARGE + off, 4, 0xabcd0000 | off)).toEqual({ kind: 'ok', value: 0 }));
      TOUCHED.forEach((off) => expect(t.mem.read32(FRAMES[current]! + off) >>> 0).toBe((0xabcd0000 | off) >>> 0));
      fillFrames(t);
    }
  });

  it('an invlpg in the neighbouring 4 MiB leaves the large page cached (nested: stale until its own invlpg)', () => {
    const { t, pd, g, mmu } = setup();
    expect(framesSeen(g)).toEqual(TOUCHED.map(() => 0));
    t.map4m(pd, LARGE, FRAMES[1]!, P | RW | US | A | D);
    mmu.onInvlpg(LARGE + 0x400000);
    mmu.onInvlpg(LARGE - 1);
    if (Kind === NestedMmu) expect(framesSeen(g)).toEqual(TOUCHED.map(() => 0)); // as a hardware TLB may
    mmu.onInvlpg(LARGE + 0x3fffff);
    expect(framesSeen(g)).toEqual(TOUCHED.map(() => 1));
  });
});
