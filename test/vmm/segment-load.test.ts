/**
 * mov to DS/ES/FS/GS continues the translated block unless the translation
 * mode word changed (src/vmm/segments.ts loadSeg with c=1): the VMM side of
 * that contract. The lifter side is in test/lift/lifter.test.ts, and whole
 * kernels that load limited segments (segments.elf) in test/system.
 */
import { describe, expect, it } from 'vitest';
import { modeOf } from '../../src/cpu/mode.js';
import { SEG_DS, SEG_FS } from '../../src/cpu/state.js';
import { VmmResult } from '../../src/vmm/interface.js';
import { FREE_SLOT, KDATA, TestGuest, segDesc } from './guest-builder.js';

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
