/**
 * mov and pop to DS/ES/FS/GS continue the translated block unless the
 * translation mode word changed (src/vmm/segments.ts loadSeg with c=1, a pop
 * adding the bytes to release << 8): the VMM side of that contract. The lifter side is in test/lift/lifter.test.ts, and whole
 * kernels that load limited segments (segments.elf) in test/system.
 */
import { describe, expect, it } from 'vitest';
import { modeOf } from '../../src/state/mode.js';
import { SEG_DS, SEG_ES, SEG_FS, SEG_SS } from '../../src/state/state.js';
import { ATTR_ACCESSED, ATTR_MASK, descBase, descLimit, loadSegmentCache } from '../../src/vmm/descriptors.js';
import { VmmResult } from '../../src/vmm-interface/interface.js';
import { FREE_SLOT, KCODE, KDATA, TestGuest, segDesc } from './guest-builder.js';
import { xorshift32 } from '../support/xorshift32.js';

describe('loadSeg from mov to a data segment register (c=1)', () => {
  it('continues when the mode word stays and leaves at the next instruction when it changes', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x4000;
    const flat = modeOf(g.cpu);
    expect(g.emulate('loadSeg', SEG_DS, KDATA, 1, 0x4002)).toBe(VmmResult.Continue);
    expect(g.cpu.eip).toBe(0x4000);
    expect(modeOf(g.cpu)).toBe(flat);

    g.setDesc(FREE_SLOT, segDesc(0x6000, 0xfff, 0x93, 0x4)); // data, base 0x6000, byte limit 0xfff
    expect(g.emulate('loadSeg', SEG_DS, FREE_SLOT, 1, 0x4002)).toBe(VmmResult.Leave);
    expect(g.cpu.eip).toBe(0x4002);
    expect(g.cpu.segBase[SEG_DS]).toBe(0x6000);
    expect(modeOf(g.cpu)).not.toBe(flat);
  });

  it('without c=1 (pop sreg, lds: more of the instruction follows) it always continues', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x4000;
    g.setDesc(FREE_SLOT, segDesc(0x6000, 0xfff, 0x93, 0x4));
    expect(g.emulate('loadSeg', SEG_FS, FREE_SLOT, 0, 0x4002)).toBe(VmmResult.Continue);
    expect(g.cpu.eip).toBe(0x4000);
    expect(g.cpu.segBase[SEG_FS]).toBe(0x6000);
  });
});

describe('loadSeg from pop to a data segment register (c = 1 | bytes << 8)', () => {
  it('releases the slot after a successful load, ESP or SP as SS says', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x4000;
    g.cpu.regs[4] = 0x8000;
    expect(g.emulate('loadSeg', SEG_ES, KDATA, 1 | (4 << 8), 0x4001)).toBe(VmmResult.Continue);
    expect(g.cpu.regs[4]).toBe(0x8004);
    expect(g.emulate('loadSeg', SEG_ES, KDATA, 1 | (2 << 8), 0x4001)).toBe(VmmResult.Continue);
    expect(g.cpu.regs[4]).toBe(0x8006);
    // A 16-bit stack segment (B=0): SP wraps, the upper half of ESP stays.
    const [lo, hi] = segDesc(0, 0xfffff, 0x93, 0x8);
    loadSegmentCache(g.cpu, SEG_SS, KDATA, lo, hi);
    g.cpu.regs[4] = 0x1234fffe;
    expect(g.emulate('loadSeg', SEG_ES, KDATA, 1 | (4 << 8), 0x4001)).toBe(VmmResult.Continue);
    expect(g.cpu.regs[4]).toBe(0x12340002);
  });

  it('leaves ESP alone when the load faults: the #GP frame sits below the unreleased slot', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x4000;
    g.cpu.regs[4] = 0x8000;
    g.setDesc(FREE_SLOT, segDesc(0, 0xfffff, 0x98)); // execute-only code: not loadable into a data register
    expect(g.emulate('loadSeg', SEG_DS, FREE_SLOT, 1 | (4 << 8), 0x4001)).toBe(VmmResult.Leave);
    expect(g.cpu.regs[4]).toBe(0x8000 - 16); // error code, EIP, CS, EFLAGS pushed from 0x8000
    expect(g.stack(3)).toEqual([FREE_SLOT, 0x4000, KCODE]);
  });

  it('leaves at the next instruction, slot released, when the mode word changes', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x4000;
    g.cpu.regs[4] = 0x8000;
    g.setDesc(FREE_SLOT, segDesc(0x6000, 0xfff, 0x93, 0x4));
    expect(g.emulate('loadSeg', SEG_DS, FREE_SLOT, 1 | (4 << 8), 0x4001)).toBe(VmmResult.Leave);
    expect([g.cpu.eip, g.cpu.regs[4], g.cpu.segBase[SEG_DS]]).toEqual([0x4001, 0x8004, 0x6000]);
  });
});

