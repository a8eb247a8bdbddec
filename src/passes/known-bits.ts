/**
 * Known bits of temps, for const-fold.
 *
 * For each temp const-fold keeps two masks: bits known to be 0 and bits
 * known to be 1 (as in LLVM's KnownBits). They come from constants, masks,
 * shifts by constants, comparisons (0 or 1), zero-extending loads and the
 * like, and they let const-fold see through the lifter's 8- and 16-bit
 * register merges: `and (or (and x, 0xffffff00), 0x12), 0xff` has every bit
 * known and is the constant 0x12; `and x, 0xffff` is x when x's upper half
 * is already known to be zero. Every rule is exact for int32 values; an op
 * with no rule here simply knows nothing.
 */
import type { Op, Value } from '../ir/types.js';
import { evalBinary, evalUnary } from './op-eval.js';

export class KnownBits {
  private readonly zeros: Int32Array;
  private readonly ones: Int32Array;

  constructor(tempCount: number) {
    this.zeros = new Int32Array(tempCount);
    this.ones = new Int32Array(tempCount);
  }

  /** Bits of v known to be 0. */
  zero(v: Value): number {
    return v.kind === 'const' ? ~v.value : this.zeros[v.id]!;
  }

  /** Bits of v known to be 1. */
  one(v: Value): number {
    return v.kind === 'const' ? v.value : this.ones[v.id]!;
  }

  /** The value when every bit is known, else null. */
  constantOf(id: number): number | null {
    return (this.zeros[id]! | this.ones[id]!) === -1 ? this.ones[id]! : null;
  }

  /** True when v is 0 or 1. */
  isBoolean(v: Value): boolean {
    return (~this.zero(v) & ~1) === 0;
  }

  /** Record what op's result is known to hold (op's inputs already substituted). */
  record(op: Op): void {
    switch (op.op) {
      case 'binary': return this.set(op.dst.id, ...this.binary(op));
      case 'unary': return this.set(op.dst.id, ...this.unary(op));
      case 'select': return this.set(op.dst.id, this.zero(op.a) & this.zero(op.b), this.one(op.a) & this.one(op.b));
      case 'load': return this.set(op.dst.id, op.size === 4 ? 0 : op.size === 2 ? ~0xffff : ~0xff, 0);
      case 'flags.get': return this.set(op.dst.id, ~1, 0);
      case 'flags.all': return this.set(op.dst.id, ~0x8d5, 0); // OSZAPC only
      default: return;
    }
  }

  private set(id: number, zero: number, one: number): void {
    this.zeros[id] = zero;
    this.ones[id] = one;
  }

  private binary(op: Extract<Op, { op: 'binary' }>): [number, number] {
    const za = this.zero(op.a), oa = this.one(op.a), zb = this.zero(op.b), ob = this.one(op.b);
    const n = op.b.kind === 'const' ? op.b.value & 31 : -1;
    switch (op.name) {
      case 'and': return [za | zb, oa & ob];
      case 'or': return [za & zb, oa | ob];
      case 'xor': return [(za & zb) | (oa & ob), (za & ob) | (oa & zb)];
      case 'shl': return n < 0 ? [0, 0] : [(za << n) | ((1 << n) - 1), oa << n];
      case 'shr': return n < 0 ? [0, 0] : [(za >>> n) | ~(-1 >>> n), oa >>> n];
      // These only move and copy bits, so what is known moves with them: the op applied to each mask.
      case 'sar': case 'rol': case 'ror': return n < 0 ? [0, 0] : [evalBinary(op.name, za, n), evalBinary(op.name, oa, n)];
      case 'eq': case 'ne': case 'ltu': case 'leu': case 'lts': case 'les': return [~1, 0];
      default: return [0, 0];
    }
  }

  private unary(op: Extract<Op, { op: 'unary' }>): [number, number] {
    const z = this.zero(op.a), o = this.one(op.a);
    switch (op.name) {
      case 'not': return [o, z];
      case 'zext8': return [z | ~0xff, o & 0xff];
      case 'zext16': return [z | ~0xffff, o & 0xffff];
      // Bit moves and sign copies (see binary's sar/rol/ror).
      case 'sext8': case 'sext16': case 'bswap': return [evalUnary(op.name, z), evalUnary(op.name, o)];
      case 'parity': return [~1, 0];
      case 'neg': return [0, 0];
    }
  }
}
