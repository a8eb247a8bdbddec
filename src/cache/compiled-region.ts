/**
 * CompiledRegion: one entry of the translation cache — a region's compiled
 * function plus what the cache needs to chain, invalidate and account for it.
 *
 * Chaining: `exitTargets[i]` is the guest EIP of direct exit i (the value the
 * function returns when it leaves that way); `links[i]` is the region that
 * runs next, patched by the dispatcher the first time the exit is taken.
 * A link is followed only while the target is still `valid`: invalidation
 * (self-modifying code, flush) clears that flag, which cuts every link to the
 * region at once without having to find them.
 */
export class CompiledRegion {
  /** False once invalidated or flushed: never run again, and links to it are dead. */
  valid = true;
  /** The dispatcher's link epoch `links` were made in (see Dispatcher.dropLinks). */
  linkEpoch = 0;
  /**
   * The compiled function, started at switch case `label` (0: the entry);
   * returns an ExitCode or a direct-exit index.
   */
  run: (label?: number) => number = notCompiled;
  /** The case a budget exit left at (set by the generated code), where the dispatcher may resume it. */
  resumeAt = 0;
  /** Guest EIP of each direct exit. */
  readonly exitTargets: number[];
  /** Chain link per direct exit (null until taken once). */
  readonly links: (CompiledRegion | null)[];
  /** Same key (physical address), different mode: the next entry in the cache bucket. */
  nextInBucket: CompiledRegion | null = null;
  /**
   * Times the dispatcher entered it at its entry, plus a weight for each
   * time slice it ran to the end of (Dispatcher): how hot it is.
   */
  executions = 0;
  /**
   * 0: a first, one-block translation, to be replaced by a whole region once
   * it has run often enough (Dispatcher.promote); 1: a whole region.
   */
  tier = 1;
  /**
   * `executions` at which the dispatcher replaces it (Dispatcher.promote):
   * a tier-0 region by its whole region, a whole region whose memory
   * accesses are calls (the compact form, codegen/paged-access-functions.ts:
   * cheap while the code is unoptimised, slower than inline once V8
   * optimises it) by the same region with inline access; never the rest.
   */
  promoteAt = Number.POSITIVE_INFINITY;
  /** The cache's translation count when it was inserted (1 for the first): its age, for smc-pages.ts. */
  serial = 0;
  /** Characters of generated JS source (what the cache's size bound counts). */
  readonly sourceLength: number;

  constructor(
    /** Guest EIP of the entry block. */
    readonly eip: number,
    /** Physical address of the entry (the cache key). */
    readonly physical: number,
    /** Mode word it was compiled for (src/state/mode.ts). */
    readonly mode: number,
    /** Physical byte ranges of its blocks as [start, end) pairs: what a store must hit to invalidate it. */
    readonly ranges: readonly number[],
    exitTargets: readonly number[],
    readonly guestInsns: number,
    readonly guestBytes: number,
    readonly blockCount: number,
    /**
     * The generated JS source. Only its length is kept (the cache's size
     * bound): `-d js` prints the source when it is generated, and keeping
     * every region's text cost more memory than any other part of the cache
     * (about 200 MB on a Debian boot; V8 holds its own copy while the
     * function lives).
     */
    source: string,
  ) {
    this.sourceLength = source.length;
    this.exitTargets = exitTargets.slice();
    this.links = exitTargets.map(() => null);
  }

  /** 4-KiB physical pages its code occupies. */
  pages(): number[] {
    const pages = new Set<number>();
    for (let i = 0; i < this.ranges.length; i += 2) {
      if (this.ranges[i + 1]! <= this.ranges[i]!) continue; // no bytes (a fetch fault)
      const first = this.ranges[i]! >>> 12, last = ((this.ranges[i + 1]! - 1) >>> 0) >>> 12;
      for (let p = first; ; p = (p + 1) & 0xfffff) {
        pages.add(p);
        if (p === last) break;
      }
    }
    return [...pages];
  }

  /** True when [address, address+size) overlaps one of its blocks. */
  overlaps(address: number, size: number): boolean {
    const lo = address >>> 0, hi = lo + size;
    for (let i = 0; i < this.ranges.length; i += 2) {
      if (lo < this.ranges[i + 1]! && hi > this.ranges[i]!) return true;
    }
    return false;
  }
}

function notCompiled(): number {
  throw new Error('CompiledRegion.run called before the region was compiled');
}
