/**
 * dead-code: removes ops whose results nobody uses and that have no other
 * effect, by one backward sweep (the IR is straight-line, so one sweep
 * finds every chain of dead ops).
 *
 * Relies on OP_INFO (ir/ops.ts) alone to know what may go: an op is
 * removable when it has no side effects and cannot fault. Loads are the one
 * exception the caller may grant: `memoryCannotFault` says that, in the mode
 * this block was translated for, a load can neither fault (paging off, no
 * segment limits) nor have an effect (no device with read side effects is
 * mapped where the guest reads). Without it a dead load stays, because its
 * #PF is part of the guest's behaviour. Puts, stores and flags thunks are
 * never touched here; get-put and flag-liveness decide about those.
 */
import { OP_INFO } from '../ir/ops.js';
import { outputsOf } from '../ir/verify.js';
import type { Block, Op } from '../ir/types.js';
import { mayFault, type PassOptions } from './pass-options.js';
import { exitInputs, forEachTempInput, withOps } from './rewrite.js';

export function deadCode(block: Block, options: PassOptions = {}): Block {
  const used = new Uint8Array(block.tempCount);
  const markUsed = (id: number): void => { used[id] = 1; };
  for (const v of exitInputs(block.exit)) if (v.kind === 'tmp') used[v.id] = 1;
  const kept: Op[] = [];
  for (let i = block.ops.length - 1; i >= 0; i--) {
    const op = block.ops[i]!;
    if (removable(op, options) && outputsOf(op).every((t) => !used[t.id])) continue;
    forEachTempInput(op, markUsed);
    kept.push(op);
  }
  kept.reverse();
  return withOps(block, kept);
}

function removable(op: Op, options: PassOptions): boolean {
  return !OP_INFO[op.op].sideEffects && !mayFault(op, options);
}
