/**
 * Each IR op compiled by codegen and run, against values computed here
 * independently (BigInt arithmetic, byte-by-byte memory), plus the control
 * ops: emulate (Continue and Leave), raise, exitIf, budget exits, and the
 * thunk passed between blocks.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/codegen/exit-codes.js';
import { div64s, div64sOverflow, div64u, div64uOverflow, HELPER_OUT, smulhi, umulhi } from '../../src/codegen/runtime.js';
import { IrBuilder } from '../../src/ir/builder.js';
import type { BinaryOpName, UnaryOpName } from '../../src/ir/types.js';
import { VMM_ROUTINES, VmmResult } from '../../src/vmm-interface/interface.js';
import { TestMachine } from './harness.js';

const B = BigInt;
const u32 = (x: bigint): number => Number(BigInt.asUintN(32, x));
const i32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

const BINARY_ORACLE: Record<BinaryOpName, (a: number, b: number) => number> = {
  add: (a, b) => i32(B(a) + B(b)),
  sub: (a, b) => i32(B(a) - B(b)),
  mul: (a, b) => i32(B(a) * B(b)),
  and: (a, b) => i32(B(a) & B(b)),
  or: (a, b) => i32(B(a) | B(b)),
  xor: (a, b) => i32(B(a) ^ B(b)),
  shl: (a, b) => i32(B(a) << B(b & 31)),
  shr: (a, b) => i32(B(a >>> 0) >> B(b & 31)),
  sar: (a, b) => i32(B(a | 0) >> B(b & 31)),
  rol: (a, b) => { const k = B(b & 31), x = B(a >>> 0); return i32((x << k) | (x >> (32n - k))); },
  ror: (a, b) => { const k = B(b & 31), x = B(a >>> 0); return i32((x >> k) | (x << (32n - k))); },
  umulhi: (a, b) => i32((B(a >>> 0) * B(b >>> 0)) >> 32n),
  smulhi: (a, b) => i32((B(a | 0) * B(b | 0)) >> 32n),
  eq: (a, b) => ((a | 0) === (b | 0) ? 1 : 0),
  ne: (a, b) => ((a | 0) !== (b | 0) ? 1 : 0),
  ltu: (a, b) => (a >>> 0 < b >>> 0 ? 1 : 0),
  leu: (a, b) => (a >>> 0 <= b >>> 0 ? 1 : 0),
  lts: (a, b) => ((a | 0) < (b | 0) ? 1 : 0),
  les: (a, b) => ((a | 0) <= (b | 0) ? 1 : 0),
};

function popcount8(x: number): number {
  let n = 0;
  for (let i = 0; i < 8; i++) n += (x >> i) & 1;
  return n;
}

const UNARY_ORACLE: Record<UnaryOpName, (a: number) => number> = {
  not: (a) => i32(~B(a)),
  neg: (a) => i32(-B(a)),
  sext8: (a) => i32(B.asIntN(8, B(a))),
  sext16: (a) => i32(B.asIntN(16, B(a))),
  zext8: (a) => a & 0xff,
  zext16: (a) => a & 0xffff,
  bswap: (a) => i32(B(((a & 0xff) << 24) >>> 0) | B(((a >>> 8) & 0xff) << 16) | B(((a >>> 16) & 0xff) << 8) | B(a >>> 24)),
  parity: (a) => (popcount8(a & 0xff) % 2 === 0 ? 1 : 0),
};

const EDGE = [0, 1, -1, 2, 31, 32, 33, 0x7f, 0x80, 0xff, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678];
const arb32 = fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.constantFrom(...EDGE));

describe('binary and unary ops', () => {
  for (const name of Object.keys(BINARY_ORACLE) as BinaryOpName[]) {
    test(name, () => {
      const m = new TestMachine();
      const b = new IrBuilder(0x1000, 0);
      b.insn(0x1000, 1, name);
      b.putGpr(1, b.bin(name, b.gpr(0), b.gpr(3)));
      const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
      fc.assert(fc.property(arb32, arb32, (x, y) => {
        m.cpu.regs[0] = x;
        m.cpu.regs[3] = y;
        region.run();
        return m.cpu.regs[1] === BINARY_ORACLE[name](x, y);
      }), { numRuns: 400 });
    });
  }
  for (const name of Object.keys(UNARY_ORACLE) as UnaryOpName[]) {
    test(name, () => {
      const m = new TestMachine();
      const b = new IrBuilder(0x1000, 0);
      b.insn(0x1000, 1, name);
      b.putGpr(1, b.unary(name, b.gpr(0)));
      const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
      fc.assert(fc.property(arb32, (x) => {
        m.cpu.regs[0] = x;
        region.run();
        return m.cpu.regs[1] === UNARY_ORACLE[name](x);
      }), { numRuns: 300 });
    });
  }

  test('constant operands, including negative ones, and select', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 1, 'x');
    const x = b.gpr(0);
    b.putGpr(1, b.bin('sub', b.c(-5), x));
    b.putGpr(2, b.unary('neg', b.c(-7)));
    b.putGpr(3, b.select(x, b.c(-1), b.c(9)));
    const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
    m.cpu.regs[0] = 3;
    region.run();
    expect([m.cpu.regs[1], m.cpu.regs[2], m.cpu.regs[3]]).toEqual([-8, 7, -1]);
    m.cpu.regs[0] = 0;
    region.run();
    expect(m.cpu.regs[3]).toBe(9);
  });
});

describe('runtime helpers against BigInt', () => {
  const arbHiLoD = fc.tuple(arb32, arb32, arb32.filter((d) => d !== 0));
  test('div64u: quotient and remainder (and low quotient bits on overflow)', () => {
    fc.assert(fc.property(arbHiLoD, ([hi, lo, d]) => {
      const n = (B(hi >>> 0) << 32n) | B(lo >>> 0), dv = B(d >>> 0);
      const q = div64u(hi, lo, d), r = HELPER_OUT.second;
      const overflow = n / dv > 0xffffffffn;
      return q === i32(n / dv) && r === i32(n % dv) && div64uOverflow(hi, lo, d) === (overflow ? 1 : 0);
    }), { numRuns: 3000 });
  });
  test('div64s: truncating quotient, remainder with the dividend sign, overflow', () => {
    const cases = fc.oneof(arbHiLoD, fc.tuple(fc.integer({ min: -1, max: 0 }), arb32, arb32.filter((d) => d !== 0)));
    fc.assert(fc.property(cases, ([hi, lo, d]) => {
      const n = BigInt.asIntN(64, (B(hi >>> 0) << 32n) | B(lo >>> 0)), dv = B(d | 0);
      const qTrue = n / dv, rTrue = n % dv;
      const q = div64s(hi, lo, d), r = HELPER_OUT.second;
      const overflow = qTrue > 0x7fffffffn || qTrue < -0x80000000n;
      if (div64sOverflow(hi, lo, d) !== (overflow ? 1 : 0)) return false;
      return overflow || (q === Number(qTrue) && r === Number(rTrue));
    }), { numRuns: 3000 });
    expect(div64sOverflow(-1, -0x80000000, -1)).toBe(1); // 0xFFFFFFFF80000000 / -1 = 2^31
    expect(div64sOverflow(-1, -0x80000000, 1)).toBe(0); // = -2^31 fits
  });
  test('umulhi and smulhi', () => {
    fc.assert(fc.property(arb32, arb32, (a, b) =>
      umulhi(a, b) === BINARY_ORACLE.umulhi(a, b) && smulhi(a, b) === BINARY_ORACLE.smulhi(a, b)), { numRuns: 3000 });
  });
  test('helper op through codegen: two results', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 2, 'div ecx');
    const [q, r] = b.helper('div64u', [b.gpr(2), b.gpr(0), b.gpr(1)], 2);
    b.putGpr(0, q);
    b.putGpr(2, r!);
    const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
    m.cpu.regs.set([1000003, 7, 0]);
    region.run();
    expect([m.cpu.regs[0], m.cpu.regs[2]]).toEqual([Math.floor(1000003 / 7), 1000003 % 7]);
  });
});

describe('memory access', () => {
  test('every size, aligned and not, round-trips through RAM little-endian', () => {
    const m = new TestMachine(0x10000);
    for (const size of [1, 2, 4] as const) {
      const b = new IrBuilder(0x1000, 0);
      b.insn(0x1000, 1, 'mov [ebx], eax; mov ecx, [esi]');
      b.store(size, b.gpr(3), b.gpr(0));
      b.putGpr(1, b.load(size, b.gpr(6)));
      const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
      for (const addr of [0x100, 0x101, 0x102, 0x103, 0xfffc, 0xfffe, 0xffff]) {
        if (addr + size > 0x10000) continue;
        m.mem.bytes.fill(0);
        m.cpu.regs.set([0x89abcdef | 0, 0, 0, addr, 0, 0, addr]);
        region.run();
        const bytes = Array.from(m.mem.bytes.slice(addr, addr + size));
        expect(bytes).toEqual([0xef, 0xcd, 0xab, 0x89].slice(0, size));
        expect(m.cpu.regs[1]).toBe(size === 4 ? 0x89abcdef | 0 : size === 2 ? 0xcdef : 0xef);
      }
    }
  });

  // A power-of-two RAM size lets the emitter test alignment and bounds with one mask; other sizes use two compares.
  test.each([0x10000, 0x11000])('loads at the end of RAM and far beyond it, RAM size %i', (ramSize) => {
    const m = new TestMachine(ramSize);
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 1, 'x');
    b.putGpr(1, b.load(4, b.gpr(6)));
    b.putGpr(2, b.load(2, b.gpr(6)));
    const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
    for (let i = 0; i < 8; i++) m.mem.bytes[ramSize - 8 + i] = 0x10 + i;
    m.mem.bytes[0] = 0x5a;
    const byteAt = (a: number) => (a >>> 0 < ramSize ? m.mem.bytes[a >>> 0]! : 0xff);
    const expected = (a: number, size: number) => {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + byteAt(a + i);
      return v;
    };
    for (const addr of [ramSize - 8, ramSize - 6, ramSize - 4, ramSize - 3, ramSize - 2, ramSize, ramSize + 4, ramSize * 2, 0x8000_0000, 0xffff_fffc, 0xffff_fffe]) {
      m.cpu.regs.set([0, 0, 0, 0, 0, 0, addr | 0]);
      region.run();
      expect([addr, m.cpu.regs[1]! >>> 0, m.cpu.regs[2]]).toEqual([addr, expected(addr, 4), expected(addr, 2)]);
    }
  });

  test('outside RAM: reads give 0xFF per byte, writes are dropped, straddling accesses split', () => {
    const m = new TestMachine(0x10000);
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 1, 'x');
    b.store(4, b.gpr(3), b.gpr(0));
    b.putGpr(1, b.load(4, b.gpr(6)));
    b.putGpr(2, b.load(2, b.gpr(7)));
    const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
    m.mem.bytes[0xfffe] = 0x11;
    m.mem.bytes[0xffff] = 0x22;
    m.cpu.regs.set([0x55667788, 0, 0, 0xfffe, 0, 0, 0xffff, 0x20000]);
    region.run();
    // The store kept 88 77 at fffe..ffff and dropped the rest; the load reads 77 then three open-bus bytes.
    expect(Array.from(m.mem.bytes.slice(0xfffe))).toEqual([0x88, 0x77]);
    expect(m.cpu.regs[1]! >>> 0).toBe(0xffffff77);
    expect(m.cpu.regs[2]).toBe(0xffff);
  });
});
