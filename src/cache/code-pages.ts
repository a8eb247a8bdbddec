/**
 * CodePages: which 4-KiB physical pages hold translated code, and which
 * regions sit on each.
 *
 * `marks` is the byte-per-page array every compiled store tests (see
 * codegen/memory-access.ts): a zero means the store cannot have touched
 * translated code, which is the answer for almost every store, at the cost
 * of one typed-array load. Bit 0 (CODE_MARK) is this index's; the memory
 * emitter owns the other bits (it flags pages beyond RAM there too, so that
 * one load and one compare decide a store's fast path). A non-zero mark sends the store to the cache,
 * which asks this index for the page's regions and invalidates only those
 * whose bytes the store overlaps — so data sharing a page with code (small
 * kernels, stacks below code) does not throw translations away.
 */
import type { CompiledRegion } from './compiled-region.js';

export const PAGE_COUNT = 1 << 20;
/** The bit of `marks` that means "holds translated code". */
export const CODE_MARK = 1;

export class CodePages {
  /** 1 for each physical page that holds at least one live region's code. */
  readonly marks = new Uint8Array(PAGE_COUNT);
  private readonly byPage = new Map<number, Set<CompiledRegion>>();

  add(region: CompiledRegion): void {
    for (const p of region.pages()) {
      let set = this.byPage.get(p);
      if (set === undefined) this.byPage.set(p, (set = new Set()));
      set.add(region);
      this.marks[p] |= CODE_MARK;
    }
  }

  remove(region: CompiledRegion): void {
    for (const p of region.pages()) {
      const set = this.byPage.get(p);
      if (set === undefined) continue;
      set.delete(region);
      if (set.size === 0) {
        this.byPage.delete(p);
        this.marks[p] &= ~CODE_MARK;
      }
    }
  }

  /** The live regions with code on physical page `page` (a snapshot: safe to invalidate while iterating). */
  regionsOn(page: number): CompiledRegion[] {
    const set = this.byPage.get(page);
    return set === undefined ? [] : [...set];
  }

  /**
   * The live set of regions on `page` (undefined when none): for callers that
   * iterate without allocating; invalidating while iterating is safe (Set
   * iteration skips deleted entries).
   */
  regionSet(page: number): ReadonlySet<CompiledRegion> | undefined {
    return this.byPage.get(page);
  }

  /** Number of pages currently holding code. */
  get pageCount(): number {
    return this.byPage.size;
  }

  clear(): void {
    for (const p of this.byPage.keys()) this.marks[p] &= ~CODE_MARK;
    this.byPage.clear();
  }
}
