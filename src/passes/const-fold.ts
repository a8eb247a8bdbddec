/**
 * const-fold: constant folding and propagation, copy propagation, reuse of
 * repeated pure computations (the lifter reads `al` twice for `xor al,al`,
 * and x^x = 0 only shows once both reads are one temp), exact algebraic
 * identities, and constant conditions (select, raise, exit.if, the
 * block's exit). First in the pipeline and run again after get-put, which
 * turns `get`s of just-written registers into known values.
 *
 * Relies on:
 *  - SSA temps (verify.ts): a temp's replacement is defined before every use.
 *  - Every value being an int32 (types.ts), so identities such as x+0 = x,
 *    x&-1 = x, x^x = 0 are exact; nothing here assumes more than int32
 *    wrap-around arithmetic (op-eval.ts). Known bits (known-bits.ts) fold
 *    results whose every bit is determined and masks that change nothing.
 *  - The thunk semantics of ops.ts (flags-eval.ts): a `flags.get`/`flags.all`
 *    reads the most recent unguarded `flags.set` unless an `emulate` (which
 *    may rewrite EFLAGS) lies between. A `flags.set` whose guard is unknown
 *    leaves the flags unknown. Besides constant thunks, CF after inc/dec
 *    and CF/OF after mul are the thunk's aux operand when that is 0 or 1.
 *    Thunk operands a kind does not read (THUNK_OPERANDS) become 0.
 *  - Removing or strengthening an op never reorders anything, so the
 *    precise-exception rule (faults before state writes) survives.
 *
 * A taken `exit.if` ends the block: the ops after it never run, so they are
 * dropped and the block's exit becomes a jump to the side exit's target. A
 * raise whose condition is constant non-zero likewise ends the block, with
 * `dispatch` to the next instruction as the lifter ends one at an
 * unconditional raise.
 */
import type { BinaryOpName, Block, Exit, FlagCond, Op, Temp, Value } from '../ir/types.js';
import { constant } from '../ir/builder.js';
import { AF, CF, OF, OSZAPC, THUNK_OPERANDS, condFlags, evalCond, evalThunk } from './flags-eval.js';
import { evalBinary, evalHelper, evalUnary } from './op-eval.js';
import { KnownBits } from './known-bits.js';
import { Substitution, mapExitInputs, mapInputs, sameValue, withOps } from './rewrite.js';

/** What is known of the current flags: the bits in `known` have the values in `bits`. */
interface FlagKnowledge {
  readonly known: number;
  readonly bits: number;
}
const NOTHING_KNOWN: FlagKnowledge = { known: 0, bits: 0 };

const COMMUTATIVE = new Set<BinaryOpName>(['add', 'mul', 'and', 'or', 'xor', 'umulhi', 'smulhi', 'eq', 'ne']);
const SHIFTS = new Set<BinaryOpName>(['shl', 'shr', 'sar', 'rol', 'ror']);

