/*
 * flags-eval (the thunk semantics const-fold folds with) against the host
 * CPU: for every thunk kind and size, the matching x86 instruction runs
 * natively in fixtures/native/harness on edge-case and random operands, and
 * every flag the SDM defines for it must equal what evalThunk computes from
 * the thunk the lifter would record for that instruction.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FlagCond, FlagKind, MemSize } from '../../src/ir/types.js';
import { AF, CF, OF, OSZAPC, PF, SF, ZF, evalCond, evalThunk } from '../../src/passes/flags-eval.js';
import { canRunI386 } from '../support/host-i386.js';
import { xorshift32 } from '../support/xorshift32.js';

const harness = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'native', 'harness');
const native = canRunI386();

/** One x86 instruction on AL/AX/EAX with CL/CX/ECX as second operand (or count). */
interface Case {
  kind: FlagKind;
  size: MemSize;
  /** Opcode bytes for sizes 1, 2 (with 66 prefix) and 4. */
  code: readonly [string, string, string];
}

const CASES: Case[] = [
  { kind: 'add', size: 1, code: ['00c8', '6601c8', '01c8'] },
  { kind: 'adc', size: 1, code: ['10c8', '6611c8', '11c8'] },
  { kind: 'sub', size: 1, code: ['28c8', '6629c8', '29c8'] },
  { kind: 'sbb', size: 1, code: ['18c8', '6619c8', '19c8'] },
  { kind: 'logic', size: 1, code: ['30c8', '6631c8', '31c8'] }, // xor
  { kind: 'inc', size: 1, code: ['fec0', '66ffc0', 'ffc0'] },
  { kind: 'dec', size: 1, code: ['fec8', '66ffc8', 'ffc8'] },
  { kind: 'shl', size: 1, code: ['d2e0', '66d3e0', 'd3e0'] },
  { kind: 'shr', size: 1, code: ['d2e8', '66d3e8', 'd3e8'] },
  { kind: 'sar', size: 1, code: ['d2f8', '66d3f8', 'd3f8'] },
  { kind: 'rol', size: 1, code: ['d2c0', '66d3c0', 'd3c0'] },
  { kind: 'ror', size: 1, code: ['d2c8', '66d3c8', 'd3c8'] },
  { kind: 'mul', size: 1, code: ['f6e1', '66f7e1', 'f7e1'] }, // mul cl/cx/ecx: EDX:EAX or AX
];

