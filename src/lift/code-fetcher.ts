/**
 * CodeFetcher: how the lifter reads guest code bytes.
 *
 * The translator implements it over guest memory (later through the MMU).
 * The lifter never touches memory itself, so it can be tested on plain
 * arrays and so an unreadable page becomes a guest #PF rather than a host
 * error.
 */
export interface CodeFetcher {
  /**
   * Copy up to into.length guest bytes starting at linear address `linear`
   * into `into`; return how many were readable (fewer when an unmapped page
   * starts within the range, 0 when `linear` itself is unreadable).
   */
  read(linear: number, into: Uint8Array): number;
}

/** A fetcher over a byte array mapped at `base` (tests, flat binaries). */
export class ArrayCodeFetcher implements CodeFetcher {
  constructor(private readonly bytes: Uint8Array, private readonly base: number) {}

  read(linear: number, into: Uint8Array): number {
    const off = (linear - this.base) >>> 0;
    if (off >= this.bytes.length) return 0;
    const n = Math.min(into.length, this.bytes.length - off);
    into.set(this.bytes.subarray(off, off + n));
    return n;
  }
}