export function constFold(block: Block): Block {
  const subst = new Substitution(block.tempCount);
  const bits = new KnownBits(block.tempCount);
  const out: Op[] = [];
  let flags = NOTHING_KNOWN;
  /** The thunk the flags come from, when no emulate or guarded thunk has intervened. */
  let thunk: Extract<Op, { op: 'flags.set' }> | null = null;
  /** Pure computations already in the block, by pureKey: a repeat reuses the first result. */
  const computed = new Map<string, Temp>();
  /** The binary op that defines each temp still in the block, for narrowMask. */
  const defs: (BinaryOp | undefined)[] = new Array(block.tempCount);
  /** The address after the instruction being scanned. */
  let nextInsn = block.address;
  let exit: Exit | null = null;

  const replace = (id: number, v: Value): void => subst.set(id, v);

  for (const original of block.ops) {
    let op = mapInputs(original, subst.resolve);
    switch (op.op) {
      case 'mov':
        replace(op.dst.id, op.src);
        continue;
      case 'unary':
        if (op.a.kind === 'const') { replace(op.dst.id, constant(evalUnary(op.name, op.a.value))); continue; }
        break;
      case 'binary': {
        op = narrowMask(op, defs, bits);
        const v = foldBinary(op.name, op.a, op.b, bits);
        if (v !== null) { replace(op.dst.id, v); continue; }
        break;
      }
      case 'select':
        if (op.cond.kind === 'const') { replace(op.dst.id, op.cond.value !== 0 ? op.a : op.b); continue; }
        if (sameValue(op.a, op.b)) { replace(op.dst.id, op.a); continue; }
        break;
      case 'helper': {
        if (!op.args.every((a) => a.kind === 'const')) break;
        const r = evalHelper(op.name, op.args.map((a) => (a as { value: number }).value));
        if (r === null) break;
        if (op.dst) replace(op.dst.id, constant(r[0]));
        if (op.dst2) replace(op.dst2.id, constant(r[1]));
        continue;
      }
      case 'flags.set': {
        op = withoutUnreadOperands(op);
        if (op.guard !== null && op.guard.kind === 'const') {
          if (op.guard.value === 0) continue; // never happens: the flags stay as they were
          const unguarded = { ...op, guard: null };
          out.push(unguarded);
          flags = thunkKnowledge(unguarded);
          thunk = unguarded;
          continue;
        }
        flags = op.guard === null ? thunkKnowledge(op) : NOTHING_KNOWN;
        thunk = op.guard === null ? op : null;
        break;
      }
      case 'flags.get': {
        // Only the flags the condition reads need be known: evalCond looks at no others.
        const needed = condFlags(op.cond);
        if ((flags.known & needed) === needed) { replace(op.dst.id, constant(evalCond(op.cond, flags.bits))); continue; }
        const v = thunk === null ? null : carryFromAux(thunk, op.cond, bits);
        if (v !== null) { replace(op.dst.id, v); continue; }
        break;
      }
      case 'flags.all':
        if ((flags.known & OSZAPC) === OSZAPC) { replace(op.dst.id, constant(flags.bits)); continue; }
        break;
      case 'emulate':
        flags = NOTHING_KNOWN; // the VMM may rewrite EFLAGS (popf, iret, lar's ZF…)
        thunk = null;
        break;
      case 'raise':
        if (op.cond !== null && op.cond.kind === 'const') {
          if (op.cond.value === 0) continue;
          // Certain: nothing after it runs. End the block as the lifter ends one at an unconditional raise.
          out.push({ ...op, cond: null });
          exit = { kind: 'dispatch', next: nextInsn };
          break;
        }
        break;
      case 'exitIf':
        if (op.cond.kind === 'const') {
          if (op.cond.value === 0) continue;
          exit = { kind: 'jump', target: op.target };
        }
        break;
      default:
        break;
    }
    if (exit !== null) break;
    if (op.op === 'insn') nextInsn = (op.address + op.length) >>> 0;
    const key = pureKey(op);
    if (key !== null) {
      const earlier = computed.get(key);
      if (earlier !== undefined) { replace((op as { dst: Temp }).dst.id, earlier); continue; }
    }
    if (op.op === 'binary' || op.op === 'unary' || op.op === 'select' || op.op === 'load' || op.op === 'flags.get' ||
      op.op === 'flags.all') {
      bits.record(op);
      const c = bits.constantOf(op.dst.id);
      if (c !== null && op.op !== 'load') { replace(op.dst.id, constant(c)); continue; }
    }
    if (key !== null) computed.set(key, (op as { dst: Temp }).dst);
    if (op.op === 'binary') defs[op.dst.id] = op;
    out.push(op);
  }

  if (exit !== null) return truncated(block, out, exit);
  return withOps(block, out, foldExit(mapExitInputs(block.exit, subst.resolve)));
}

/**
 * A key naming what a pure arithmetic op computes (commutative operands in
 * a fixed order), or null for ops whose result depends on more than their
 * operands (loads, flags, gets) or that are not pure.
 */
function pureKey(op: Op): string | null {
  const k = (v: Value): string => (v.kind === 'tmp' ? 't' + v.id : 'c' + v.value);
  switch (op.op) {
    case 'unary': return `${op.name} ${k(op.a)}`;
    case 'binary': {
      const a = k(op.a), b = k(op.b);
      return COMMUTATIVE.has(op.name) && a > b ? `${op.name} ${b} ${a}` : `${op.name} ${a} ${b}`;
    }
    case 'select': return `select ${k(op.cond)} ${k(op.a)} ${k(op.b)}`;
    default: return null;
  }
}

type BinaryOp = Extract<Op, { op: 'binary' }>;

/**
 * `and X, c` looks through what X is made of: an inner `and` with a
 * constant merges its mask (`and (and x, 0xff), 0x20` is `and x, 0x20`), and
 * one side of an `or`/`xor` whose bits under c are known 0 contributes
 * nothing (`and (or (and eax, 0xffffff00), al8), 0xff` is `and al8, 0xff`).
 * This is what the lifter's read of AL from a just-merged EAX needs.
 */
function narrowMask(op: BinaryOp, defs: readonly (BinaryOp | undefined)[], bits: KnownBits): BinaryOp {
  if (op.name !== 'and') return op;
  const [a0, b0] = op.b.kind === 'const' ? [op.a, op.b] : [op.b, op.a];
  if (b0.kind !== 'const' || a0.kind !== 'tmp') return op;
  let x: Value = a0;
  let c = b0.value;
  for (let depth = 0; depth < 8 && x.kind === 'tmp'; depth++) {
    const d: BinaryOp | undefined = defs[x.id];
    if (d === undefined) break;
    if (d.name === 'and' && d.b.kind === 'const') { c &= d.b.value; x = d.a; continue; }
    if (d.name === 'and' && d.a.kind === 'const') { c &= d.a.value; x = d.b; continue; }
    if (d.name !== 'or' && d.name !== 'xor') break;
    if ((c & ~bits.zero(d.a)) === 0) { x = d.b; continue; }
    if ((c & ~bits.zero(d.b)) === 0) { x = d.a; continue; }
    break;
  }
  return x === a0 && c === b0.value ? op : { ...op, a: x, b: constant(c) };
}

