/**
 * What the translator tells the passes about the block's context, and the
 * one question several passes ask with it: may this op fault (or otherwise
 * leave the block early)?
 *
 * OP_INFO (ir/ops.ts) answers for the general case. `memoryCannotFault`
 * narrows it for loads only: with paging off and flat segments, generated
 * code reads memory without any check that could raise (addresses outside
 * RAM read as 0xFF), so a load is then an ordinary pure op. Stores stay
 * barriers even then: a store into a page holding translations makes the
 * running code leave at the next instruction (self-modifying code), and the
 * state there must be complete.
 */
import { OP_INFO } from '../ir/ops.js';
import type { Exit, Op } from '../ir/types.js';

export interface PassOptions {
  /** Loads cannot fault and have no side effects in this block's mode (paging off, no MMIO with read effects). */
  readonly memoryCannotFault?: boolean;
  /**
   * True when every successor of `exit` overwrites all six arithmetic flags
   * before it reads any, faults, exits or calls the VMM, so the flags are
   * dead at this exit (the translator can answer by lifting the successors).
   */
  readonly successorsOverwriteFlags?: (exit: Exit) => boolean;
}

/** May op raise a guest exception or leave the block before the next op runs? */
export function mayFault(op: Op, options: PassOptions): boolean {
  if (op.op === 'load') return options.memoryCannotFault !== true;
  return OP_INFO[op.op].mayFault;
}

/**
 * Where translated code may leave the block because a store hit translated
 * code: generated code finishes the storing instruction and exits at the
 * next one (codegen/emit-block.ts), so the state must be complete there, at
 * the `insn` marker after any instruction that stores. Marks those op
 * indices with 1. The barrier sits at the instruction's end, not at the
 * store: what the instruction writes after its store (stosd's EDI, the
 * flags of `xor byte [m], imm`) is part of that state. Index ops.length
 * stands for the block's exit: 1 when its last instruction stores, since the
 * store may have rewritten the successor a liveness answer was based on.
 */
export function codeModifiedExits(ops: readonly Op[]): Uint8Array {
  const at = new Uint8Array(ops.length + 1);
  let stored = false;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.op === 'store') stored = true;
    else if (op.op === 'insn') {
      if (stored) at[i] = 1;
      stored = false;
    }
  }
  if (stored) at[ops.length] = 1;
  return at;
}
