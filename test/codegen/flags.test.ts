/**
 * The lazy-flags semantics (src/state/flags-thunk.ts) against the host CPU.
 *
 * For every thunk kind and width, the equivalent instruction (add al,cl;
 * sbb ax,cx; shl eax,cl; …) runs on silicon through the native harness
 * (fixtures/native/harness) with many operand pairs. The thunk for the same
 * operands — its result computed here by plain arithmetic, as the lifter
 * would — then goes through both compiled forms: the runtime materialiser
 * `flagsOf` and the inline expressions codegen emits (`condExpr` for all 16
 * conditions, `allFlagsExpr`) — and the per-condition materialisers
 * `CONDS` generated code calls when a thunk's kind is only known at run
 * time. Only flags the SDM defines for the
 * instruction are compared.
 */
import { describe, expect, test } from 'vitest';
import { allFlagsExpr, AF, CF, condExpr, CONDS, flagsOf, OF, OSZAPC, PARITY, PF, SF, ZF } from '../../src/state/flags-thunk.js';
import { CONDITION_CODES } from '../../src/ir/ops.js';
import type { FlagKind, MemSize } from '../../src/ir/types.js';
import { haveHarness, runNative } from '../support/native-harness.js';
import { xorshift32 } from '../support/xorshift32.js';

interface Case {
  kind: FlagKind;
  size: MemSize;
  a: number;
  b: number;
  cfIn: number;
  code: string;
}

const OPCODES: Partial<Record<FlagKind, [string, string]>> = {
  // [8-bit, 16/32-bit] encodings with eax as destination, ecx (cl) as source
  add: ['00c8', '01c8'], adc: ['10c8', '11c8'], sub: ['28c8', '29c8'], sbb: ['18c8', '19c8'],
  logic: ['20c8', '21c8'], inc: ['fec0', '40'], dec: ['fec8', '48'],
  shl: ['d2e0', 'd3e0'], shr: ['d2e8', 'd3e8'], sar: ['d2f8', 'd3f8'], rol: ['d2c0', 'd3c0'], ror: ['d2c8', 'd3c8'],
  mul: ['f6e1', 'f7e1'],
};

function encode(kind: FlagKind, size: MemSize): string {
  const [b8, wide] = OPCODES[kind]!;
  return size === 1 ? b8 : size === 2 ? '66' + wide : wide;
}

const SPECIAL = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];


function cases(): Case[] {
  const out: Case[] = [];
  const next = xorshift32(0x9e3779b9);
  for (const kind of Object.keys(OPCODES) as FlagKind[]) {
    for (const size of [1, 2, 4] as const) {
      const code = encode(kind, size);
      const shifts = ['shl', 'shr', 'sar', 'rol', 'ror'].includes(kind);
      const pairs: [number, number][] = [];
      for (const a of SPECIAL) for (const b of SPECIAL) pairs.push([a, b]);
      for (let i = 0; i < 120; i++) {
        // Random values, sometimes with small magnitudes so carries and overflows are near.
        const r = next();
        pairs.push([r & 1 ? next() : next() & 0x1ff, r & 2 ? next() : (next() & 0x1ff) - 0x100]);
      }
      for (const [a, b0] of pairs) {
        const b = shifts ? ((b0 & 31) || 1) : b0 >>> 0;
        for (const cfIn of kind === 'adc' || kind === 'sbb' || kind === 'inc' || kind === 'dec' ? [0, 1] : [0]) {
          out.push({ kind, size, a: a >>> 0, b, cfIn, code });
        }
      }
      if (shifts) {
        // Every count for a few values, including counts at and beyond the width.
        for (const a of [0x81, 0x8001, 0x80000001, 0xdeadbeef, 0x5a]) {
          for (let c = 1; c < 32; c++) out.push({ kind, size, a, b: c, cfIn: 1, code });
        }
      }
    }
  }
  return out;
}

const hx = (n: number): string => (n >>> 0).toString(16);