/** A thunk whose operands its kind never reads are 0 instead of temps, so they keep no computation alive. */
function withoutUnreadOperands(op: Extract<Op, { op: 'flags.set' }>): Extract<Op, { op: 'flags.set' }> {
  const read = THUNK_OPERANDS[op.kind];
  const clear = (name: 'res' | 'a' | 'b' | 'aux'): Value =>
    op[name].kind === 'tmp' && !read.includes(name) ? constant(0) : op[name];
  const res = clear('res'), a = clear('a'), b = clear('b'), aux = clear('aux');
  return res === op.res && a === op.a && b === op.b && aux === op.aux ? op : { ...op, res, a, b, aux };
}

/**
 * CF (and OF for mul) that a thunk carries in aux: inc/dec keep the old CF
 * there, mul its "high half significant" bit. Exact when aux is 0 or 1.
 */
function carryFromAux(thunk: Extract<Op, { op: 'flags.set' }>, cond: FlagCond, bits: KnownBits): Value | null {
  const carries = thunk.kind === 'inc' || thunk.kind === 'dec'
    ? cond === 'cf' || cond === 'b'
    : thunk.kind === 'mul' && (cond === 'cf' || cond === 'b' || cond === 'of' || cond === 'o');
  return carries && bits.isBoolean(thunk.aux) ? thunk.aux : null;
}

/** The flags a thunk fixes whatever its non-constant operands are. */
function thunkKnowledge(op: Extract<Op, { op: 'flags.set' }>): FlagKnowledge {
  const used = THUNK_OPERANDS[op.kind];
  const value = (name: 'res' | 'a' | 'b' | 'aux'): Value => op[name];
  if (used.every((n) => value(n).kind === 'const')) {
    const c = (n: 'res' | 'a' | 'b' | 'aux'): number => (value(n) as { value: number }).value;
    return { known: OSZAPC, bits: evalThunk(op.kind, op.size, c('res'), c('a'), c('b'), c('aux')) };
  }
  // logic clears CF, OF and AF by definition, whatever the result.
  if (op.kind === 'logic') return { known: CF | OF | AF, bits: 0 };
  return NOTHING_KNOWN;
}

function foldExit(exit: Exit): Exit {
  if (exit.kind === 'branch' && exit.cond.kind === 'const') {
    return { kind: 'jump', target: exit.cond.value !== 0 ? exit.taken : exit.fallthrough };
  }
  if (exit.kind === 'indirect' && exit.target.kind === 'const') {
    // The hint only feeds prediction (return lookup); a known target needs none.
    return { kind: 'jump', target: exit.target.value >>> 0 };
  }
  return exit;
}

/** The block cut after an always-taken exit.if: the instructions it skips are gone. */
function truncated(block: Block, ops: Op[], exit: Exit): Block {
  let insns = 0;
  let end = block.address;
  for (const op of ops) {
    if (op.op === 'insn') { insns++; end = (op.address + op.length) >>> 0; }
  }
  return { ...block, ops, exit, guestInsns: insns, guestLength: (end - block.address) >>> 0 };
}

/** The value a binary op reduces to, or null when it must stay. */
function foldBinary(name: BinaryOpName, a: Value, b: Value, bits: KnownBits): Value | null {
  if (a.kind === 'const' && b.kind === 'const') return constant(evalBinary(name, a.value, b.value));
  if (COMMUTATIVE.has(name) && a.kind === 'const') [a, b] = [b, a];
  // From here on, if exactly one side is constant it is b (or a for the non-commutative ops).
  if (sameValue(a, b)) {
    switch (name) {
      case 'sub': case 'xor': case 'ne': case 'ltu': case 'lts': return constant(0);
      case 'and': case 'or': return a;
      case 'eq': case 'leu': case 'les': return constant(1);
      default: break;
    }
  }
  if (b.kind === 'const') {
    const c = b.value;
    switch (name) {
      case 'add': case 'sub': case 'or': case 'xor':
        if (c === 0) return a;
        if (name === 'or' && c === -1) return constant(-1);
        if (name === 'or' && (c & ~bits.one(a)) === 0) return a; // every bit it sets is already 1
        break;
      case 'mul':
        if (c === 0) return constant(0);
        if (c === 1) return a;
        break;
      case 'and':
        if (c === 0) return constant(0);
        if (c === -1) return a;
        if ((~c & ~bits.zero(a)) === 0) return a; // every bit the mask clears is already 0
        break;
      case 'umulhi': case 'smulhi':
        if (c === 0) return constant(0);
        if (name === 'umulhi' && c === 1) return constant(0);
        break;
      case 'ltu':
        if (c === 0) return constant(0); // nothing is below 0 unsigned
        break;
      default:
        if (SHIFTS.has(name) && (c & 31) === 0) return a;
        break;
    }
  }
  if (a.kind === 'const') {
    const c = a.value;
    if (SHIFTS.has(name) && c === 0) return constant(0);
    if ((name === 'sar' || name === 'rol' || name === 'ror') && c === -1) return constant(-1);
    if (name === 'leu' && c === 0) return constant(1); // 0 is at most anything unsigned
  }
  return null;
}
