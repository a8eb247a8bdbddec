/**
 * get-put: redundant guest-register traffic within a block.
 *
 *  - Forwarding: a `get` of a slot whose value is already known (written by
 *    an earlier `put`, or read by an earlier `get`) becomes that value.
 *  - Dead puts: a `put` overwritten by a later `put` of the same slot is
 *    dropped, but only when no op that may fault or leave the block (load,
 *    store, raise, exit.if, emulate: everything OP_INFO marks mayFault) lies
 *    between them (loads do not count when the caller says memory cannot
 *    fault, see pass-options.ts), and no instruction boundary where code may
 *    leave after a store into translated code (codeModifiedExits). By the
 *    precise-exception rule a fault in a later instruction must show the
 *    state after every earlier instruction, including the register the
 *    older put wrote.
 *
 * Relies on:
 *  - Slots being registers only: stores write memory, never a slot, so only
 *    `emulate` (the VMM may change any guest state, even segment bases and
 *    selectors, which the IR itself treats as read-only) invalidates what is
 *    known about slots.
 *  - SSA temps: a forwarded value is defined before the get it replaces.
 *  - Every slot being a whole 32-bit location (no partial writes in the IR).
 */
import type { Block, GuestSlot, Op, Value } from '../ir/types.js';
import { codeModifiedExits, mayFault, type PassOptions } from './pass-options.js';
import { Substitution, mapExitInputs, mapInputs, withOps } from './rewrite.js';

/** Dense numbering of slots: gpr 0-7, segBase 8-13, segSel 14-19, eflagsSys 20, segFirst 21-26, segSpan 27-32. */
export const SLOT_COUNT = 33;
export function slotIndex(slot: GuestSlot): number {
  switch (slot.kind) {
    case 'gpr': return slot.reg;
    case 'segBase': return 8 + slot.seg;
    case 'segSel': return 14 + slot.seg;
    case 'eflagsSys': return 20;
    case 'segFirst': return 21 + slot.seg;
    case 'segSpan': return 27 + slot.seg;
  }
}

export function getPut(block: Block, options: PassOptions = {}): Block {
  const subst = new Substitution(block.tempCount);
  const known: (Value | undefined)[] = new Array(SLOT_COUNT);
  /** Index in `out` of a put that a later put of its slot may still replace. */
  const replaceablePut = new Int32Array(SLOT_COUNT).fill(-1);
  const out: (Op | null)[] = [];
  const smcExits = codeModifiedExits(block.ops);

  for (let i = 0; i < block.ops.length; i++) {
    const op = mapInputs(block.ops[i]!, subst.resolve);
    if (smcExits[i] === 1) replaceablePut.fill(-1);
    if (op.op === 'get') {
      const k = slotIndex(op.slot);
      const v = known[k];
      if (v !== undefined) { subst.set(op.dst.id, v); continue; }
      known[k] = op.dst;
    } else if (op.op === 'put') {
      const k = slotIndex(op.slot);
      const older = replaceablePut[k]!;
      if (older >= 0) out[older] = null;
      known[k] = op.src;
      replaceablePut[k] = out.length;
    } else if (op.op === 'emulate') {
      replaceablePut.fill(-1);
      known.fill(undefined);
    } else if (mayFault(op, options)) {
      replaceablePut.fill(-1); // a fault or side exit here must see every put so far
    }
    out.push(op);
  }
  const ops = out.filter((op): op is Op => op !== null);
  return withOps(block, ops, mapExitInputs(block.exit, subst.resolve));
}
