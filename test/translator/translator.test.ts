/**
 * The translator and region assembly with hand-built blocks: which blocks a
 * region gathers (same page, both branch arms, block bound), the -d logs,
 * sharing lifted blocks between regions and forgetting them on invalidation.
 */
import { describe, expect, test } from 'vitest';
import { IrBuilder } from '../../src/ir/builder.js';
import type { Block, Exit } from '../../src/ir/types.js';
import { successorsOf } from '../../src/ir/block-exits.js';
import { buildRegion, PROMOTE_AFTER, type RegionLimits } from '../../src/translator/region-builder.js';
import { type TranslationLogKind } from '../../src/translator/translator.js';
import { handBuiltTranslator } from './hand-built-translator.js';
import { gsSharedMode } from '../../src/state/mode.js';

/** A program as a map from address to exit; every block is one 2-byte instruction. */
function program(exits: Record<number, Exit>): (address: number) => Block {
  return (address) => {
    const b = new IrBuilder(address, 0x17);
    b.insn(address, 2, `insn at ${address.toString(16)}`);
    b.putGpr(0, b.bin('add', b.gpr(0), b.c(1)));
    const exit = exits[address];
    if (exit === undefined) throw new Error(`no block at ${address.toString(16)}`);
    if (exit.kind === 'branch') return b.finish({ ...exit, cond: b.gpr(1) });
    return b.finish(exit);
  };
}

const PROGRAM = {
  0x1000: { kind: 'branch', cond: { kind: 'const', value: 0 }, taken: 0x1100, fallthrough: 0x1002 },
  0x1002: { kind: 'jump', target: 0x1000 },
  0x1100: { kind: 'jump', target: 0x2000 }, // next page: not in the region
  0x2000: { kind: 'indirect', target: { kind: 'const', value: 0x1000 }, hint: 'ret' },
} as const satisfies Record<number, Exit>;

describe('region assembly', () => {
  test('both arms and back edges within the entry page, nothing beyond it', () => {
    const blocks = buildRegion(0x1000, { maxBlocks: 32 }, program(PROGRAM), (x) => x);
    expect(blocks.map((b) => b.address)).toEqual([0x1000, 0x1100, 0x1002]);
    expect(successorsOf(blocks[0]!)).toEqual([0x1100, 0x1002]);
  });

  test('given what has run, only those successors join', () => {
    const blocks = buildRegion(0x1000, { maxBlocks: 32 }, program(PROGRAM), (x) => x, (eip) => eip !== 0x1100);
    expect(blocks.map((b) => b.address)).toEqual([0x1000, 0x1002]);
  });

  test('the block bound cuts the walk', () => {
    expect(buildRegion(0x1000, { maxBlocks: 2 }, program(PROGRAM), (x) => x)).toHaveLength(2);
  });
});

describe('translator', () => {
  /** Without promoteAfter: no tiering, every translation gathers the whole region. */
  const NO_TIERS: RegionLimits = { maxBlocks: 12 };

  function setup(log?: (kind: TranslationLogKind, text: string) => void, region?: RegionLimits) {
    return handBuiltTranslator(program(PROGRAM), { log: log && { enabled: () => true, write: log }, region });
  }

  test('translates, inserts into the cache, and runs', () => {
    const { cpu, cache, translator } = setup(undefined, NO_TIERS);
    const r = translator.translate(0x1000, 0x17, { codeSize: 4, flatSegments: true, mode: 0x17 }, 'whole');
    expect(cache.lookup(0x1000, 0x1000, 0x17, gsSharedMode(0x17))).toBe(r);
    expect(r.tier).toBe(1);
    expect(r.blockCount).toBe(3);
    expect(r.exitTargets).toEqual([0x2000]);
    cpu.budget = 100;
    cpu.regs[1] = 1; // take the branch to 0x1100, then leave for 0x2000
    expect(r.run()).toBe(0);
    expect(cpu.eip).toBe(0x2000);
    expect(cpu.regs[0]).toBe(2);
    expect(translator.translateMs).toBeGreaterThan(0);
  });

  test('-d logs: guest listing, IR before and after the passes, and the JS', () => {
    const seen = new Map<string, string>();
    const { translator } = setup((kind, text) => seen.set(kind, (seen.get(kind) ?? '') + text), NO_TIERS);
    translator.translate(0x1000, 0x17, { codeSize: 4, flatSegments: true, mode: 0x17 }, 'whole');
    expect(seen.get('in_asm')).toContain('0x00001000:  insn at 1000');
    expect(seen.get('ir')).toContain('block 0x00001000 mode=0x17 insns=1 bytes=2');
    expect(seen.get('opt')).toContain('exit jump 0x00001000');
    expect(seen.get('js')).toContain('return (function region_00001000(L)');
  });

  test('blocks are lifted once for all regions until something is invalidated', () => {
    const { cache, translator, lifts } = setup(undefined, NO_TIERS);
    const lm = { codeSize: 4 as const, flatSegments: true, mode: 0x17 };
    translator.translate(0x1000, 0x17, lm, 'whole');
    expect(lifts()).toBe(3);
    translator.translate(0x1002, 0x17, lm, 'whole'); // same three blocks from another entry
    expect(lifts()).toBe(3);
    expect(translator.blocksReused).toBe(3);
    cache.codeWritten(0x1100, 1, null);
    translator.translate(0x1002, 0x17, lm, 'whole');
    expect(lifts()).toBe(6);
  });

  test('tiering: a first translation is its entry block alone (tier 0); the whole region replaces it when asked', () => {
    const { cpu, cache, translator, lifts } = setup();
    const lm = { codeSize: 4 as const, flatSegments: true, mode: 0x17 };
    expect(translator.promoteAfter).toBe(PROMOTE_AFTER);
    const first = translator.translate(0x1000, 0x17, lm);
    expect([first.tier, first.blockCount, lifts()]).toEqual([0, 1, 1]);
    cpu.budget = 100;
    cpu.regs[1] = 1;
    expect(first.run()).toBeGreaterThanOrEqual(0); // leaves the one-block region by a direct exit
    translator.translate(0x1002, 0x17, lm); // the fall-through arm has run too; the taken arm (0x1100) never has
    cache.retire(first);
    expect(cache.stats.promotions).toBe(1);
    expect(cache.lookup(0x1000, 0x1000, 0x17, gsSharedMode(0x17))).toBeNull();
    const whole = translator.translate(0x1000, 0x17, lm, 'whole');
    // The blocks that ran, lifted once; the arm that never ran stays an exit.
    expect([whole.tier, whole.blockCount, lifts()]).toEqual([1, 2, 2]);
    expect(whole.exitTargets).toEqual([0x1100]);
    expect(cache.lookup(0x1000, 0x1000, 0x17, gsSharedMode(0x17))).toBe(whole);
    expect(first.valid).toBe(false);
  });

  test('a promoted region takes in every successor on the page that has run', () => {
    const { translator } = setup();
    const lm = { codeSize: 4 as const, flatSegments: true, mode: 0x17 };
    for (const at of [0x1000, 0x1002, 0x1100]) translator.translate(at, 0x17, lm);
    const whole = translator.translate(0x1000, 0x17, lm, 'whole');
    expect(whole.blockCount).toBe(3);
    expect(whole.exitTargets).toEqual([0x2000]);
  });
});