const EDGES = [0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function* operands(seed: number): Generator<[number, number, number]> {
  const next = xorshift32(seed >>> 0 || 1);
  for (const a of EDGES) for (const b of EDGES) yield [a, b, next()];
  for (let i = 0; i < 300; i++) yield [next(), next() >>> (next() & 31), next()];
}

const hex = (n: number): string => (n >>> 0).toString(16);

interface Run { kind: FlagKind; size: MemSize; a: number; b: number; flagsIn: number; }

/** The thunk the lifter records for the instruction, built from inputs and the CPU's outputs, and the defined flags. */
function thunkFor(r: Run, eax: number, edx: number): { res: number; a: number; b: number; aux: number; defined: number } | null {
  const bits = r.size * 8;
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  const res = eax & mask;
  const cfIn = r.flagsIn & CF;
  switch (r.kind) {
    case 'add': case 'sub': return { res, a: r.a, b: r.b, aux: 0, defined: OSZAPC };
    case 'adc': case 'sbb': return { res, a: r.a, b: r.b, aux: cfIn, defined: OSZAPC };
    case 'logic': return { res, a: r.a, b: r.b, aux: 0, defined: OSZAPC & ~AF };
    case 'inc': case 'dec': return { res, a: r.a, b: 1, aux: cfIn, defined: OSZAPC };
    case 'shl': case 'shr': case 'sar': {
      const n = r.b & 31;
      if (n === 0) return null; // the guard filters it: flags unchanged
      let defined = OSZAPC & ~AF;
      if (n !== 1) defined &= ~OF;
      if (n >= bits && r.kind !== 'sar') defined &= ~CF; // SDM: CF undefined when count >= width
      return { res, a: r.a, b: n, aux: 0, defined };
    }
    case 'rol': case 'ror': {
      const n = r.b & 31;
      if (n === 0) return null;
      return { res, a: r.a, b: n, aux: r.flagsIn, defined: n === 1 ? OSZAPC : OSZAPC & ~OF };
    }
    case 'mul': {
      const high = bits === 8 ? (eax >>> 8) & 0xff : edx & mask;
      return { res, a: r.a, b: r.b, aux: high !== 0 ? 1 : 0, defined: CF | OF };
    }
    default: return null;
  }
}

describe.skipIf(!native)('evalThunk against the host CPU', () => {
  it('agrees on every defined flag for every kind and size', () => {
    const runs: Run[] = [];
    const lines: string[] = [];
    let seed = 12345;
    for (const c of CASES) {
      for (const size of [1, 2, 4] as const) {
        const code = c.code[size === 1 ? 0 : size === 2 ? 1 : 2];
        for (const [a, b, f] of operands(seed++)) {
          const flagsIn = f & OSZAPC;
          runs.push({ kind: c.kind, size, a, b, flagsIn });
          // EAX=a ECX=b, EDX=0 so mul's high half starts clean, ESP in the data region.
          lines.push(`${code} ${hex(a)} ${hex(b)} 0 0 1000f000 0 0 0 ${hex(flagsIn)} 1`);
        }
      }
    }
    const out = spawnSync(harness, [], { input: lines.join('\n') + '\n', maxBuffer: 64 << 20 });
    expect(out.status, String(out.stderr)).toBe(0);
    const results = String(out.stdout).trimEnd().split('\n');
    expect(results).toHaveLength(runs.length);
    const mismatches: string[] = [];
    let compared = 0;
    runs.forEach((r, i) => {
      const f = results[i]!.split(' ').map((w) => parseInt(w, 16));
      const [eax, , edx] = f;
      const hw = f[8]! & OSZAPC;
      const t = thunkFor(r, eax!, edx!);
      if (t === null) return;
      compared++;
      const mine = evalThunk(r.kind, r.size, t.res, t.a, t.b, t.aux);
      if ((mine & t.defined) !== (hw & t.defined)) {
        mismatches.push(`${r.kind}.${r.size * 8} a=${hex(r.a)} b=${hex(r.b)} in=${hex(r.flagsIn)}: cpu ${hex(hw)} mine ${hex(mine)} (defined ${hex(t.defined)})`);
      }
    });
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(compared).toBeGreaterThan(CASES.length * 3 * 250);
  });
});

describe('evalCond', () => {
  // Each cc is defined in the SDM's jcc table in terms of the flags; check all 64 flag combinations.
  const table: Record<string, (f: number) => boolean> = {
    o: (f) => (f & OF) !== 0, no: (f) => (f & OF) === 0,
    b: (f) => (f & CF) !== 0, ae: (f) => (f & CF) === 0,
    e: (f) => (f & ZF) !== 0, ne: (f) => (f & ZF) === 0,
    be: (f) => (f & (CF | ZF)) !== 0, a: (f) => (f & (CF | ZF)) === 0,
    s: (f) => (f & SF) !== 0, ns: (f) => (f & SF) === 0,
    p: (f) => (f & PF) !== 0, np: (f) => (f & PF) === 0,
    l: (f) => ((f & SF) !== 0) !== ((f & OF) !== 0), ge: (f) => ((f & SF) !== 0) === ((f & OF) !== 0),
    le: (f) => (f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0),
    g: (f) => (f & ZF) === 0 && ((f & SF) !== 0) === ((f & OF) !== 0),
    cf: (f) => (f & CF) !== 0, pf: (f) => (f & PF) !== 0, af: (f) => (f & AF) !== 0,
    zf: (f) => (f & ZF) !== 0, sf: (f) => (f & SF) !== 0, of: (f) => (f & OF) !== 0,
  };
  it('matches the SDM condition table for all flag combinations', () => {
    const bits = [CF, PF, AF, ZF, SF, OF];
    for (let m = 0; m < 64; m++) {
      const f = bits.reduce((acc, bit, i) => (m & (1 << i) ? acc | bit : acc), 0);
      for (const [cond, ref] of Object.entries(table)) {
        expect(evalCond(cond as FlagCond, f), `${cond} with ${hex(f)}`).toBe(ref(f) ? 1 : 0);
      }
    }
  });
});
