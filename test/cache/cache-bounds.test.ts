/**
 * What the translation cache promises at its edges, beside the cases in
 * translation-cache.test.ts: a store crossing into a code page invalidates
 * what it overlaps there; a page is marked as holding code exactly when a
 * live region has bytes on it (empty blocks and a block ending at a page
 * boundary mark nothing more); the size limits count live regions only and a
 * region that exactly fits does not flush; invalidating twice counts once;
 * invalidatePages takes the pages it is given; the translation statistics
 * add up what was inserted. Found as surviving mutants (docs/testing.md).
 */
import { describe, expect, it } from 'vitest';
import { CompiledRegion } from '../../src/cache/compiled-region.js';
import { TranslationCache } from '../../src/cache/translation-cache.js';

function region(ranges: number[], source = 100, sizes = { insns: 4, bytes: 16, blocks: 1 }): CompiledRegion {
  return new CompiledRegion(ranges[0]!, ranges[0]!, 1, ranges, [], sizes.insns, sizes.bytes, sizes.blocks, 'x'.repeat(source));
}

function markedPages(c: TranslationCache): number[] {
  const pages: number[] = [];
  const marks = c.codePages.marks;
  for (let p = 0; p < marks.length; p++) if (marks[p] !== 0) pages.push(p);
  return pages;
}

describe('translation cache bounds', () => {
  it('a store crossing into the next page invalidates the code it reaches there', () => {
    for (const size of [2, 4]) {
      const c = new TranslationCache();
      const r = region([0x2000, 0x2010]);
      c.insert(r);
      c.codeWritten(0x2000 - size + 1, size, null);
      expect(r.valid, `size ${size}`).toBe(false);
    }
    const c = new TranslationCache();
    const r = region([0x2000, 0x2010]);
    c.insert(r);
    c.codeWritten(0x1ffc, 4, null); // ends exactly at the boundary
    expect(r.valid).toBe(true);
  });

  it('marks exactly the pages holding bytes of live regions', () => {
    const c = new TranslationCache();
    c.insert(region([0x5ff0, 0x6000, 0x3000, 0x3000, 0x7004, 0x7004, 0x9ffe, 0xa002]));
    expect(markedPages(c)).toEqual([5, 9, 10]);
  });

  it('size limits count live regions only; a region that exactly fits does not flush', () => {
    const c = new TranslationCache({ maxRegions: 3, maxSourceBytes: 300 });
    const [a, b, d] = [0x1000, 0x2000, 0x3000].map((p) => region([p, p + 16]));
    [a, b, d].forEach((r) => c.insert(r!));
    expect(c.stats.flushes).toBe(0); // 3 regions, 300 bytes: at both limits, not beyond
    c.invalidate(a!);
    c.insert(region([0x4000, 0x4010]));
    expect(c.stats.flushes).toBe(0); // the invalidated region's share was given back
    expect([b!.valid, d!.valid]).toEqual([true, true]);
    c.insert(region([0x5000, 0x5010]));
    expect(c.stats.flushes).toBe(1);
  });

  it('invalidating a region twice counts once', () => {
    const c = new TranslationCache();
    const r = region([0x1000, 0x1010]);
    c.insert(r);
    c.insert(region([0x2000, 0x2010]));
    c.invalidate(r);
    c.invalidate(r);
    expect(c.stats.invalidations).toBe(1);
    expect(c.size).toBe(1);
  });

  it('an invalidated region in the middle of its bucket is never found again', () => {
    const c = new TranslationCache();
    const modes = [1, 2, 3].map((mode) => new CompiledRegion(0x1000, 0x1000, mode, [0x1000, 0x1010], [], 4, 16, 1, 'x'));
    modes.forEach((r) => c.insert(r));
    c.invalidate(modes[1]!); // inserted second: neither head nor tail of the bucket
    c.fastLookup(0x1000, 0x1000, 3); // leave the fast slot on another mode
    expect(c.lookup(0x1000, 0x1000, 2)).toBeNull();
    expect(c.lookup(0x1000, 0x1000, 1)).toBe(modes[0]);
  });

  it('invalidatePages takes the regions on the pages given, and no others', () => {
    const c = new TranslationCache();
    const rs = [0x1000, 0x2000, 0x3000, 0x4000].map((p) => region([p, p + 16]));
    rs.forEach((r) => c.insert(r));
    c.invalidatePages(2, 3);
    expect(rs.map((r) => r.valid)).toEqual([true, false, false, true]);
    expect(markedPages(c)).toEqual([1, 4]);
  });

  it('the translation statistics add up the inserted regions, and invalidation does not take them back', () => {
    const c = new TranslationCache();
    const r1 = region([0x1000, 0x1010], 100, { insns: 3, bytes: 11, blocks: 1 });
    const r2 = region([0x2000, 0x2020, 0x3000, 0x3008], 100, { insns: 9, bytes: 40, blocks: 2 });
    c.insert(r1);
    c.insert(r2);
    c.invalidate(r1);
    expect(c.stats).toMatchObject({ translations: 2, guestInsnsTranslated: 12, guestBytesTranslated: 51, blocksTranslated: 3 });
  });
});
