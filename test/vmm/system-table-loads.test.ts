/**
 * lldt and ltr take their descriptor from the GDT only: a selector with
 * TI = 1 is #GP(selector) even when the LDT holds a descriptor of the right
 * type at that index (SDM vol. 2, LLDT and LTR: "IF segment selector is not
 * in the GDT THEN #GP(segment selector)"). privileged.test.ts covers the
 * other cases; this is the one no other test reached.
 */
import { describe, expect, it } from 'vitest';
import { FREE_SLOT, GDT, TestGuest, handlerOf, segDesc } from './guest-builder.js';

const GP = 13;
const LDT_BASE = 0x6000;
/** Index 1 of the LDT, TI = 1. */
const IN_LDT = (1 << 3) | 4;

/** A guest with an LDT installed whose entry 1 is a present LDT descriptor (type 2) or available 32-bit TSS (type 9). */
function guestWithLdtEntry(type: number): TestGuest {
  const g = new TestGuest();
  g.setDesc(FREE_SLOT, segDesc(LDT_BASE, 0xff, 0x82, 0)); // present LDT descriptor in the GDT
  g.cpu.eip = 0x40;
  g.emulate('lldt', FREE_SLOT);
  expect([g.cpu.ldtSel, g.cpu.ldtBase]).toEqual([FREE_SLOT, LDT_BASE]);
  const [lo, hi] = segDesc(0x7000, 0x67, 0x80 | type, 0);
  g.phys.write32(LDT_BASE + 8, lo);
  g.phys.write32(LDT_BASE + 12, hi);
  return g;
}

describe('lldt and ltr read the GDT only', () => {
  it('lldt of an LDT selector is #GP(selector), the LDT register unchanged', () => {
    const g = guestWithLdtEntry(0x2);
    g.emulate('lldt', IN_LDT);
    expect(g.cpu.eip).toBe(handlerOf(GP));
    expect(g.stack(1)[0]).toBe(IN_LDT & 0xfffc);
    expect([g.cpu.ldtSel, g.cpu.ldtBase]).toEqual([FREE_SLOT, LDT_BASE]);
  });

  it('ltr of an LDT selector is #GP(selector), the TSS descriptor in the LDT left available', () => {
    const g = guestWithLdtEntry(0x9);
    const trBefore = g.cpu.trSel;
    g.emulate('ltr', IN_LDT);
    expect(g.cpu.eip).toBe(handlerOf(GP));
    expect(g.stack(1)[0]).toBe(IN_LDT & 0xfffc);
    expect(g.cpu.trSel).toBe(trBefore);
    expect((g.phys.read32(LDT_BASE + 12) >>> 8) & 0xf).toBe(0x9);
    expect(g.phys.read32(GDT + FREE_SLOT + 4)).not.toBe(0);
  });
});
