/**
 * Where control can leave an IR block for another block of known address:
 * its static successors and, for a block ending in a near call, its return
 * site. The translator's region builder follows them to gather a region,
 * and codegen compiles a region's `ret` against its return sites, so both
 * read them here rather than one stage reaching into the other.
 */
import type { Block } from './types.js';

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
 * The return site of a block that ends in a near call (direct or indirect):
 * the address after the call, where a matching `ret` comes back. -1 for
 * other blocks. The lifter marks calls only by their disassembly text.
 */
export function returnSiteOf(block: Block): number {
  const e = block.exit;
  if (e.kind !== 'jump' && !(e.kind === 'indirect' && e.hint === 'call')) return -1;
  for (let i = block.ops.length - 1; i >= 0; i--) {
    const op = block.ops[i]!;
    if (op.op !== 'insn') continue;
    return op.text.startsWith('call') ? (op.address + op.length) >>> 0 : -1;
  }
  return -1;
}
