/**
 * Evaluating a lazy-flags thunk at translation time.
 *
 * const-fold uses this to replace `flags.get`/`flags.all` by a constant when
 * the thunk they read was recorded with constant operands. The semantics are
 * exactly the thunk kinds of ir/ops.ts (which follow the SDM); where the SDM
 * leaves a flag undefined the thunk's choice is taken (AF = 0 after logic,
 * shifts and mul; the count-1 formulas of OF for any shift count), because
 * the folded value must equal what codegen's runtime would compute from the
 * same thunk. test/passes/flags-eval.test.ts checks every defined flag
 * against the host CPU through the native harness.
 */
import type { FlagCond, FlagKind, MemSize } from '../ir/types.js';

export const CF = 0x001;
export const PF = 0x004;
export const AF = 0x010;
export const ZF = 0x040;
export const SF = 0x080;
export const OF = 0x800;
/** All six arithmetic flags as EFLAGS bits. */
export const OSZAPC = CF | PF | AF | ZF | SF | OF;

/** Which thunk operands a kind reads (const-fold only needs these to be constant). */
export const THUNK_OPERANDS: { readonly [K in FlagKind]: readonly ('res' | 'a' | 'b' | 'aux')[] } = {
  explicit: ['res'],
  add: ['res', 'a', 'b'],
  adc: ['res', 'a', 'b', 'aux'],
  sub: ['res', 'a', 'b'],
  sbb: ['res', 'a', 'b', 'aux'],
  logic: ['res'],
  inc: ['res', 'a', 'aux'],
  dec: ['res', 'a', 'aux'],
  shl: ['res', 'a', 'b'],
  shr: ['res', 'a', 'b'],
  sar: ['res', 'a', 'b'],
  rol: ['res', 'aux'],
  ror: ['res', 'aux'],
  mul: ['res', 'aux'],
};

/** 1 when the low byte of v has an even number of set bits (x86 PF). */
export function evenParity(v: number): number {
  let x = v & 0xff;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return (~x) & 1;
}

/** OSZAPC (EFLAGS bit positions) of a thunk. Operands are any int32; they are truncated to size here. */
export function evalThunk(kind: FlagKind, size: MemSize, res: number, a: number, b: number, aux: number): number {
  const bits = size * 8;
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  const msb = 2 ** (bits - 1);
  const r = (res & mask) >>> 0;
  const x = (a & mask) >>> 0;
  const y = (b & mask) >>> 0;
  const szp = (r === 0 ? ZF : 0) | (r >= msb ? SF : 0) | (evenParity(r) ? PF : 0);
  const top = (v: number): boolean => (v & msb) !== 0; // v already masked, so & is safe up to bit 31
  const msbSet = (v: number): number => (((v >>> (bits - 1)) & 1));
  const flag = (cond: boolean, bit: number): number => (cond ? bit : 0);
  const arithAf = flag(((x ^ y ^ r) & 0x10) !== 0, AF);
  switch (kind) {
    case 'explicit':
      return res & OSZAPC;
    case 'add':
    case 'adc': {
      const carryIn = kind === 'adc' ? aux & 1 : 0;
      const carry = x + y + carryIn > mask;
      const overflow = msbSet(~(x ^ y) & (x ^ r)) === 1;
      return szp | arithAf | flag(carry, CF) | flag(overflow, OF);
    }
    case 'sub':
    case 'sbb': {
      const borrowIn = kind === 'sbb' ? aux & 1 : 0;
      const borrow = x < y + borrowIn;
      const overflow = msbSet((x ^ y) & (x ^ r)) === 1;
      return szp | arithAf | flag(borrow, CF) | flag(overflow, OF);
    }
    case 'logic':
      return szp;
    case 'inc':
    case 'dec': {
      // b is 1 by definition of the kind; the old CF travels in aux.
      const af = flag(((x ^ 1 ^ r) & 0x10) !== 0, AF);
      const overflow = kind === 'inc' ? r === msb : x === msb;
      return szp | af | flag((aux & 1) !== 0, CF) | flag(overflow, OF);
    }
    case 'shl': {
      const n = y & 31;
      const cf = n === 0 || n > bits ? 0 : (x >>> (bits - n)) & 1;
      return szp | flag(cf === 1, CF) | flag((msbSet(r) ^ cf) === 1, OF);
    }
    case 'shr': {
      const n = y & 31;
      const cf = n === 0 ? 0 : n - 1 >= bits ? 0 : (x >>> (n - 1)) & 1;
      return szp | flag(cf === 1, CF) | flag(top(x), OF);
    }
    case 'sar': {
      const n = y & 31;
      const signed = bits === 32 ? x | 0 : (x << (32 - bits)) >> (32 - bits);
      const cf = n === 0 ? 0 : (signed >> Math.min(n - 1, 31)) & 1;
      return szp | flag(cf === 1, CF);
    }
    case 'rol':
    case 'ror': {
      const cf = kind === 'rol' ? r & 1 : msbSet(r);
      const of = kind === 'rol' ? msbSet(r) ^ cf : msbSet(r) ^ ((r >>> (bits - 2)) & 1);
      return (aux & (SF | ZF | AF | PF)) | flag(cf === 1, CF) | flag(of === 1, OF);
    }
    case 'mul':
      return szp | ((aux & 1) !== 0 ? CF | OF : 0);
  }
}

/** A condition (single flag or x86 cc) from OSZAPC bits, as 0 or 1. */
export function evalCond(cond: FlagCond, f: number): number {
  const cf = f & CF ? 1 : 0, zf = f & ZF ? 1 : 0, sf = f & SF ? 1 : 0;
  const of = f & OF ? 1 : 0, pf = f & PF ? 1 : 0, af = f & AF ? 1 : 0;
  switch (cond) {
    case 'cf': case 'b': return cf;
    case 'ae': return cf ^ 1;
    case 'pf': case 'p': return pf;
    case 'np': return pf ^ 1;
    case 'af': return af;
    case 'zf': case 'e': return zf;
    case 'ne': return zf ^ 1;
    case 'sf': case 's': return sf;
    case 'ns': return sf ^ 1;
    case 'of': case 'o': return of;
    case 'no': return of ^ 1;
    case 'be': return cf | zf;
    case 'a': return (cf | zf) ^ 1;
    case 'l': return sf ^ of;
    case 'ge': return sf ^ of ^ 1;
    case 'le': return zf | (sf ^ of);
    case 'g': return (zf | (sf ^ of)) ^ 1;
  }
}

/** The flags a condition reads. */
export function condFlags(cond: FlagCond): number {
  switch (cond) {
    case 'cf': case 'b': case 'ae': return CF;
    case 'pf': case 'p': case 'np': return PF;
    case 'af': return AF;
    case 'zf': case 'e': case 'ne': return ZF;
    case 'sf': case 's': case 'ns': return SF;
    case 'of': case 'o': case 'no': return OF;
    case 'be': case 'a': return CF | ZF;
    case 'l': case 'ge': return SF | OF;
    case 'le': case 'g': return ZF | SF | OF;
  }
}
