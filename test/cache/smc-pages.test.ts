/**
 * The translation cache's hot self-modifying-page policy (src/cache/smc-pages.ts),
 * driven through TranslationCache the way the translator and generated
 * stores drive it: regions inserted, stores reported by codeWritten.
 *
 * A cycle is "a store kills a translation made on the page since the last
 * cycle". The cases: a retranslate-and-kill loop (a storm) turns the page hot
 * after HOT_CYCLES cycles and only once; a loader overwriting many old
 * translations is one cycle; cycles further apart than the window never add
 * up; a hot page stays hot while stores keep landing in its code (even ones
 * that overlap nothing) and cools after a window without them; other pages
 * are never affected; a flush forgets only cold pages.
 */
import { describe, expect, test } from 'vitest';
import { CompiledRegion } from '../../src/cache/compiled-region.js';
import { HOT_CYCLES, SMC_WINDOW } from '../../src/cache/smc-pages.js';
import { TranslationCache } from '../../src/cache/translation-cache.js';

/** A one-range region at `start` of `length` bytes, keyed by its start. */
function region(start: number, length = 16): CompiledRegion {
  return new CompiledRegion(start, start, 1, [start, start + length], [], 4, length, 1, 'x');
}

/** Insert `n` regions on page 0x900 (far from the pages under test) to move the translation clock. */
function elsewhere(c: TranslationCache, n: number): void {
  for (let i = 0; i < n; i++) {
    const r = region(0x900000 + (i % 256) * 16);
    c.insert(r);
    c.invalidate(r);
  }
}

/** One storm cycle on page 1: translate a region at 0x1000, then a store from inside it kills it. */
function stormCycle(c: TranslationCache): CompiledRegion {
  const r = region(0x1000, 64);
  c.insert(r);
  expect(c.codeWritten(0x1020, 1, r)).toBe(1);
  return r;
}

describe('hot self-modifying pages', () => {
  test('retranslate-and-kill cycles make the page hot after HOT_CYCLES, counted once', () => {
    const c = new TranslationCache();
    for (let i = 1; i < HOT_CYCLES; i++) {
      stormCycle(c);
      expect(c.isSmcHot(1), `after ${i} cycles`).toBe(false);
    }
    stormCycle(c);
    expect(c.isSmcHot(1)).toBe(true);
    expect(c.stats.smcPagesDemoted).toBe(1);
    for (let i = 0; i < 10; i++) stormCycle(c);
    expect(c.stats.smcPagesDemoted).toBe(1);
    expect(c.smc.hotCount).toBe(1);
    expect(c.isSmcHot(2)).toBe(false);
    expect(c.isSmcHot(0)).toBe(false);
  });

  test('a loader overwriting many old translations without retranslating between is one cycle', () => {
    const c = new TranslationCache();
    const old = Array.from({ length: 40 }, (_, i) => region(0x1000 + i * 32, 32));
    old.forEach((r) => c.insert(r));
    for (let a = 0x1000; a < 0x1000 + 40 * 32; a += 4) c.codeWritten(a, 4, null);
    expect(old.every((r) => !r.valid)).toBe(true);
    expect(c.stats.invalidations).toBe(40);
    expect(c.isSmcHot(1)).toBe(false);
    // Loading a program there a second and a third time (running it between) still leaves it below the threshold.
    for (let load = 0; load < HOT_CYCLES - 2; load++) {
      const r = region(0x1000, 32);
      c.insert(r);
      c.codeWritten(0x1000, 4, null);
      c.codeWritten(0x1004, 4, null);
    }
    expect(c.isSmcHot(1)).toBe(false);
  });

  test('stores next to code that overlap nothing teach nothing', () => {
    const c = new TranslationCache();
    const r = region(0x1000, 16);
    c.insert(r);
    for (let i = 0; i < 100; i++) expect(c.codeWritten(0x1800, 4, r)).toBe(0);
    expect(r.valid).toBe(true);
    expect(c.isSmcHot(1)).toBe(false);
  });

  test('cycles further apart than the window never add up', () => {
    const c = new TranslationCache();
    for (let i = 0; i < 3 * HOT_CYCLES; i++) {
      stormCycle(c);
      elsewhere(c, SMC_WINDOW + 1);
    }
    expect(c.isSmcHot(1)).toBe(false);
    expect(c.stats.smcPagesDemoted).toBe(0);
  });

  test('a hot page stays hot while stores land in its code, even ones that overlap nothing, and cools without them', () => {
    const c = new TranslationCache();
    for (let i = 0; i < HOT_CYCLES; i++) stormCycle(c);
    const keep = region(0x1100, 4); // keeps page 1 marked as holding code
    c.insert(keep);
    for (let i = 0; i < 4; i++) {
      elsewhere(c, SMC_WINDOW - 10);
      c.codeWritten(0x1800, 1, null); // the storm's store ahead of the code translated so far
      expect(c.isSmcHot(1)).toBe(true);
    }
    elsewhere(c, SMC_WINDOW + 1);
    expect(c.isSmcHot(1)).toBe(false);
    // Cooled means forgotten: it takes HOT_CYCLES cycles again to turn hot.
    for (let i = 1; i < HOT_CYCLES; i++) stormCycle(c);
    expect(c.isSmcHot(1)).toBe(false);
    stormCycle(c);
    expect(c.isSmcHot(1)).toBe(true);
    expect(c.stats.smcPagesDemoted).toBe(2);
  });

  test('a flush keeps pages written within the window and forgets the rest', () => {
    const c = new TranslationCache();
    for (let i = 0; i < HOT_CYCLES; i++) stormCycle(c);
    c.flush();
    expect(c.isSmcHot(1)).toBe(true);
    elsewhere(c, SMC_WINDOW + 1);
    expect(c.smc.hotCount).toBe(1); // nobody asked yet
    c.flush();
    expect(c.smc.hotCount).toBe(0);
    expect(c.isSmcHot(1)).toBe(false);
  });

  test('regions record their translation serial', () => {
    const c = new TranslationCache();
    const a = region(0x1000), b = region(0x2000);
    c.insert(a);
    c.insert(b);
    expect([a.serial, b.serial]).toEqual([1, 2]);
  });
});
