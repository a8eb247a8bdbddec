/**
 * Cold temps: values only a rare exit path needs, which codegen computes on
 * that path instead of on every execution of the block.
 *
 * The typical case is a flags thunk that a later instruction of the same
 * block overwrites, but that must still be correct if the region is left in
 * between — by a store that invalidates the region, a raise, a side exit.
 * `imul ebx,edi; add [mem],ebx; inc ecx; cmp ecx,160` keeps imul's thunk
 * (whose overflow bit needs the high half of the product) alive across the
 * store; nothing on the normal path reads it. The passes cannot delete it
 * (precise state at a fault), and the JIT cannot sink a helper call into a
 * branch, so codegen does: the pure ops feeding only such thunks are emitted
 * inside the exit branches that flush the thunk.
 *
 * A flags.set is "hot" if its thunk is read (flags.get, flags.all), flushed
 * on a normal path (an emulate, a guarded flags.set, the block's end) —
 * otherwise only cold exits see it. A temp is hot if a hot use needs it;
 * pure ops whose results are not hot are cold.
 */
import { inputsOf } from '../ir/verify.js';
import type { Block, Op, Value } from '../ir/types.js';

const PURE: ReadonlySet<Op['op']> = new Set(['mov', 'unary', 'binary', 'select', 'helper']);

/** Per temp id: 1 when its defining op may be moved into cold exit paths. */
export function coldTemps(block: Block): Uint8Array {
  const ops = block.ops;
  // 1. Which flags.set ops are hot.
  const hotSet = new Uint8Array(ops.length);
  let current = -1;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.op === 'flags.set') {
      if (op.guard !== null) {
        if (current >= 0) hotSet[current] = 1; // flushed before the guarded write
        hotSet[i] = 1;
        current = -1;
      } else {
        current = i;
      }
    } else if ((op.op === 'flags.get' || op.op === 'flags.all' || op.op === 'emulate') && current >= 0) {
      hotSet[current] = 1;
    }
  }
  if (current >= 0) hotSet[current] = 1; // flushed at the block's end

  // 2. Hot temps, backwards: operands of non-pure ops and hot thunks, and of pure ops with hot results.
  const hot = new Uint8Array(block.tempCount);
  const mark = (v: Value | null): void => {
    if (v !== null && v.kind === 'tmp') hot[v.id] = 1;
  };
  const e = block.exit;
  if (e.kind === 'branch') mark(e.cond);
  if (e.kind === 'indirect') mark(e.target);
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i]!;
    if (PURE.has(op.op)) {
      const results = op.op === 'helper' ? [op.dst, op.dst2] : [(op as { dst: { id: number } }).dst];
      if (!results.some((r) => r !== null && hot[r.id] === 1)) continue;
    } else if (op.op === 'flags.set' && hotSet[i] === 0) {
      continue;
    }
    for (const v of inputsOf(op)) mark(v);
  }

  // 3. Cold: results of pure ops that are not hot.
  const cold = new Uint8Array(block.tempCount);
  for (const op of ops) {
    if (!PURE.has(op.op)) continue;
    if (op.op === 'helper') {
      const d = op.dst, d2 = op.dst2;
      const anyHot = (d !== null && hot[d.id] === 1) || (d2 !== null && hot[d2.id] === 1);
      if (!anyHot) {
        if (d !== null) cold[d.id] = 1;
        if (d2 !== null) cold[d2.id] = 1;
      }
    } else {
      const d = (op as { dst: { id: number } }).dst;
      if (hot[d.id] === 0) cold[d.id] = 1;
    }
  }
  return cold;
}