describe('loadSeg skips the mode word only when the load leaves its inputs alone', () => {
  // The VMM compares mode words only when base, limit or the class-relevant access rights change
  // (a flat kernel DS over a flat user DS differs in DPL alone). Held to the plain rule it stands
  // in for: leave exactly when modeOf changed, and never leave a window (segFirst/segSpan) stale.
  const ACCESS = [0x93, 0x92, 0x91, 0x97, 0x95, 0x9b, 0x9f, 0x9a, 0xb3, 0xd3, 0xf2, 0xf3, 0xf1, 0xfb];
  const BASES = [0, 0, 0, 0x6000, 0x10000];
  const LIMITS = [0xfffff, 0xfffff, 0xfff, 0xffff, 0x7fff];
  const FLAGS = [0xc, 0xc, 0x4, 0x8, 0x0];
  const SELECTORS = [0, FREE_SLOT, FREE_SLOT + 8, KDATA];

  it('leaves iff modeOf changed, and the windows match a fresh modeOf, over random load sequences', () => {
    const next = xorshift32(0x5e9d);
    const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
    let leaves = 0, continues = 0;
    for (let trial = 0; trial < 40; trial++) {
      const g = new TestGuest();
      g.cpu.eip = 0x4000;
      for (let step = 0; step < 12; step++) {
        const descs = new Map<number, [number, number]>([[KDATA, segDesc(0, 0xfffff, 0x92)]]);
        descs.set(FREE_SLOT, segDesc(pick(BASES), pick(LIMITS), pick(ACCESS), pick(FLAGS)));
        descs.set(FREE_SLOT + 8, segDesc(pick(BASES), pick(LIMITS), pick(ACCESS), pick(FLAGS)));
        for (const [sel, d] of descs) g.setDesc(sel, d);
        const seg = pick([SEG_DS, SEG_ES, SEG_FS]);
        const selector = pick(SELECTORS);
        const before = modeOf(g.cpu);
        const [oldBase, oldLimit] = [g.cpu.segBase[seg]!, g.cpu.segLimit[seg]!];
        g.cpu.eip = 0x4000;
        const r = g.emulate('loadSeg', seg, selector, 1, 0x4002);
        // The cache holds the descriptor whichever way the load went (a null selector: P=0, base and limit kept).
        const d = descs.get(selector);
        const cache = [g.cpu.segSel[seg], g.cpu.segBase[seg], g.cpu.segLimit[seg], g.cpu.segAttr[seg]];
        expect(cache).toEqual(d === undefined
          ? [selector, oldBase, oldLimit, 0]
          : [selector, descBase(d[0], d[1]) | 0, descLimit(d[0], d[1]), (d[1] & ATTR_MASK) | ATTR_ACCESSED]);
        const first = Array.from(g.cpu.segFirst), span = Array.from(g.cpu.segSpan);
        const after = modeOf(g.cpu); // also recomputes the windows: they must not move
        expect(r).toBe(after === before ? VmmResult.Continue : VmmResult.Leave);
        expect(g.cpu.eip).toBe(after === before ? 0x4000 : 0x4002);
        expect([Array.from(g.cpu.segFirst), Array.from(g.cpu.segSpan)]).toEqual([first, span]);
        if (r === VmmResult.Leave) leaves++;
        else continues++;
      }
    }
    // Both outcomes are exercised, including continues after a real reload (not only identical selectors).
    expect(leaves).toBeGreaterThan(50);
    expect(continues).toBeGreaterThan(50);
  });

  it('continues without leaving when a flat segment of another DPL replaces a flat one', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x4000;
    g.setDesc(FREE_SLOT, segDesc(0, 0xfffff, 0xf3)); // flat data, DPL 3
    expect(g.emulate('loadSeg', SEG_DS, FREE_SLOT, 1, 0x4002)).toBe(VmmResult.Continue);
    expect(g.emulate('loadSeg', SEG_DS, KDATA, 1, 0x4002)).toBe(VmmResult.Continue);
    expect([g.cpu.eip, g.cpu.segSel[SEG_DS], (g.cpu.segAttr[SEG_DS]! >>> 13) & 3]).toEqual([0x4000, KDATA, 0]);
  });
});
