/**
 * Region templates (src/codegen/region-template.ts): tier-0 regions of the
 * same shape compile once and run as instances bound to their own constants.
 * Every guest test exercises templates too (each region starts at tier 0);
 * these pin the rules and the sharing itself.
 */
import { describe, expect, test } from 'vitest';
import { generateRegion } from '../../src/codegen/compile-region.js';
import { TEMPLATE_NAME, TemplateCache, templateOf } from '../../src/codegen/region-template.js';
import { IrBuilder } from '../../src/ir/builder.js';
import type { Block } from '../../src/ir/types.js';
import { handBuiltTranslator } from '../translator/hand-built-translator.js';

/** One 3-byte instruction: eax += 7 * address (a constant per site), then jump to address + 0x1000. */
function siteBlock(address: number): Block {
  const b = new IrBuilder(address, 0x17);
  b.insn(address, 3, 'site');
  b.putGpr(0, b.bin('add', b.gpr(0), b.c(address * 7)));
  b.putGpr(2, b.bin('shl', b.gpr(2), b.c(3)));
  return b.finish({ kind: 'jump', target: address + 0x1000 });
}

function setup() {
  const { cpu, translator, emitter } = handBuiltTranslator(siteBlock);
  return { cpu, translator, mem: emitter };
}

const LIFT_MODE = { codeSize: 4 as const, flatSegments: true, mode: 0x17 };

describe('templateOf', () => {
  const { mem } = setup();
  const source = generateRegion({ entry: 0x4000, mode: 0x17, blocks: [siteBlock(0x4000)] }, mem).source;
  const t = templateOf(source);

  test('addresses and large literals become K reads, in order; small literals and case labels stay', () => {
    expect(source).toContain(String(0x4000 * 7));
    expect(t.constants).toContain(0x4000 * 7);
    expect(t.constants).toContain(0x4000); // the entry EIP (budget exit) and the marker-free exit
    expect(t.source).not.toContain(String(0x4000 * 7));
    expect(t.source).not.toMatch(/0x[0-9a-f]/);
    expect(t.source).toContain('case 0:');
    expect(t.source).toMatch(/<< 3|\b3\b/); // the shift count stays a literal
    for (const [i] of t.constants.entries()) expect(t.source).toContain(`K[${i}]`);
  });

  test('instruction markers and the region name leave the text', () => {
    expect(source).toContain('// insn 0x4000');
    expect(t.source).not.toContain('//');
    expect(t.source).not.toMatch(/region_[0-9a-f]{8}/);
    expect(t.source).toContain(TEMPLATE_NAME);
  });

  test('two sites of one shape have one template and different constants', () => {
    const other = templateOf(generateRegion({ entry: 0x9000, mode: 0x17, blocks: [siteBlock(0x9000)] }, mem).source);
    expect(other.source).toBe(t.source);
    expect(other.constants).not.toEqual(t.constants);
  });

  test('identifiers with digits are not literals; case labels stay literal however large', () => {
    expect(templateOf('let r0 = R[0], t123 = 456; b0: for (;;) {}').source).toBe('let r0 = R[0], t123 = K[0]; b0: for (;;) {}');
    expect(templateOf('switch (L) { case 120: { ne = 0x120; } }').source).toBe('switch (L) { case 120: { ne = K[0]; } }');
  });
});

describe('tier-0 regions share compiled templates', () => {
  test('the second site reuses the first one\'s factory and still runs with its own constants', () => {
    const { cpu, translator } = setup();
    const a = translator.translate(0x4000, 0x17, LIFT_MODE);
    const b = translator.translate(0x9000, 0x17, LIFT_MODE);
    expect([a.tier, b.tier]).toEqual([0, 0]);
    expect([translator.templates.misses, translator.templates.hits]).toEqual([1, 1]);

    cpu.budget = 100;
    cpu.regs[0] = 5;
    cpu.regs[2] = 1;
    expect(a.run()).toBe(0);
    expect([cpu.eip, cpu.regs[0], cpu.regs[2]]).toEqual([0x5000, 5 + 0x4000 * 7, 8]);
    expect(b.run()).toBe(0);
    expect([cpu.eip, cpu.regs[0], cpu.regs[2]]).toEqual([0xa000, 5 + 0x4000 * 7 + 0x9000 * 7, 64]);
    expect(a.exitTargets).toEqual([0x5000]);
    expect(b.exitTargets).toEqual([0xa000]);
  });

  test('whole (promoted) regions are compiled from their own source, not as templates', () => {
    const { translator } = setup();
    translator.translate(0x4000, 0x17, LIFT_MODE, 'whole');
    translator.translate(0x9000, 0x17, LIFT_MODE, 'whole');
    expect([translator.templates.misses, translator.templates.hits]).toEqual([0, 0]);
  });
});

describe('TemplateCache', () => {
  test('compiles each source once and starts afresh past its capacity', () => {
    const cache = new TemplateCache<string>(2);
    let compiles = 0;
    const compile = (s: string): string => (compiles++, s.toUpperCase());
    expect(cache.factoryFor('a', compile)).toBe('A');
    expect(cache.factoryFor('a', compile)).toBe('A');
    cache.factoryFor('b', compile);
    expect([compiles, cache.hits, cache.misses, cache.size]).toEqual([2, 1, 2, 2]);
    cache.factoryFor('c', compile); // full: cleared, then c
    expect(cache.size).toBe(1);
    cache.factoryFor('a', compile);
    expect(compiles).toBe(4);
  });
});
