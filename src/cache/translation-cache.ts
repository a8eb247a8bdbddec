/**
 * TranslationCache: compiled regions by (physical entry address, mode word).
 *
 * Lookup order, cheapest first, as the dispatcher uses it:
 *   1. chain links on the region that just ran (compiled-region.ts), for
 *      direct exits — no lookup at all;
 *   2. `fastLookup`, a direct-mapped table indexed by the entry address, for
 *      indirect exits (ret, jmp r/m) and as the first try of every lookup;
 *   3. `lookup`, the Map of buckets (regions of one address under different
 *      modes are chained in a bucket).
 *
 * The cache is bounded by region count and by generated source size; when an
 * insertion would pass either bound it flushes everything (as QEMU's TB cache
 * does): simple, and cheap when it is rare, which the statistics show.
 * Invalidation (self-modifying code) and flushing only clear each region's
 * `valid` flag besides unindexing it, which at once cuts every chain link
 * into it and makes a region that is running leave at its next check.
 * Stores that keep killing fresh translations on one page make that page
 * "hot" (smc-pages.ts): the translator then compiles one-instruction regions
 * there, so self-modifying code cannot make it retranslate whole regions per
 * instruction.
 */
import { CodePages } from './code-pages.js';
import type { CompiledRegion } from './compiled-region.js';
import { SmcPages } from './smc-pages.js';

export interface CacheLimits {
  /** Regions at most before a flush. */
  readonly maxRegions: number;
  /** Generated JS source characters at most before a flush. */
  readonly maxSourceBytes: number;
}

/**
 * The count bound is sized for tiering: a guest's working set is mostly
 * one-block (tier-0) regions, and the Debian kernel plus busybox keep about
 * 55,000 live while forking. At 16,384 such a guest flushed, retranslated
 * its working set, overflowed and flushed again (31 flushes and 7× the
 * translations over 20 fork/exec round trips); the source bound is what
 * keeps memory in check.
 */
export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxRegions: 65536, maxSourceBytes: 256 << 20 };

export class CacheStats {
  lookups = 0;
  hits = 0;
  misses = 0;
  translations = 0;
  guestBytesTranslated = 0;
  guestInsnsTranslated = 0;
  blocksTranslated = 0;
  flushes = 0;
  invalidations = 0;
  /** Transitions that followed a chain link (counted by the dispatcher). */
  chained = 0;
  /** Transitions resolved by the direct-mapped table. */
  fastHits = 0;
  /** Times a page became hot with self-modifying code (smc-pages.ts). */
  smcPagesDemoted = 0;
  /** Translations made one instruction long because their page was hot (counted by the translator). */
  smcTranslations = 0;
  /** One-block first translations replaced by a whole region because they ran often (tiering). */
  promotions = 0;
  /** Whole regions with compact memory access replaced by the inline form because they got hot. */
  hotRecompiles = 0;
}

const FAST_BITS = 12;
const FAST_SIZE = 1 << FAST_BITS;
const fastIndex = (physical: number): number => (physical ^ (physical >>> FAST_BITS)) & (FAST_SIZE - 1);

export class TranslationCache {
  readonly stats = new CacheStats();
  readonly codePages = new CodePages();
  /** Pages self-modifying code keeps rewriting (see smc-pages.ts). */
  readonly smc = new SmcPages();
  private readonly buckets = new Map<number, CompiledRegion>();
  private readonly fast: (CompiledRegion | null)[] = new Array<CompiledRegion | null>(FAST_SIZE).fill(null);
  private count = 0;
  private sourceBytes = 0;

  constructor(readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS) {}

  get size(): number {
    return this.count;
  }

  /**
   * The direct-mapped probe: a live region for exactly this address and EIP
   * cached under `mode` or under `shared`, or null. `shared` is the word the
   * caller caches regions under that ignore part of the mode (the
   * dispatcher's gsSharedMode); the cache treats both as opaque.
   */
  fastLookup(physical: number, eip: number, mode: number, shared = mode): CompiledRegion | null {
    const r = this.fast[fastIndex(physical)]!;
    if (r !== null && r.physical === physical && r.eip === eip && (r.mode === mode || r.mode === shared) && r.valid) {
      this.stats.fastHits++;
      return r;
    }
    return null;
  }

  /** Full lookup (fast table, then the map), under `mode` or `shared` as fastLookup; counts hits and misses. */
  lookup(physical: number, eip: number, mode: number, shared = mode): CompiledRegion | null {
    this.stats.lookups++;
    let r = this.fastLookup(physical, eip, mode, shared);
    if (r === null) {
      r = this.buckets.get(physical) ?? null;
      while (r !== null && ((r.mode !== mode && r.mode !== shared) || r.eip !== eip)) r = r.nextInBucket;
      if (r !== null) this.fast[fastIndex(physical)] = r;
    }
    if (r === null) this.stats.misses++;
    else this.stats.hits++;
    return r;
  }

