/*
 * Random straight-line IR blocks for the property test, driven by a "tape"
 * of numbers that fast-check generates and shrinks.
 *
 * The blocks are the kind the lifter writes: each guest instruction first
 * reads and computes (get, pure ops, flags.get, loads, stores, raise,
 * exit.if, emulate, helpers), then writes (one flags.set whose thunk is
 * consistent with its kind, as the lifter builds it, then puts). So every
 * block satisfies verifyBlock before optimisation, and operands are very
 * often constants, which is what gives the passes something to fold.
 */
import { EFLAGS_SYS_SLOT, IrBuilder, gprSlot, segBaseSlot, segSelSlot } from '../../src/ir/builder.js';
import type {
  BinaryOpName, Block, FlagCond, FlagKind, MemSize, UnaryOpName, Value, VmmRoutine,
} from '../../src/ir/types.js';

class Tape {
  private i = 0;
  constructor(private readonly nums: readonly number[]) {}
  /** A choice in [0, n): runs out to 0, which always picks the simplest option. */
  pick(n: number): number {
    return this.i < this.nums.length ? this.nums[this.i++]! % n : 0;
  }
  raw(): number {
    return this.i < this.nums.length ? this.nums[this.i++]! : 0;
  }
  of<T>(xs: readonly T[]): T {
    return xs[this.pick(xs.length)]!;
  }
}

const BINARY: readonly BinaryOpName[] = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr', 'sar', 'rol', 'ror',
  'umulhi', 'smulhi', 'eq', 'ne', 'ltu', 'leu', 'lts', 'les'];
const UNARY: readonly UnaryOpName[] = ['not', 'neg', 'sext8', 'sext16', 'zext8', 'zext16', 'bswap', 'parity'];
const CONDS: readonly FlagCond[] = ['cf', 'pf', 'af', 'zf', 'sf', 'of', 'o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a',
  's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const KINDS: readonly FlagKind[] = ['explicit', 'add', 'adc', 'sub', 'sbb', 'logic', 'inc', 'dec', 'shl', 'shr', 'sar',
  'rol', 'ror', 'mul'];
const ROUTINES: readonly VmmRoutine[] = ['cli', 'in', 'out', 'cpuid', 'pushf', 'loadSeg'];
const INTERESTING = [0, 1, 2, 7, 8, 31, 32, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, -1, -2,
  0xf0000000, 0x1000];

export function randomBlock(nums: readonly number[], mode = 1): Block {
  const t = new Tape(nums);
  const base = 0x1000;
  const b = new IrBuilder(base, mode);
  const pool: Value[] = [];
  const constant = (): Value => b.c(t.pick(3) === 0 ? t.raw() | 0 : t.of(INTERESTING));
  const pick = (): Value => (pool.length > 0 && t.pick(5) < 3 ? pool[pool.length - 1 - t.pick(Math.min(pool.length, 8))]! : constant());
  const keep = <V extends Value>(v: V): V => { pool.push(v); return v; };
  /** A condition value: mostly a comparison, sometimes a constant or any value. */
  const cond = (): Value => {
    switch (t.pick(4)) {
      case 0: return b.c(t.pick(2));
      case 1: return pick();
      default: return keep(b.bin(t.of(['eq', 'ne', 'ltu', 'lts'] as const), pick(), pick()));
    }
  };
  /** Rarely true, so that most runs get past the op that tests it. */
  const rareCond = (): Value => {
    switch (t.pick(6)) {
      case 0: return b.c(t.pick(2));
      case 1: return pick();
      default: return keep(b.bin('eq', pick(), pick()));
    }
  };
  /** Mostly an address that cannot fault (the evaluator faults at 0xf0000000 and above). */
  const address = (): Value => (t.pick(6) === 0 ? pick() : keep(b.bin('and', pick(), b.c(0xfff))));
  /** Few registers, so that gets and puts of the same one meet often. */
  const reg = (): number => (t.pick(4) === 0 ? t.pick(8) : t.pick(3));
  const count = t.pick(8) + 1;
  for (let i = 0; i < count; i++) {
    const at = base + 4 * i;
    b.insn(at, 4, `insn${i}`);
    for (let k = t.pick(6); k > 0; k--) {
      switch (t.pick(14)) {
        case 0: keep(b.gpr(reg())); break;
        case 1: keep(b.get(t.of([EFLAGS_SYS_SLOT, segBaseSlot(t.pick(6)), segSelSlot(t.pick(6))]))); break;
        case 2: keep(b.bin(t.of(BINARY), pick(), pick())); break;
        case 3: keep(b.unary(t.of(UNARY), pick())); break;
        case 4: keep(b.select(cond(), pick(), pick())); break;
        case 5: keep(b.mov(pick())); break;
        case 6: keep(b.flag(t.of(CONDS))); break;
        case 7: keep(b.flagsAll()); break;
        case 8: keep(b.load(t.of([1, 2, 4] as const), address())); break;
        case 9: b.store(t.of([1, 2, 4] as const), address(), pick()); break;
        case 10: b.raise(t.of([0, 6, 13]), null, t.pick(12) === 0 ? null : rareCond()); break;
        case 11: b.exitIf(rareCond(), 0x9000 + t.pick(16)); break;
        case 12: {
          const args = Array.from({ length: t.pick(4) }, pick);
          const r = b.emulate(t.of(ROUTINES), args, at + 4, t.pick(2) === 1);
          if (r) keep(r);
          break;
        }
        case 13: {
          const divisor = b.bin('or', pick(), b.c(1)); // the lifter never lets a zero divisor through
          const [q, r] = b.helper(t.of(['div64u', 'div64s'] as const), [pick(), pick(), divisor], 2);
          keep(q); keep(r!);
          break;
        }
      }
    }
    if (t.pick(3) !== 0) consistentFlags(b, t, pick, keep);
    for (let k = t.pick(3); k > 0; k--) {
      if (t.pick(6) === 0) b.put(EFLAGS_SYS_SLOT, pick());
      else b.put(gprSlot(reg()), pick());
    }
  }
  const next = base + 4 * count;
  switch (t.pick(4)) {
    case 0: return b.finish({ kind: 'jump', target: next });
    case 1: return b.finish({ kind: 'branch', cond: cond(), taken: 0x8000, fallthrough: next });
    case 2: return b.finish({ kind: 'indirect', target: pick(), hint: t.of(['ret', 'call', 'jmp'] as const) });
    default: return b.finish({ kind: 'dispatch', next });
  }
}

