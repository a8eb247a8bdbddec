/**
 * How the monitor drives the MMU: mov to CR0/CR3/CR4 and invlpg reach it
 * (PAE refused as unsupported, paging refused only when the monitor has no
 * MMU), every CPL change tells it (the TLB holds one privilege class), and
 * sti that makes a waiting IRQ deliverable leaves translated code so the
 * dispatcher can step the one instruction in the interrupt shadow.
 */
import { describe, expect, it, vi } from 'vitest';
import { VmmResult } from '../../src/vmm-interface/interface.js';
import { IF } from '../../src/vmm/lazy-flags.js';
import type { Mmu } from '../../src/mmu/mmu.js';
import { TestGuest, handlerOf } from './guest-builder.js';

function withSpyMmu(): { g: TestGuest; mmu: { [K in 'onCr0Cr4Write' | 'onCr3Write' | 'onInvlpg' | 'onCplChange']: ReturnType<typeof vi.fn> } } {
  const g = new TestGuest();
  const mmu = { onCr0Cr4Write: vi.fn(), onCr3Write: vi.fn(), onInvlpg: vi.fn(), onCplChange: vi.fn() };
  g.core.mmu = mmu as unknown as Mmu;
  return { g, mmu };
}

describe('control registers and invlpg reach the MMU', () => {
  it('mov cr0 may set PG when there is an MMU, and tells it', () => {
    const { g, mmu } = withSpyMmu();
    g.cpu.eip = 0x500;
    expect(g.emulate('movToCr', 0, 0x80000011, 0, 0x503)).toBe(VmmResult.Leave);
    expect(g.core.end).toBeNull();
    expect(g.cpu.cr0 >>> 0).toBe(0x80000011);
    expect(g.cpu.eip).toBe(0x503);
    expect(mmu.onCr0Cr4Write).toHaveBeenCalledTimes(1);
  });

  it('mov cr3 tells the MMU and leaves translated code at the next instruction', () => {
    const { g, mmu } = withSpyMmu();
    expect(g.emulate('movToCr', 3, 0x12345fff, 0, 0x900)).toBe(VmmResult.Leave);
    expect(g.cpu.cr3 >>> 0).toBe(0x12345018);
    expect(g.cpu.eip).toBe(0x900);
    expect(mmu.onCr3Write).toHaveBeenCalledTimes(1);
  });

  it('mov cr4 tells the MMU; PAE with paging is unsupported either way round', () => {
    const { g, mmu } = withSpyMmu();
    g.emulate('movToCr', 4, 0x10);
    expect(mmu.onCr0Cr4Write).toHaveBeenCalledTimes(1);
    g.emulate('movToCr', 0, 0x80000011);
    g.emulate('movToCr', 4, 0x30);
    expect(g.core.end?.kind).toBe('unsupported');
    const h = withSpyMmu().g;
    h.emulate('movToCr', 4, 0x20);
    h.emulate('movToCr', 0, 0x80000011);
    expect(h.core.end?.kind).toBe('unsupported');
  });

  it('invlpg passes its linear address', () => {
    const { g, mmu } = withSpyMmu();
    expect(g.emulate('invlpg', 0x12345678)).toBe(VmmResult.Continue);
    expect(mmu.onInvlpg).toHaveBeenCalledWith(0x12345678);
  });

  it('a CPL change (a #GP from ring 3 into a ring-0 handler) tells the MMU once; staying in ring 0 does not', () => {
    const { g, mmu } = withSpyMmu();
    g.emulate('cli');
    expect(mmu.onCplChange).not.toHaveBeenCalled();
    g.enterRing(3);
    g.cpu.eip = 0x4000;
    g.emulate('cli');
    expect(g.cpu.eip).toBe(handlerOf(13));
    expect(g.cpu.cpl).toBe(0);
    expect(mmu.onCplChange).toHaveBeenCalledTimes(1);
  });
});

describe('sti and a waiting interrupt', () => {
  it('sti with an IRQ waiting leaves at the next instruction with the shadow on it', () => {
    const g = new TestGuest();
    g.core.interruptWaiting = () => true;
    expect(g.emulate('sti', 0, 0, 0, 0x1235)).toBe(VmmResult.Leave);
    expect(g.cpu.eip).toBe(0x1235);
    expect(g.core.shadowEip).toBe(0x1235);
    expect(g.cpu.eflagsSys & IF).toBe(IF);
  });

  it('sti with nothing waiting, or with IF already set, runs on', () => {
    const g = new TestGuest();
    expect(g.emulate('sti', 0, 0, 0, 0x1235)).toBe(VmmResult.Continue);
    g.core.interruptWaiting = () => true;
    g.core.shadowEip = -1;
    expect(g.emulate('sti', 0, 0, 0, 0x1300)).toBe(VmmResult.Continue);
    expect(g.core.shadowEip).toBe(-1);
  });
});
