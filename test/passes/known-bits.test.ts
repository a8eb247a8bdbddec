/*
 * Soundness of every known-bits rule: an input whose bits under mask m are
 * fixed to those of x (and free elsewhere) is built in IR as
 * `or (and (get), ~m), x & m`; for each op, whatever the free bits are, the
 * concrete result (computed here with plain JS) must agree with every bit
 * KnownBits claims to know.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IrBuilder } from '../../src/ir/builder.js';
import type { BinaryOpName, Op, Temp, UnaryOpName } from '../../src/ir/types.js';
import { KnownBits } from '../../src/passes/known-bits.js';

const u32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });

/** Builds a temp with the given known bits; returns a function for its concrete value given the free bits. */
function partial(b: IrBuilder, bits: KnownBits, x: number, m: number): { t: Temp; value: (free: number) => number } {
  const free = b.gpr(0);
  const masked = b.bin('and', free, b.c(~m));
  const t = b.bin('or', masked, b.c(x & m));
  for (const op of b.ops.slice(-2)) bits.record(op);
  return { t, value: (f) => (f & ~m) | (x & m) };
}

const BIN: Record<string, (a: number, c: number) => number> = {
  and: (a, c) => a & c, or: (a, c) => a | c, xor: (a, c) => a ^ c,
  shl: (a, c) => a << (c & 31), shr: (a, c) => (a >>> (c & 31)) | 0, sar: (a, c) => a >> (c & 31),
  rol: (a, c) => ((a << (c & 31)) | (a >>> ((32 - (c & 31)) & 31))) | 0,
  ror: (a, c) => ((a >>> (c & 31)) | (a << ((32 - (c & 31)) & 31))) | 0,
  eq: (a, c) => +(a === c), ne: (a, c) => +(a !== c), ltu: (a, c) => +(a >>> 0 < c >>> 0),
  leu: (a, c) => +(a >>> 0 <= c >>> 0), lts: (a, c) => +(a < c), les: (a, c) => +(a <= c),
  add: (a, c) => (a + c) | 0, mul: (a, c) => Math.imul(a, c),
};
const UN: Record<string, (a: number) => number> = {
  not: (a) => ~a, zext8: (a) => a & 0xff, zext16: (a) => a & 0xffff, sext8: (a) => (a << 24) >> 24,
  sext16: (a) => (a << 16) >> 16, parity: (a) => { let p = 1; for (let i = 0; i < 8; i++) p ^= (a >>> i) & 1; return p; },
  bswap: (a) => ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24), neg: (a) => -a | 0,
};

function agrees(bits: KnownBits, dst: Temp, actual: number): boolean {
  const t: Temp = dst;
  return (bits.zero(t) & actual) === 0 && (bits.one(t) & ~actual) === 0;
}

describe('KnownBits rules are sound', () => {
  it.each(Object.keys(BIN))('binary %s', (name) => {
    fc.assert(fc.property(u32, u32, u32, u32, u32, u32, fc.boolean(), (x, m, y, n, fa, fb, constB) => {
      const b = new IrBuilder(0, 0);
      const bits = new KnownBits(64);
      const A = partial(b, bits, x, m);
      // The count of a shift or rotate is a constant when known bits are used; try both forms.
      const B = constB ? null : partial(b, bits, y, n);
      const bv = constB ? y : B!.value(fb);
      const dst = b.bin(name as BinaryOpName, A.t, constB ? b.c(y) : B!.t);
      bits.record(b.ops.at(-1) as Op);
      return agrees(bits, dst, BIN[name]!(A.value(fa), bv));
    }), { numRuns: 400 });
  });

  it.each(Object.keys(UN))('unary %s', (name) => {
    fc.assert(fc.property(u32, u32, u32, (x, m, f) => {
      const b = new IrBuilder(0, 0);
      const bits = new KnownBits(64);
      const A = partial(b, bits, x, m);
      const dst = b.unary(name as UnaryOpName, A.t);
      bits.record(b.ops.at(-1) as Op);
      return agrees(bits, dst, UN[name]!(A.value(f)));
    }), { numRuns: 400 });
  });

  it('knows a fully fixed input exactly (the rules do propagate, not just stay silent)', () => {
    const b = new IrBuilder(0, 0);
    const bits = new KnownBits(64);
    const A = partial(b, bits, 0x1234, -1);
    const dst = b.bin('shl', A.t, b.c(4));
    bits.record(b.ops.at(-1) as Op);
    expect(bits.constantOf(dst.id)).toBe(0x12340);
    const s = b.unary('sext8', A.t);
    bits.record(b.ops.at(-1) as Op);
    expect(bits.constantOf(s.id)).toBe(0x34);
  });
});