  /** Add a freshly compiled region (flushing first if it would not fit). */
  insert(region: CompiledRegion): void {
    if (this.count + 1 > this.limits.maxRegions || this.sourceBytes + region.sourceLength > this.limits.maxSourceBytes) {
      this.flush();
    }
    const head = this.buckets.get(region.physical) ?? null;
    region.nextInBucket = head;
    this.buckets.set(region.physical, region);
    this.fast[fastIndex(region.physical)] = region;
    this.codePages.add(region);
    this.count++;
    this.sourceBytes += region.sourceLength;
    const s = this.stats;
    s.translations++;
    region.serial = s.translations;
    s.guestBytesTranslated += region.guestBytes;
    s.guestInsnsTranslated += region.guestInsns;
    s.blocksTranslated += region.blockCount;
  }

  /** Remove one region: it never runs again and links into it are dead. */
  invalidate(region: CompiledRegion): void {
    if (!region.valid) return;
    this.stats.invalidations++;
    this.remove(region);
  }

  /**
   * Remove a tier-0 region that a whole-region translation of the same entry
   * replaces: like invalidate (links into it die, and are patched to the
   * replacement when next taken), but the code is still right, so it counts
   * as a promotion and its page's self-modifying-code history is untouched.
   */
  retire(region: CompiledRegion): void {
    if (!region.valid) return;
    if (region.tier === 0) this.stats.promotions++;
    else this.stats.hotRecompiles++;
    this.remove(region);
  }

  private remove(region: CompiledRegion): void {
    region.valid = false;
    let r = this.buckets.get(region.physical) ?? null, prev: CompiledRegion | null = null;
    while (r !== null && r !== region) {
      prev = r;
      r = r.nextInBucket;
    }
    if (r !== null) {
      if (prev === null) {
        if (region.nextInBucket === null) this.buckets.delete(region.physical);
        else this.buckets.set(region.physical, region.nextInBucket);
      } else {
        prev.nextInBucket = region.nextInBucket;
      }
    }
    const fi = fastIndex(region.physical);
    if (this.fast[fi] === region) this.fast[fi] = null;
    this.codePages.remove(region);
    this.count--;
    this.sourceBytes -= region.sourceLength;
  }

  /**
   * Guest memory [address, address+size) was written and touches a page
   * holding code: invalidate every region whose bytes it overlaps. Returns 1
   * when `running` (the region executing the store) was among them.
   */
  codeWritten(address: number, size: number, running: unknown): number {
    const first = address >>> 12, last = ((address + size - 1) >>> 0) >>> 12;
    let hit = 0;
    for (let p = first; ; p = (p + 1) & 0xfffff) {
      const on = this.codePages.regionSet(p);
      if (on !== undefined) {
        // Deleting from a Set while iterating it is well-defined (deleted entries are skipped), and
        // iterating the live set spares an array per store that lands next to code and hits none.
        let youngest = 0;
        for (const r of on) {
          if (r.overlaps(address, size)) {
            if (r === running) hit = 1;
            if (r.serial > youngest) youngest = r.serial;
            this.invalidate(r);
          }
        }
        if (this.smc.noteWrite(p, youngest, this.stats.translations)) this.stats.smcPagesDemoted++;
      }
      if (p === last) break;
    }
    return hit;
  }

  /**
   * Whether a translation entered on physical page `page` should be one
   * instruction long because self-modifying code keeps rewriting that page.
   */
  isSmcHot(page: number): boolean {
    return this.smc.isHot(page, this.stats.translations);
  }

  /** Invalidate every region with code on physical pages [first, last] (e.g. DMA or a VMM write). */
  invalidatePages(firstPage: number, lastPage: number): void {
    for (let p = firstPage; p <= lastPage; p++) for (const r of this.codePages.regionsOn(p)) this.invalidate(r);
  }

  /** Drop everything (cache full, or a global change such as a new page-table root). */
  flush(): void {
    for (const head of this.buckets.values()) {
      for (let x: CompiledRegion | null = head; x !== null; x = x.nextInBucket) x.valid = false;
    }
    this.buckets.clear();
    this.fast.fill(null);
    this.codePages.clear();
    this.count = 0;
    this.sourceBytes = 0;
    this.stats.flushes++;
    this.smc.prune(this.stats.translations);
  }
}
