/**
 * flag-liveness: deletes `flags.set` thunks that nothing can observe.
 *
 * A backward sweep tracks whether the arithmetic flags are live. They are
 * live (something may read them before they are overwritten):
 *  - at the block's exit, unless the caller's `successorsOverwriteFlags`
 *    says every successor sets all six flags before reading any. The
 *    translator can answer it by lifting the successor blocks (both targets
 *    of a branch); without the callback the flags are live at every exit;
 *  - before a `flags.get` or `flags.all` whose result is used;
 *  - before every op that may fault or leave the block (load, store, raise,
 *    exit.if, emulate; loads not when memory cannot fault, pass-options.ts):
 *    a fault shows the flags as of its instruction's
 *    start, a side exit continues elsewhere, and the VMM may read EFLAGS
 *    (pushf, iret, an exception frame);
 *  - at the end of every instruction that stores: a store into translated
 *    code leaves the block there (codeModifiedExits in pass-options.ts).
 * An unguarded `flags.set` makes them dead above it (every kind defines all
 * six flags from its own operands: inc/dec and rol/ror receive the old bits
 * they keep through aux). A guarded one may not happen, so it leaves
 * liveness as it was. A thunk is deleted when the flags are dead below it.
 *
 * "Used" is counted, and a deleted thunk's operands lose their use, so a
 * chain such as `inc; inc; cmp` dies in one sweep: the second inc's
 * `flags.get cf` (its aux) stops counting once that thunk is gone. The
 * now-unused flags.get itself is left for dead-code to remove.
 *
 * Relies on: the thunk semantics of ir/ops.ts (every kind defines all six
 * flags from its operands), OP_INFO's mayFault (pass-options.ts) for what
 * can expose the flags in mid-block, and the block being straight-line, so
 * one backward sweep sees every reader after its thunk.
 */
import type { Block, Op } from '../ir/types.js';
import { codeModifiedExits, mayFault, type PassOptions } from './pass-options.js';
import { exitInputs, forEachTempInput, withOps } from './rewrite.js';

/** successorsOverwriteFlags (pass-options.ts) is called once per block, with its exit. */
export function flagLiveness(block: Block, options: PassOptions = {}): Block {
  const uses = new Int32Array(block.tempCount);
  const addUse = (id: number): void => { uses[id]! += 1; };
  const dropUse = (id: number): void => { uses[id]! -= 1; };
  const count = (op: Op, delta: 1 | -1): void => forEachTempInput(op, delta === 1 ? addUse : dropUse);
  for (const op of block.ops) count(op, 1);
  for (const v of exitInputs(block.exit)) if (v.kind === 'tmp') uses[v.id]! += 1;

  const smcExits = codeModifiedExits(block.ops);
  let live = smcExits[block.ops.length] === 1 || !(options.successorsOverwriteFlags?.(block.exit) ?? false);
  const kept: Op[] = [];
  for (let i = block.ops.length - 1; i >= 0; i--) {
    const op = block.ops[i]!;
    if (smcExits[i] === 1) live = true;
    if (op.op === 'flags.set') {
      if (!live) { count(op, -1); continue; }
      if (op.guard === null) live = false;
    } else if (op.op === 'flags.get' || op.op === 'flags.all') {
      if (uses[op.dst.id]! > 0) live = true;
    } else if (mayFault(op, options)) {
      live = true;
    }
    kept.push(op);
  }
  kept.reverse();
  return withOps(block, kept);
}

/**
 * For callers answering successorsOverwriteFlags: true when `block` sets all
 * six flags (an unguarded flags.set) before anything in it can read or
 * expose them (flags.get, flags.all, an op that may fault or leave, the
 * exit). The translator lifts the successor and asks this. It is only half
 * of the answer; the caller must also make sure that
 *  - the successor's code cannot change without the asking block's
 *    translation going too (same 4 KiB page, so self-modifying-code
 *    invalidation drops both), and
 *  - nothing observes the flags between the two blocks: an interrupt
 *    delivered at that boundary pushes EFLAGS into its frame.
 */
export function overwritesFlagsFirst(block: Block, options: PassOptions = {}): boolean {
  for (const op of block.ops) {
    if (op.op === 'flags.set') {
      if (op.guard === null) return true;
    } else if (op.op === 'flags.get' || op.op === 'flags.all' || mayFault(op, options)) {
      return false;
    }
  }
  return false;
}