/** Each case on the host CPU through the harness; returns EFLAGS after it. */
function nativeFlags(cs: Case[]): number[] {
  // Input flags: CF as the case asks, plus SF/ZF/AF/PF set so "unchanged" flags (rol/ror) are visible.
  const lines = runNative(cs.map((c) => ({
    code: Uint8Array.from(Buffer.from(c.code, 'hex')),
    input: { regs: [c.a, c.b, 0, 0, 0x1000f000, 0, 0, 0], eflags: 0xd4 | c.cfIn, seed: 1 },
  })));
  return lines.map((l, i) => {
    const f = l.split(' ');
    if (f[0] === 'FAULT') throw new Error(`native case ${cs[i]!.code} a=${cs[i]!.a} b=${cs[i]!.b} -> ${l}`);
    return parseInt(f[8]!, 16);
  });
}

const mask = (size: MemSize): number => (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1);
const sext = (v: number, size: MemSize): number => (size === 4 ? v | 0 : (v << (32 - size * 8)) >> (32 - size * 8));

/** The thunk the lifter would record for the case (res computed independently of flags.ts). */
function thunkOf(c: Case): { res: number; a: number; b: number; aux: number } {
  const { a, b, size } = c;
  const flagsIn = 0xd4 | c.cfIn;
  switch (c.kind) {
    case 'add': return { res: (a + b) | 0, a, b, aux: 0 };
    case 'adc': return { res: (a + b + c.cfIn) | 0, a, b, aux: c.cfIn };
    case 'sub': return { res: (a - b) | 0, a, b, aux: 0 };
    case 'sbb': return { res: (a - b - c.cfIn) | 0, a, b, aux: c.cfIn };
    case 'logic': return { res: a & b, a, b, aux: 0 };
    case 'inc': return { res: (a + 1) | 0, a, b: 1, aux: c.cfIn };
    case 'dec': return { res: (a - 1) | 0, a, b: 1, aux: c.cfIn };
    case 'shl': return { res: a << b, a, b, aux: 0 };
    case 'shr': return { res: ((a & mask(size)) >>> b) | 0, a, b, aux: 0 };
    case 'sar': return { res: sext(a, size) >> b, a, b, aux: 0 };
    case 'rol': case 'ror': {
      const n = size * 8;
      const k = size === 4 ? b : b % n;
      const v = a & mask(size);
      const r = k === 0 ? v : c.kind === 'rol' ? ((v << k) | (v >>> (n - k))) & mask(size) : ((v >>> k) | (v << (n - k))) & mask(size);
      return { res: r | 0, a, b, aux: flagsIn };
    }
    case 'mul': {
      const x = (a & mask(size)) >>> 0, y = (b & mask(size)) >>> 0;
      const full = BigInt(x) * BigInt(y);
      const high = Number(full >> BigInt(size * 8));
      return { res: Number(full & BigInt(mask(size))) | 0, a, b, aux: high !== 0 ? 1 : 0 };
    }
    default: throw new Error(c.kind);
  }
}

/** The flags the SDM defines for this case. */
function definedMask(c: Case): number {
  const n = c.size * 8;
  switch (c.kind) {
    case 'logic': return OSZAPC & ~AF;
    case 'mul': return CF | OF;
    case 'shl': case 'shr': {
      let m = CF | SF | ZF | PF | (c.b === 1 ? OF : 0);
      if (c.b >= n) m &= ~CF;
      return m;
    }
    case 'sar': return CF | SF | ZF | PF | (c.b === 1 ? OF : 0);
    case 'rol': case 'ror': return CF | SF | ZF | PF | AF | (c.b === 1 ? OF : 0);
    default: return OSZAPC;
  }
}

function conditionsFromFlags(f: number): number {
  const cf = !!(f & CF), pf = !!(f & PF), zf = !!(f & ZF), sf = !!(f & SF), of = !!(f & OF);
  const v = [of, !of, cf, !cf, zf, !zf, cf || zf, !(cf || zf), sf, !sf, pf, !pf, sf !== of, sf === of, zf || sf !== of, !(zf || sf !== of)];
  return v.reduce((acc, bit, i) => acc | (bit ? 1 << i : 0), 0);
}

/** Which conditions depend only on defined flags. */
function definedConditions(m: number): number {
  const deps = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];
  return deps.reduce((acc, d, i) => acc | ((d & m) === d ? 1 << i : 0), 0);
}

