/**
 * Region assembly: which blocks are compiled together into one function.
 *
 * Starting at the entry, the builder lifts (and optimises) blocks and
 * follows their static successors — jump targets, both arms of branches,
 * side-exit targets — as long as a successor starts in the same 4-KiB page
 * as the entry (a block may run on into the next page; the lifter cuts it
 * there) and the region has room. Indirect and dispatch exits end the walk.
 * The page bound keeps invalidation simple and regions small; the block
 * bound keeps compile time (new Function) proportional to code that runs.
 *
 * A block ending in a near call also brings in its return site (the
 * instruction after the call) when that is on the page: a `ret` in the
 * region can then continue there by JS control flow (codegen compares the
 * popped address with the region's return sites) instead of leaving the
 * region for the dispatcher — recursion such as nqueens' stays in one
 * function.
 *
 * A promoted region (tiering) takes in only blocks that have run: `ran`
 * says whether a successor was ever entered (it had a tier-0 translation).
 * A region built when its entry is hot thus holds the paths the guest
 * takes, and the error arms and rarely taken branches of kernel code stay
 * exits — translated on their own if they ever run — instead of being
 * compiled into every region that can reach them.
 *
 * Blocks come out in discovery order with the entry first, which is also
 * the order of the `switch` cases in the generated function.
 */
import { returnSiteOf, successorsOf } from '../ir/block-exits.js';
import type { Block } from '../ir/types.js';

export interface RegionLimits {
  /** Blocks per region at most (1 = every block its own region). */
  readonly maxBlocks: number;
  /**
   * Tiering: the first translation of an entry is one block (tier 0), and
   * only an entry run this many times is translated again as a region of up
   * to `maxBlocks` (tier 1). 0 = no tiering: every translation is a whole
   * region. See Translator and Dispatcher.promote.
   */
  readonly promoteAfter?: number;
}

/**
 * Entries run fewer times than this stay one-block translations. Most guest
 * code runs rarely (a Linux boot translates 300 k distinct instructions,
 * each entry's region re-compiling about three times the code it owns when
 * every entry gets 12 blocks), and V8 charges for every character of
 * generated source; loops reach this count at once.
 */
export const PROMOTE_AFTER = 32;

/**
 * 12 blocks: V8's optimising compiler takes time superlinear in a
 * function's size (0.2-1.3 s for a 32-block region on this machine, during
 * which the region runs unoptimised, and again after each deopt), while the
 * loops of the compute guests fit in a dozen blocks. Measured against 32
 * (whole-process CPU time, medians of 5 A/B pairs): crc32 1.04, matmul
 * 0.89, nqueens 0.80, qsort 0.78, sha256 0.94, sieve 0.71; 16 was between
 * the two and 6 split nqueens' recursion (1.33).
 */
export const DEFAULT_REGION_LIMITS: RegionLimits = { maxBlocks: 12, promoteAfter: PROMOTE_AFTER };

/**
 * Gather the region starting at `entry`. `liftAt(eip)` returns the
 * (optimised) block at an EIP; `linearOf(eip)` its linear address, for the
 * page test; `ran(eip)`, when given, whether a successor has run (only
 * those join the region).
 */
export function buildRegion(
  entry: number,
  limits: RegionLimits,
  liftAt: (eip: number) => Block,
  linearOf: (eip: number) => number,
  ran?: (eip: number) => boolean,
): Block[] {
  const page = (linearOf(entry) >>> 12) >>> 0;
  const blocks: Block[] = [];
  const seen = new Set<number>([entry >>> 0]);
  const queue: number[] = [entry >>> 0];
  while (queue.length > 0 && blocks.length < limits.maxBlocks) {
    const eip = queue.shift()!;
    const block = liftAt(eip);
    blocks.push(block);
    const site = returnSiteOf(block);
    const next = successorsOf(block);
    if (site >= 0) next.push(site);
    for (const t of next) {
      if (seen.has(t) || (linearOf(t) >>> 12) >>> 0 !== page || (ran !== undefined && !ran(t))) continue;
      seen.add(t);
      queue.push(t);
    }
  }
  return blocks;
}
