/**
 * mov and pop to DS/ES/FS/GS continue the translated block unless the
 * translation mode word changed (src/vmm/segments.ts loadSeg with c=1, a pop
 * adding the bytes to release << 8): the VMM side of that contract. The lifter side is in test/lift/lifter.test.ts, and whole
 * kernels that load limited segments (segments.elf) in test/system.
 */
import { describe, expect, it } from 'vitest';
import { modeOf } from '../../src/cpu/mode.js';
import { SEG_DS, SEG_ES, SEG_FS, SEG_SS } from '../../src/cpu/state.js';
import { loadSegmentCache } from '../../src/vmm/descriptors.js';
import { VmmResult } from '../../src/vmm/interface.js';
import { FREE_SLOT, KCODE, KDATA, TestGuest, segDesc } from './guest-builder.js';

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
