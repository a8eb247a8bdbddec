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
 * Blocks come out in discovery order with the entry first, which is also
 * the order of the `switch` cases in the generated function.
 */
import type { Block } from '../ir/types.js';

export interface RegionLimits {
  /** Blocks per region at most (1 = every block its own region). */
  readonly maxBlocks: number;
}

export const DEFAULT_REGION_LIMITS: RegionLimits = { maxBlocks: 32 };

/** Static successors of a block: where control can go next without a computed address. */
export function successorsOf(block: Block): number[] {
  const out: number[] = [];
  for (const op of block.ops) if (op.op === 'exitIf') out.push(op.target >>> 0);
  const e = block.exit;
  if (e.kind === 'jump') out.push(e.target >>> 0);
  else if (e.kind === 'branch') out.push(e.taken >>> 0, e.fallthrough >>> 0);
  return out;
}

/**
 * Gather the region starting at `entry`. `liftAt(eip)` returns the
 * (optimised) block at an EIP; `linearOf(eip)` its linear address, for the
 * page test.
 */
export function buildRegion(
  entry: number,
  limits: RegionLimits,
  liftAt: (eip: number) => Block,
  linearOf: (eip: number) => number,
): Block[] {
  const page = (linearOf(entry) >>> 12) >>> 0;
  const blocks: Block[] = [];
  const seen = new Set<number>([entry >>> 0]);
  const queue: number[] = [entry >>> 0];
  while (queue.length > 0 && blocks.length < limits.maxBlocks) {
    const eip = queue.shift()!;
    const block = liftAt(eip);
    blocks.push(block);
    for (const t of successorsOf(block)) {
      if (seen.has(t) || (linearOf(t) >>> 12) >>> 0 !== page) continue;
      seen.add(t);
      queue.push(t);
    }
  }
  return blocks;
}
