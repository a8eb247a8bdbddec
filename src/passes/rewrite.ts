/**
 * Value substitution shared by the forward passes (const-fold, get-put).
 *
 * Ops are immutable records, so a pass that learns "t7 is really 5" or "t9 is
 * really t3" rebuilds each later op with its inputs replaced. The IR is in
 * SSA form (verify.ts: one definition per temp, before every use), so a
 * replacement value is always defined earlier than the use it replaces and
 * the substitution never needs a second sweep.
 *
 * This file also holds the small helpers every pass uses to build its result
 * block without mutating the input: `onPass` callers keep each stage's block.
 */
import type { Block, Exit, Op, Value } from '../ir/types.js';

/** Maps temp ids to the value that replaces them (undefined: keep the temp). */
export class Substitution {
  private readonly map: (Value | undefined)[];

  constructor(tempCount: number) {
    this.map = new Array<Value | undefined>(tempCount);
  }

  set(id: number, v: Value): void {
    this.map[id] = v;
  }

  /** The final replacement of v (chains were resolved when they were recorded). */
  resolve = (v: Value): Value => {
    if (v.kind !== 'tmp') return v;
    return this.map[v.id] ?? v;
  };
}

/** Same value: the same temp, or equal constants. */
export function sameValue(x: Value, y: Value): boolean {
  return x.kind === y.kind && (x.kind === 'tmp' ? x.id === (y as typeof x).id : x.value === (y as typeof x).value);
}

export function isConst(v: Value | null | undefined, value?: number): boolean {
  return v != null && v.kind === 'const' && (value === undefined || v.value === (value | 0));
}

/** Rebuild op with every input passed through f (returns op itself when nothing changes). */
export function mapInputs(op: Op, f: (v: Value) => Value): Op {
  switch (op.op) {
    case 'insn': case 'get': case 'flags.get': case 'flags.all':
      return op;
    case 'put': case 'mov': {
      const src = f(op.src);
      return src === op.src ? op : { ...op, src };
    }
    case 'unary': {
      const a = f(op.a);
      return a === op.a ? op : { ...op, a };
    }
    case 'binary': {
      const a = f(op.a), b = f(op.b);
      return a === op.a && b === op.b ? op : { ...op, a, b };
    }
    case 'select': {
      const cond = f(op.cond), a = f(op.a), b = f(op.b);
      return cond === op.cond && a === op.a && b === op.b ? op : { ...op, cond, a, b };
    }
    case 'load': {
      const addr = f(op.addr);
      return addr === op.addr ? op : { ...op, addr };
    }
    case 'store': {
      const addr = f(op.addr), src = f(op.src);
      return addr === op.addr && src === op.src ? op : { ...op, addr, src };
    }
    case 'flags.set': {
      const res = f(op.res), a = f(op.a), b = f(op.b), aux = f(op.aux);
      const guard = op.guard === null ? null : f(op.guard);
      return res === op.res && a === op.a && b === op.b && aux === op.aux && guard === op.guard
        ? op : { ...op, res, a, b, aux, guard };
    }
    case 'helper': case 'emulate': {
      const args = op.args.map(f);
      return args.every((v, i) => v === op.args[i]) ? op : { ...op, args };
    }
    case 'raise': {
      const cond = op.cond === null ? null : f(op.cond);
      return cond === op.cond ? op : { ...op, cond };
    }
    case 'exitIf': {
      const cond = f(op.cond);
      return cond === op.cond ? op : { ...op, cond };
    }
  }
}

export function mapExitInputs(exit: Exit, f: (v: Value) => Value): Exit {
  if (exit.kind === 'branch') {
    const cond = f(exit.cond);
    return cond === exit.cond ? exit : { ...exit, cond };
  }
  if (exit.kind === 'indirect') {
    const target = f(exit.target);
    return target === exit.target ? exit : { ...exit, target };
  }
  return exit;
}

/** The temps an exit reads. */
export function exitInputs(exit: Exit): Value[] {
  if (exit.kind === 'branch') return [exit.cond];
  if (exit.kind === 'indirect') return [exit.target];
  return [];
}

/** A copy of block with new ops and exit; temp numbering and guest extent are kept. */
export function withOps(block: Block, ops: Op[], exit: Exit = block.exit): Block {
  return { ...block, ops, exit };
}

/** Calls f with the id of every temp op reads (verify.ts's inputsOf without the array: passes run per block). */
export function forEachTempInput(op: Op, f: (id: number) => void): void {
  const v = (x: Value | null): void => { if (x !== null && x.kind === 'tmp') f(x.id); };
  switch (op.op) {
    case 'insn': case 'get': case 'flags.get': case 'flags.all': return;
    case 'put': case 'mov': return v(op.src);
    case 'unary': return v(op.a);
    case 'binary': v(op.a); return v(op.b);
    case 'select': v(op.cond); v(op.a); return v(op.b);
    case 'load': return v(op.addr);
    case 'store': v(op.addr); return v(op.src);
    case 'flags.set': v(op.res); v(op.a); v(op.b); v(op.aux); return v(op.guard);
    case 'helper': case 'emulate': for (const a of op.args) v(a); return;
    case 'raise': return v(op.cond);
    case 'exitIf': return v(op.cond);
  }
}
