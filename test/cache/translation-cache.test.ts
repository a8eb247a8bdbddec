/**
 * TranslationCache and CodePages: keys (address, EIP, mode), buckets,
 * the fast table, bounded size with flush, invalidation by overlapping
 * bytes only, and links cut by invalidation.
 */
import { describe, expect, test } from 'vitest';
import { CompiledRegion } from '../../src/cache/compiled-region.js';
import { TranslationCache } from '../../src/cache/translation-cache.js';

function region(physical: number, mode = 1, ranges: number[] = [physical, physical + 16], eip = physical): CompiledRegion {
  return new CompiledRegion(eip, physical, mode, ranges, [], 4, 16, 1, 'x'.repeat(100));
}

describe('TranslationCache', () => {
  test('lookup by address, EIP and mode; modes share a bucket', () => {
    const c = new TranslationCache();
    const a1 = region(0x1000, 1), a2 = region(0x1000, 3), b = region(0x2000, 1);
    [a1, a2, b].forEach((r) => c.insert(r));
    expect(c.lookup(0x1000, 0x1000, 1)).toBe(a1);
    expect(c.lookup(0x1000, 0x1000, 3)).toBe(a2);
    expect(c.lookup(0x1000, 0x1000, 5)).toBeNull();
    expect(c.lookup(0x1000, 0x9000, 1)).toBeNull(); // same bytes reached under another EIP (CS base)
    expect(c.lookup(0x2000, 0x2000, 1)).toBe(b);
    expect(c.stats).toMatchObject({ lookups: 5, hits: 3, misses: 2, translations: 3, guestInsnsTranslated: 12 });
  });

  test('the fast table answers only for the exact key and only while valid', () => {
    const c = new TranslationCache();
    const r = region(0x3000);
    c.insert(r);
    expect(c.fastLookup(0x3000, 0x3000, 1)).toBe(r);
    expect(c.fastLookup(0x3000, 0x3000, 2)).toBeNull();
    // 0x3000 and 0x3000 + 4096*4096 collide in the 4096-entry table.
    const collide = region(0x3000 + 4096 * 4096);
    c.insert(collide);
    expect(c.fastLookup(0x3000, 0x3000, 1)).toBeNull();
    expect(c.lookup(0x3000, 0x3000, 1)).toBe(r); // the map still has it, and refills the slot
    expect(c.fastLookup(0x3000, 0x3000, 1)).toBe(r);
    c.invalidate(r);
    expect(c.fastLookup(0x3000, 0x3000, 1)).toBeNull();
  });

  test('a second mode word: a region cached under it answers for the CPU mode it stands for, by table and by map', () => {
    // The dispatcher passes the CPU's mode and the word GS-free regions are cached under (state/mode.ts gsSharedMode).
    const MODE = 0x11, SHARED = 0x111, OTHER = 0x13;
    const c = new TranslationCache();
    const shared = region(0x5000, SHARED), exact = region(0x6000, MODE);
    c.insert(shared);
    c.insert(exact);
    const fast0 = c.stats.fastHits;
    expect(c.fastLookup(0x5000, 0x5000, MODE, SHARED)).toBe(shared);
    expect(c.fastLookup(0x6000, 0x6000, MODE, SHARED)).toBe(exact);
    expect(c.stats.fastHits).toBe(fast0 + 2);
    expect(c.fastLookup(0x5000, 0x5000, MODE)).toBeNull(); // without the second word, only MODE answers
    expect(c.fastLookup(0x5000, 0x5000, OTHER, OTHER + 0x100)).toBeNull();
    expect(c.lookup(0x6000, 0x6000, OTHER, SHARED)).toBeNull();
    // A region at the same address under another EIP takes the fast slot: the map answers.
    c.insert(region(0x5000, MODE, [0x5000, 0x5010], 0x9000));
    c.insert(region(0x6000, SHARED, [0x6000, 0x6010], 0x9000));
    expect(c.fastLookup(0x5000, 0x5000, MODE, SHARED)).toBeNull();
    expect(c.lookup(0x5000, 0x5000, MODE, SHARED)).toBe(shared);
    expect(c.lookup(0x6000, 0x6000, MODE, SHARED)).toBe(exact);
    expect(c.lookup(0x5000, 0x5000, OTHER, OTHER + 0x100)).toBeNull();
  });

  test('bounded: inserting beyond the limit flushes everything first', () => {
    const c = new TranslationCache({ maxRegions: 3, maxSourceBytes: 1 << 20 });
    const rs = [0x1000, 0x2000, 0x3000, 0x4000].map((p) => region(p));
    rs.forEach((r) => c.insert(r));
    expect(c.stats.flushes).toBe(1);
    expect(c.size).toBe(1);
    expect(rs.map((r) => r.valid)).toEqual([false, false, false, true]);
    expect(c.lookup(0x1000, 0x1000, 1)).toBeNull();
    expect(c.codePages.marks[1]).toBe(0);
    expect(c.codePages.marks[4]).toBe(1);
    const bySize = new TranslationCache({ maxRegions: 100, maxSourceBytes: 250 });
    [0x1000, 0x2000, 0x3000].forEach((p) => bySize.insert(region(p)));
    expect(bySize.stats.flushes).toBe(1);
  });

  test('a write invalidates only regions whose bytes it overlaps', () => {
    const c = new TranslationCache();
    const r1 = region(0x1000, 1, [0x1000, 0x1010]);
    const r2 = region(0x1100, 1, [0x1100, 0x1120, 0x1fff0, 0x1fff8]);
    c.insert(r1);
    c.insert(r2);
    expect(c.codePages.marks[1]).toBe(1);
    expect(c.codePages.marks[0x1f]).toBe(1);
    expect(c.codeWritten(0x1010, 4, r1)).toBe(0); // just past r1
    expect(c.codeWritten(0x1800, 4, r1)).toBe(0); // data on the same page
    expect(r1.valid && r2.valid).toBe(true);
    expect(c.codeWritten(0x100e, 4, r1)).toBe(1); // overlaps r1's last two bytes
    expect(r1.valid).toBe(false);
    expect(r2.valid).toBe(true);
    expect(c.codeWritten(0x1fff6, 2, r1)).toBe(0); // r2's second block, on another page
    expect(r2.valid).toBe(false);
    expect(c.stats.invalidations).toBe(2);
    expect(c.codePages.marks[1]).toBe(0);
    expect(c.codePages.marks[0x1f]).toBe(0);
    expect(c.size).toBe(0);
  });

  test('a region straddling a page boundary is found from either page', () => {
    const c = new TranslationCache();
    const r = region(0x1ff8, 1, [0x1ff8, 0x2004]);
    c.insert(r);
    expect([c.codePages.marks[1], c.codePages.marks[2]]).toEqual([1, 1]);
    expect(c.codeWritten(0x2002, 1, null)).toBe(0);
    expect(r.valid).toBe(false);
  });

  test('invalidation cuts chain links: a link is followed only while its target is valid', () => {
    const c = new TranslationCache();
    const a = new CompiledRegion(0x1000, 0x1000, 1, [0x1000, 0x1008], [0x5000], 2, 8, 1, '');
    const b = region(0x5000);
    c.insert(a);
    c.insert(b);
    a.links[0] = b;
    const follow = (): CompiledRegion | null => (a.links[0] !== null && a.links[0]!.valid ? a.links[0]! : null);
    expect(follow()).toBe(b);
    c.codeWritten(0x5004, 4, a);
    expect(follow()).toBeNull();
    const b2 = region(0x5000);
    c.insert(b2);
    expect(c.lookup(0x5000, 0x5000, 1)).toBe(b2);
  });

  test('bucket removal keeps the other modes of an address', () => {
    const c = new TranslationCache();
    const m1 = region(0x1000, 1), m2 = region(0x1000, 2), m3 = region(0x1000, 3);
    [m1, m2, m3].forEach((r) => c.insert(r));
    c.invalidate(m2);
    expect(c.lookup(0x1000, 0x1000, 1)).toBe(m1);
    expect(c.lookup(0x1000, 0x1000, 3)).toBe(m3);
    c.invalidate(m3);
    expect(c.lookup(0x1000, 0x1000, 1)).toBe(m1);
    expect(c.lookup(0x1000, 0x1000, 3)).toBeNull();
  });

  test('retire: a replaced region is gone from lookups, counted as a promotion (tier 0) or a hot recompile (whole), once', () => {
    const c = new TranslationCache();
    const first = region(0x2000), whole = region(0x3000), other = region(0x3000, 2);
    first.tier = 0;
    [first, whole, other].forEach((r) => c.insert(r));
    expect(c.fastLookup(0x2000, 0x2000, 1)).toBe(first);
    c.retire(first);
    expect(first.valid).toBe(false);
    expect(c.lookup(0x2000, 0x2000, 1)).toBeNull();
    expect(c.fastLookup(0x2000, 0x2000, 1)).toBeNull();
    expect([c.stats.promotions, c.stats.hotRecompiles]).toEqual([1, 0]);
    c.retire(whole);
    c.retire(whole); // already gone: nothing more to count
    expect(c.lookup(0x3000, 0x3000, 1)).toBeNull();
    expect(c.lookup(0x3000, 0x3000, 2)).toBe(other);
    expect([c.stats.promotions, c.stats.hotRecompiles]).toEqual([1, 1]);
    expect(c.stats.invalidations).toBe(0); // a replacement is not an invalidation
  });
});
