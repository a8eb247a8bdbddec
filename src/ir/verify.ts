/**
 * verifyBlock: the IR's invariants, checked between passes in tests and
 * under `--debug-ir`.
 *
 *  1. The block starts with an `insn` marker.
 *  2. Every temp is assigned once and defined before it is used.
 *  3. Precise exceptions: within one guest instruction no op that may fault
 *     follows a `put` or `flags.set` (stores may follow stores: a push that
 *     faults half-way is still restartable, since memory below ESP is free).
 *  4. Temp ids are below tempCount.
 *
 * It returns a list of problems rather than throwing, so a test can show all
 * of them at once.
 */
import { OP_INFO } from './ops.js';
import { printOp } from './print.js';
import type { Block, Op, Value } from './types.js';

export function verifyBlock(block: Block): string[] {
  const problems: string[] = [];
  const defined = new Uint8Array(block.tempCount);
  let stateWritten = false;
  let at = '';

  const use = (v: Value | null, op: Op | string): void => {
    if (v === null || v.kind !== 'tmp') return;
    if (v.id >= block.tempCount) problems.push(`${at}: t${v.id} is beyond tempCount in: ${describe(op)}`);
    else if (!defined[v.id]) problems.push(`${at}: t${v.id} used before it is defined in: ${describe(op)}`);
  };
  const def = (t: { id: number } | null, op: Op): void => {
    if (t === null) return;
    if (t.id >= block.tempCount) problems.push(`${at}: t${t.id} is beyond tempCount`);
    else if (defined[t.id]) problems.push(`${at}: t${t.id} assigned twice in: ${printOp(op).trim()}`);
    else defined[t.id] = 1;
  };

  if (block.ops[0]?.op !== 'insn') problems.push('block does not start with an insn marker');
  for (const op of block.ops) {
    if (op.op === 'insn') {
      at = `insn at 0x${op.address.toString(16)}`;
      stateWritten = false;
      continue;
    }
    for (const v of inputsOf(op)) use(v, op);
    const info = OP_INFO[op.op];
    if (info.mayFault && stateWritten) {
      problems.push(`${at}: ${printOp(op).trim()} may fault after guest state was written in the same instruction`);
    }
    if (op.op === 'put' || op.op === 'flags.set') stateWritten = true;
    for (const t of outputsOf(op)) def(t, op);
  }
  const exit = block.exit;
  if (exit.kind === 'branch') use(exit.cond, 'exit');
  if (exit.kind === 'indirect') use(exit.target, 'exit');
  return problems;
}

function describe(op: Op | string): string {
  return typeof op === 'string' ? op : printOp(op).trim();
}

/** The values an op reads. Shared by passes that need def-use information. */
export function inputsOf(op: Op): Value[] {
  switch (op.op) {
    case 'insn': case 'get': case 'flags.get': case 'flags.all': return [];
    case 'put': case 'mov': return [op.src];
    case 'unary': return [op.a];
    case 'binary': return [op.a, op.b];
    case 'select': return [op.cond, op.a, op.b];
    case 'load': return [op.addr];
    case 'store': return [op.addr, op.src];
    case 'flags.set': return op.guard ? [op.res, op.a, op.b, op.aux, op.guard] : [op.res, op.a, op.b, op.aux];
    case 'helper': case 'emulate': return [...op.args];
    case 'raise': return op.cond ? [op.cond] : [];
    case 'exitIf': return [op.cond];
  }
}

/** The temps an op defines. */
export function outputsOf(op: Op): { id: number }[] {
  switch (op.op) {
    case 'get': case 'mov': case 'unary': case 'binary': case 'select': case 'load':
    case 'flags.get': case 'flags.all':
      return [op.dst];
    case 'helper': return op.dst2 ? [op.dst!, op.dst2] : op.dst ? [op.dst] : [];
    case 'emulate': return op.dst ? [op.dst] : [];
    default: return [];
  }
}