type Inline = (res: number, a: number, b: number, aux: number) => number;
const inlineCache = new Map<string, { conds: Inline; all: Inline }>();

/** The inline forms codegen emits, compiled for one kind and size. */
function inlineFor(kind: FlagKind, size: MemSize): { conds: Inline; all: Inline } {
  const key = kind + size;
  let f = inlineCache.get(key);
  if (!f) {
    const names = { res: 'res', a: 'a', b: 'b', aux: 'aux' };
    const bits = CONDITION_CODES.map((cc, i) => `(${condExpr(kind, size, names, cc)} ? ${1 << i} : 0)`).join(' | ');
    f = {
      conds: new Function('PAR', `return (res, a, b, aux) => ${bits};`)(PARITY) as Inline,
      all: new Function('PAR', `return (res, a, b, aux) => ${allFlagsExpr(kind, size, names)};`)(PARITY) as Inline,
    };
    inlineCache.set(key, f);
  }
  return f;
}

const KIND_NUMBER: Record<FlagKind, number> = {
  explicit: 0, add: 1, adc: 2, sub: 3, sbb: 4, logic: 5, inc: 6, dec: 7, shl: 8, shr: 9, sar: 10, rol: 11, ror: 12, mul: 13,
};

describe.skipIf(!haveHarness())('flags thunk vs host CPU', () => {
  const all = cases();
  const native = haveHarness() ? nativeFlags(all) : [];

  test(`${all.length} cases over every kind and width`, () => {
    const failures: string[] = [];
    all.forEach((c, i) => {
      const t = thunkOf(c);
      const want = native[i]! & OSZAPC;
      const m = definedMask(c);
      const runtime = flagsOf(KIND_NUMBER[c.kind], c.size, t.res, t.a, t.b, t.aux);
      const inl = inlineFor(c.kind, c.size);
      const inlineAll = inl.all(t.res, t.a, t.b, t.aux);
      const cm = definedConditions(m);
      const conds = inl.conds(t.res, t.a, t.b, t.aux);
      const op = KIND_NUMBER[c.kind];
      const perCond = CONDITION_CODES.reduce((acc, cc, k) => acc | (CONDS[cc](op, c.size, t.res, t.a, t.b, t.aux) ? 1 << k : 0), 0);
      const label = `${c.kind}.${c.size * 8} a=${hx(c.a)} b=${hx(c.b)} cf=${c.cfIn}`;
      if ((runtime & m) !== (want & m)) failures.push(`${label}: flagsOf ${hx(runtime)} native ${hx(want)} (mask ${hx(m)})`);
      if (inlineAll !== runtime) failures.push(`${label}: inline all ${hx(inlineAll)} vs flagsOf ${hx(runtime)}`);
      if ((conds & cm) !== (conditionsFromFlags(want) & cm)) {
        failures.push(`${label}: conditions ${hx(conds)} native ${hx(conditionsFromFlags(want))} (mask ${hx(cm)})`);
      }
      if ((perCond & cm) !== (conditionsFromFlags(want) & cm)) {
        failures.push(`${label}: per-condition materialisers ${hx(perCond)} native ${hx(conditionsFromFlags(want))} (mask ${hx(cm)})`);
      }
    });
    expect(failures.slice(0, 20)).toEqual([]);
  });

  test('every kind and width was exercised', () => {
    const seen = new Set(all.map((c) => c.kind + c.size));
    expect(seen.size).toBe(13 * 3);
  });
});

test('explicit thunks read their flags straight from res', () => {
  for (let bits = 0; bits < 0x1000; bits += 0x11) {
    expect(flagsOf(0, 4, bits, 0, 0, 0)).toBe(bits & OSZAPC);
    const conds = inlineFor('explicit', 4).conds(bits, 0, 0, 0);
    expect(conds).toBe(conditionsFromFlags(bits));
    const perCond = CONDITION_CODES.reduce((acc, cc, k) => acc | (CONDS[cc](0, 4, bits, 0, 0, 0) ? 1 << k : 0), 0);
    expect(perCond).toBe(conditionsFromFlags(bits));
  }
});
