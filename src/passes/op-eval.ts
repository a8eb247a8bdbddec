/**
 * Evaluating pure IR ops on constants, for const-fold.
 *
 * Every IR value is an int32, and these functions are the op table's
 * meaning written out (docs/ir.md lists the same rules): shift and rotate
 * counts are taken mod 32, comparisons give 0 or 1, umulhi/smulhi are the
 * high half of the 64-bit product. The results are normalised with `|0`,
 * as every Const is.
 */
import type { BinaryOpName, HelperName, UnaryOpName } from '../ir/types.js';
import { evenParity } from './flags-eval.js';

export function evalUnary(name: UnaryOpName, a: number): number {
  switch (name) {
    case 'not': return ~a;
    case 'neg': return -a | 0;
    case 'sext8': return (a << 24) >> 24;
    case 'sext16': return (a << 16) >> 16;
    case 'zext8': return a & 0xff;
    case 'zext16': return a & 0xffff;
    case 'bswap': return ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
    case 'parity': return evenParity(a);
  }
}

export function evalBinary(name: BinaryOpName, a: number, b: number): number {
  switch (name) {
    case 'add': return (a + b) | 0;
    case 'sub': return (a - b) | 0;
    case 'mul': return Math.imul(a, b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return a << (b & 31);
    case 'shr': return (a >>> (b & 31)) | 0;
    case 'sar': return a >> (b & 31);
    case 'rol': { const n = b & 31; return n === 0 ? a | 0 : (a << n) | (a >>> (32 - n)); }
    case 'ror': { const n = b & 31; return n === 0 ? a | 0 : (a >>> n) | (a << (32 - n)); }
    case 'umulhi': return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n) | 0;
    case 'smulhi': return Number(BigInt.asIntN(32, (BigInt(a | 0) * BigInt(b | 0)) >> 32n));
    case 'eq': return a === b ? 1 : 0;
    case 'ne': return a !== b ? 1 : 0;
    case 'ltu': return a >>> 0 < b >>> 0 ? 1 : 0;
    case 'leu': return a >>> 0 <= b >>> 0 ? 1 : 0;
    case 'lts': return (a | 0) < (b | 0) ? 1 : 0;
    case 'les': return (a | 0) <= (b | 0) ? 1 : 0;
  }
}

/**
 * A helper on constant arguments, or null when folding is not allowed: a
 * zero divisor or an overflowing quotient, whose results the block never
 * uses (the lifter raises #DE first) and whose runtime values codegen does
 * not define.
 */
export function evalHelper(name: HelperName, args: readonly number[]): [number, number] | null {
  const [hi = 0, lo = 0, divisor = 0] = args;
  if (divisor === 0) return null;
  const signed = name === 'div64s' || name === 'div64sOverflow';
  const dividend = signed
    ? (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0)
    : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const d = signed ? BigInt(divisor | 0) : BigInt(divisor >>> 0);
  const q = dividend / d; // BigInt division truncates toward zero, as idiv does
  const r = dividend % d; // and the remainder takes the dividend's sign, as idiv's does
  const overflow = signed ? q < -(2n ** 31n) || q >= 2n ** 31n : q >= 2n ** 32n;
  switch (name) {
    case 'div64uOverflow': case 'div64sOverflow':
      return [overflow ? 1 : 0, 0];
    case 'div64u': case 'div64s':
      return overflow ? null : [Number(BigInt.asIntN(32, q)), Number(BigInt.asIntN(32, r))];
  }
}
