/**
 * printBlock: the stable text form of the IR (documented in docs/ir.md).
 *
 * Used by `btvm ir`, `-d ir,opt` logs and the golden expect tests, so its
 * output is part of the interface: change it only together with docs/ir.md
 * and the expected files.
 *
 *   block 0x00100000 mode=0x1 insns=2 bytes=5
 *   ; 0x00100000  add eax,ebx
 *     t0 = get eax
 *     t1 = get ebx
 *     t2 = add t0, t1
 *     flags.set add.32 t2, t0, t1, 0
 *     put eax, t2
 *   ...
 *     exit jump 0x00100005
 */
import { match } from 'ts-pattern';
import type { Block, Exit, GuestSlot, Op, Value } from './types.js';

const GPR_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export function printValue(v: Value): string {
  if (v.kind === 'tmp') return 't' + v.id;
  const u = v.value >>> 0;
  return u < 10 ? String(u) : '0x' + u.toString(16);
}

export function printSlot(s: GuestSlot): string {
  return match(s)
    .with({ kind: 'gpr' }, (g) => GPR_NAMES[g.reg]!)
    .with({ kind: 'segBase' }, (g) => SEG_NAMES[g.seg]! + '.base')
    .with({ kind: 'segSel' }, (g) => SEG_NAMES[g.seg]! + '.sel')
    .with({ kind: 'segFirst' }, (g) => SEG_NAMES[g.seg]! + '.first')
    .with({ kind: 'segSpan' }, (g) => SEG_NAMES[g.seg]! + '.span')
    .with({ kind: 'eflagsSys' }, () => 'eflags.sys')
    .exhaustive();
}

export function printOp(op: Op): string {
  const v = printValue;
  return match(op)
    .with({ op: 'insn' }, (o) => `; ${hex32(o.address)}  ${o.text}`)
    .with({ op: 'get' }, (o) => `  t${o.dst.id} = get ${printSlot(o.slot)}`)
    .with({ op: 'put' }, (o) => `  put ${printSlot(o.slot)}, ${v(o.src)}`)
    .with({ op: 'mov' }, (o) => `  t${o.dst.id} = ${v(o.src)}`)
    .with({ op: 'unary' }, (o) => `  t${o.dst.id} = ${o.name} ${v(o.a)}`)
    .with({ op: 'binary' }, (o) => `  t${o.dst.id} = ${o.name} ${v(o.a)}, ${v(o.b)}`)
    .with({ op: 'select' }, (o) => `  t${o.dst.id} = select ${v(o.cond)}, ${v(o.a)}, ${v(o.b)}`)
    .with({ op: 'load' }, (o) => `  t${o.dst.id} = load${o.size * 8} ${v(o.addr)}`)
    .with({ op: 'store' }, (o) => `  store${o.size * 8} ${v(o.addr)}, ${v(o.src)}`)
    .with({ op: 'flags.set' }, (o) =>
      `  flags.set ${o.kind}.${o.size * 8} ${v(o.res)}, ${v(o.a)}, ${v(o.b)}, ${v(o.aux)}` +
      (o.guard ? ` if ${v(o.guard)}` : ''))
    .with({ op: 'flags.get' }, (o) => `  t${o.dst.id} = flags.get ${o.cond}`)
    .with({ op: 'flags.all' }, (o) => `  t${o.dst.id} = flags.all`)
    .with({ op: 'helper' }, (o) => {
      const dsts = [o.dst, o.dst2].filter((t) => t !== null).map((t) => 't' + t!.id).join(', ');
      return `  ${dsts ? dsts + ' = ' : ''}helper ${o.name}(${o.args.map(v).join(', ')})`;
    })
    .with({ op: 'emulate' }, (o) =>
      `  ${o.dst ? 't' + o.dst.id + ' = ' : ''}emulate ${o.routine}(${o.args.map(v).join(', ')}) next=${hex32(o.next)}`)
    .with({ op: 'raise' }, (o) =>
      `  raise #${o.vector}${o.errorCode !== null ? '(' + o.errorCode + ')' : ''}${o.cond ? ' if ' + v(o.cond) : ''}`)
    .with({ op: 'exitIf' }, (o) => `  exit.if ${v(o.cond)} ? ${hex32(o.target)}`)
    .exhaustive();
}

export function printExit(e: Exit): string {
  return match(e)
    .with({ kind: 'jump' }, (x) => `  exit jump ${hex32(x.target)}`)
    .with({ kind: 'branch' }, (x) => `  exit branch ${printValue(x.cond)} ? ${hex32(x.taken)} : ${hex32(x.fallthrough)}`)
    .with({ kind: 'indirect' }, (x) => `  exit indirect ${printValue(x.target)} (${x.hint})`)
    .with({ kind: 'dispatch' }, (x) => `  exit dispatch ${hex32(x.next)}`)
    .exhaustive();
}

export function printBlock(b: Block): string {
  const lines = [`block ${hex32(b.address)} mode=0x${b.mode.toString(16)} insns=${b.guestInsns} bytes=${b.guestLength}`];
  for (const op of b.ops) lines.push(printOp(op));
  lines.push(printExit(b.exit));
  return lines.join('\n') + '\n';
}
