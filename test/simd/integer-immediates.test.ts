/**
 * The integer SIMD rows whose result depends on a small number — the
 * immediate of the shuffles, pinsrw/pextrw and the shift groups, or the
 * count a shift takes from B's low quadword — against the host CPU for EVERY
 * such number: all 256 immediates, and every count from 0 to 130 plus counts
 * with only high bits set. The shared differential test
 * (forms-differential.test.ts) draws these at random; here the edges (count
 * = lane width − 1, width, 64; imm > 15 for the byte shifts; the index bits
 * pinsrw/pextrw ignore) are each hit by construction.
 *
 * Register forms only (the memory forms are the differential test's); A is
 * register 0 (ModRM.rm for the group rows), B register 1, GPRs EAX and ECX.
 */
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../src/simd/integer/forms.js';
import { Prefix, Reg, type SimdForm } from '../../src/simd/simd-form.js';
import { MXCSR_DEFAULT, SimdScratch } from '../../src/simd/simd-scratch.js';
import { haveSseOracle, runSse, SSE_ORACLE_MISSING, SseBatch } from '../support/sse-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';

const ok = haveSseOracle();
if (!ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);

/** Operand sets per immediate or count. */
const SETS = 3;
const PREFIX_BYTE = [0, 0x66, 0xf3, 0xf2];

interface Case {
  readonly form: SimdForm;
  readonly imm: number;
  /** B's low quadword for the count-from-B shifts (lo, hi), else null. */
  readonly count: readonly [number, number] | null;
}

function encode(f: SimdForm, imm: number): number[] {
  const bytes = f.prefix === Prefix.NONE ? [] : [PREFIX_BYTE[f.prefix]];
  bytes.push(0x0f, f.opcode, f.reg >= 0 ? 0xc0 | (f.reg << 3) : 0xc1);
  if (f.imm) bytes.push(imm);
  return bytes;
}

const isCountShift = (f: SimdForm): boolean => f.reg < 0 && !f.imm && /^ps(ll|rl|ra)[wdq]$/.test(f.mnemonic);

function cases(): Case[] {
  const out: Case[] = [];
  for (const form of FORMS) {
    for (let s = 0; s < SETS; s++) {
      if (form.imm) for (let imm = 0; imm < 256; imm++) out.push({ form, imm, count: null });
      else if (isCountShift(form)) {
        for (let c = 0; c <= 130; c++) out.push({ form, imm: 0, count: [c, 0] });
        for (let bit = 0; bit < 32; bit++) out.push({ form, imm: 0, count: [s, (1 << bit) >>> 0] });
        out.push({ form, imm: 0, count: [0xffffffff, 0] }, { form, imm: 0, count: [0x80000000, 0] });
      }
    }
  }
  return out;
}

const width = (r: Reg): number => (r === Reg.MMX ? 8 : r === Reg.GPR ? 4 : 16);

describe.skipIf(!ok)('integer SIMD rows against the host CPU for every immediate and shift count', () => {
  it('agree on every row that takes an immediate or a count from B', () => {
    const list = cases();
    const next = xorshift32(0x1e3d);
    const batch = new SseBatch(list.length);
    list.forEach((c, i) => {
      batch.setCode(i, encode(c.form, c.imm));
      batch.setMxcsr(i, MXCSR_DEFAULT);
      for (let r = 0; r < 8; r++) {
        const xmm = batch.xmm(i, r);
        const mm = batch.mm(i, r);
        for (let k = 0; k < 16; k++) xmm[k] = next();
        for (let k = 0; k < 8; k++) mm[k] = next();
        if (r !== 4 && r !== 5) batch.setGpr(i, r, next());
      }
      if (c.count) {
        const b = c.form.b === Reg.MMX ? batch.mm(i, 1) : batch.xmm(i, 1);
        new DataView(b.buffer, b.byteOffset, 8).setUint32(0, c.count[0], true);
        new DataView(b.buffer, b.byteOffset, 8).setUint32(4, c.count[1], true);
      }
    });
    const res = runSse(batch);

    const x = new SimdScratch();
    /** Row label → [cases that differ, the first one]. */
    const wrong = new Map<string, [number, string]>();
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    list.forEach((c, i) => {
      const f = c.form;
      const load = (kind: Reg, r: number, at: number): void => {
        if (kind === Reg.XMM) x.u8.set(batch.xmm(i, r), at);
        else if (kind === Reg.MMX) x.u8.set(batch.mm(i, r), at);
        else x.u32[at >> 2] = batch.gpr(i, r);
      };
      x.u8.fill(0xa5);
      load(f.a, 0, 0);
      if (f.reg < 0) load(f.b, 1, 16);
      const input = hex(x.u8);
      f.run!(x, f.a === Reg.MMX || f.b === Reg.MMX ? 8 : 16, c.imm);
      const n = width(f.a);
      const host = f.a === Reg.XMM ? res.xmm(i, 0) : f.a === Reg.MMX ? res.mm(i, 0) : Uint8Array.of(...[0, 8, 16, 24].map((s) => res.gpr(i, 0) >>> s));
      const got = hex(x.u8.subarray(0, n));
      if (res.status(i) !== 0 || got !== hex(host.subarray(0, n))) {
        const code = hex(Uint8Array.from(encode(f, c.imm)));
        const row = `${f.mnemonic} ${f.a === Reg.MMX || f.b === Reg.MMX ? 'mm' : 'xmm'}${f.reg >= 0 ? ' imm' : ''}`;
        const seen = wrong.get(row);
        if (seen) seen[0]++;
        else wrong.set(row, [1, `${code} A|B ${input}: host status ${res.status(i)} ${hex(host.subarray(0, n))}, btvm ${got}`]);
      }
    });
    expect(list.length).toBeGreaterThan(20000);
    expect([...wrong].map(([row, [k, first]]) => `${row}: ${k} cases differ, e.g. ${first}`)).toEqual([]);
  });
});