/** A flags.set built the way the lifter builds each kind, so res, a, b and aux agree with the kind's definition. */
function consistentFlags(b: IrBuilder, t: Tape, pick: () => Value, keep: <V extends Value>(v: V) => V): void {
  const kind = t.of(KINDS);
  const wide = kind === 'rol' || kind === 'ror' || kind === 'mul' || kind === 'explicit';
  const size: MemSize = wide ? 4 : t.of([1, 2, 4] as const);
  const x = pick(), y = pick();
  const carry = (): Value => (t.pick(3) === 0 ? b.c(t.pick(2)) : keep(b.flag('cf')));
  const shiftCount = (): Value => (t.pick(3) === 0 ? b.c(t.pick(32)) : keep(b.bin('and', pick(), b.c(31))));
  switch (kind) {
    case 'explicit': b.setFlags('explicit', 4, x); return;
    case 'add': case 'sub': b.setFlags(kind, size, keep(b.bin(kind, x, y)), x, y); return;
    case 'adc': case 'sbb': {
      const cin = carry();
      const op = kind === 'adc' ? 'add' : 'sub';
      b.setFlags(kind, size, keep(b.bin(op, keep(b.bin(op, x, y)), cin)), x, y, cin);
      return;
    }
    case 'logic': b.setFlags('logic', size, keep(b.bin(t.of(['and', 'or', 'xor'] as const), x, y)), x, y); return;
    case 'inc': case 'dec': {
      const cf = carry();
      b.setFlags(kind, size, keep(b.bin(kind === 'inc' ? 'add' : 'sub', x, b.c(1))), x, b.c(1), cf);
      return;
    }
    case 'shl': case 'shr': case 'sar': {
      const n = shiftCount();
      const mask = size === 1 ? 0xff : 0xffff;
      const shifted = kind === 'shl' || size === 4 ? x
        : kind === 'shr' ? keep(b.bin('and', x, b.c(mask)))
          : keep(b.unary(size === 1 ? 'sext8' : 'sext16', x));
      b.setFlags(kind, size, keep(b.bin(kind, shifted, n)), shifted, n, b.c(0), n);
      return;
    }
    case 'rol': case 'ror': {
      const n = shiftCount();
      const before = keep(b.flagsAll());
      b.setFlags(kind, 4, keep(b.bin(kind, x, n)), x, n, before, n);
      return;
    }
    case 'mul': {
      const high = keep(b.bin('umulhi', x, y));
      b.setFlags('mul', 4, keep(b.bin('mul', x, y)), x, y, keep(b.bin('ne', high, b.c(0))));
      return;
    }
  }
}
