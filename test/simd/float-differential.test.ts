/**
 * The floating-point SIMD forms (src/simd/float/forms.ts) against the host
 * CPU, with operands aimed at floating point's hard cases (float-values.ts:
 * rounding ties, underflow and overflow edges, cancellation, int32 limits,
 * NaN payloads) under random MXCSR — every rounding mode, FZ, DAZ, unmasked
 * exceptions, flags already set. Each case runs twice in btvm, once with the
 * fast path (host double arithmetic for round-to-nearest) and once with the
 * exact path alone, and both must give the host's bits: A (or the GPR/MMX
 * destination), the MXCSR flags, ZF/PF/CF for (U)COMIS; where the host took
 * #XM, an unmasked flag and the host's MXCSR at the fault.
 *
 * test/simd/forms-differential.test.ts runs every SIMD row with generic
 * operands (and the memory forms); this file is the float family's deeper
 * run. FLOAT_DIFF_CASES sets the cases per row (default 2000; the long run
 * `FLOAT_DIFF_CASES=50000` is a few million cases), FLOAT_DIFF_SEED the seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { setFastPath } from '../../src/simd/float/fast-path.js';
import { FORMS } from '../../src/simd/float/forms.js';
import { Prefix, Reg, type SimdForm } from '../../src/simd/simd-form.js';
import { MXCSR_FLAGS, MXCSR_MASK_SHIFT, SimdScratch } from '../../src/simd/simd-scratch.js';
import { haveSseOracle, runSse, SIGFPE, SSE_ORACLE_MISSING, SseBatch, type SseResults } from '../support/sse-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';
import { FloatValues, type LaneKind } from './float-values.js';

const ok = haveSseOracle();
if (!ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);
const CASES = Number(process.env['FLOAT_DIFF_CASES'] ?? 2000);
const SEED = Number(process.env['FLOAT_DIFF_SEED'] ?? 0xf10a7);
const BATCH = 20000;
const PREFIX_BYTE = [0, 0x66, 0xf3, 0xf2];

/** Lane kinds of a row's A and B, from its mnemonic (cvtXX2YY: B is XX, A is YY; else the ps/ss/pd/sd suffix). */
function laneKinds(m: string): [LaneKind, LaneKind] {
  const kind = (s: string): LaneKind => (s === 'ps' || s === 'ss' ? 'f32' : s === 'pd' || s === 'sd' ? 'f64' : 'i32');
  const cvt = /^cvtt?(\w\w)2(\w\w)$/.exec(m);
  if (cvt) return [kind(cvt[2]!), kind(cvt[1]!)];
  const k = kind(m.slice(-2));
  return [k, k];
}

function encoding(f: SimdForm): number[] {
  const code = f.prefix === Prefix.NONE ? [] : [PREFIX_BYTE[f.prefix]!];
  return [...code, 0x0f, f.opcode, 0xc1]; // ModRM: reg 0 (A), rm 1 (B)
}

/** Bytes of A compared: the destination's width. */
function width(kind: Reg): number {
  return kind === Reg.XMM ? 16 : kind === Reg.MMX ? 8 : 4;
}

interface RowResult {
  cases: number;
  mismatches: string[];
  hostXm: number;
}

const x = new SimdScratch();
const words = new Uint32Array(8);
const hostBytes = new Uint8Array(16);
const inputs = new Uint8Array(32);

function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hostA(f: SimdForm, res: SseResults, i: number): Uint8Array {
  if (f.a === Reg.XMM) return res.xmm(i, 0);
  if (f.a === Reg.MMX) return res.mm(i, 0);
  new DataView(hostBytes.buffer).setUint32(0, res.gpr(i, 0), true);
  return hostBytes.subarray(0, 4);
}

/** Run the form on case i's operands; return a description of how it differs from the host, or ''. */
function check(f: SimdForm, batch: SseBatch, res: SseResults, i: number, imm: number, path: string): string {
  const n = width(f.a);
  if (f.a === Reg.GPR) x.u32[0] = batch.gpr(i, 0);
  else x.u8.set(f.a === Reg.XMM ? batch.xmm(i, 0) : batch.mm(i, 0), 0);
  if (f.b === Reg.GPR) x.u32[4] = batch.gpr(i, 1);
  else x.u8.set(f.b === Reg.XMM ? batch.xmm(i, 1) : batch.mm(i, 1), 16);
  inputs.set(x.u8);
  const mxcsr = batch.mxcsr(i);
  x.mxcsr = mxcsr;
  x.flags = 0;
  x.eflags = 0;
  f.run!(x, f.a === Reg.MMX || f.b === Reg.MMX ? 8 : 16, imm);
  const want = (mxcsr | x.flags) & MXCSR_FLAGS;
  const host = res.mxcsr(i) & MXCSR_FLAGS;
  const unmasked = x.flags & ~(mxcsr >>> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
  const status = res.status(i);
  let why = '';
  if (status === SIGFPE) {
    if (!unmasked || host !== want) why = '#XM: flags differ or none unmasked';
  } else if (status !== 0) {
    why = `host status ${status}`;
  } else if (unmasked) {
    why = 'btvm reports an unmasked exception the host did not take';
  } else if (host !== want) {
    why = 'MXCSR flags differ';
  } else if (f.writesA && !sameBytes(x.u8, hostA(f, res, i), n)) {
    why = 'result differs';
  } else if (f.writesEflags && (res.eflags(i) & 0x45) !== x.eflags) {
    why = 'ZF PF CF differ';
  }
  if (!why) return '';
  const inA = Buffer.from(inputs.subarray(0, 16)).toString('hex');
  const inB = Buffer.from(inputs.subarray(16, 32)).toString('hex');
  return `${f.mnemonic} (${path} path) ${why}: mxcsr ${mxcsr.toString(16)} imm ${imm} A ${inA} B ${inB}` +
    `\n    host: status ${status} A ${Buffer.from(hostA(f, res, i).subarray(0, n)).toString('hex')} mxcsr ${res.mxcsr(i).toString(16)} eflags ${res.eflags(i).toString(16)}` +
    `\n    btvm: A ${Buffer.from(x.u8.subarray(0, n)).toString('hex')} flags ${x.flags.toString(16)} eflags ${x.eflags.toString(16)}`;
}

function runRow(f: SimdForm, v: FloatValues): RowResult {
  const [aKind, bKind] = laneKinds(f.mnemonic);
  const r: RowResult = { cases: 0, mismatches: [], hostXm: 0 };
  for (let done = 0; done < CASES; done += BATCH) {
    const count = Math.min(BATCH, CASES - done);
    const batch = new SseBatch(count);
    const imms = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      // Immediates past 7 too: legacy CMPccPS reads only imm8[2:0].
      imms[i] = v.chance(80) ? v.below(8) : v.below(256);
      batch.setCode(i, f.imm ? [...encoding(f), imms[i]!] : encoding(f));
      batch.setMxcsr(i, v.mxcsr());
      v.fill(words, aKind, bKind, 0, 4);
      if (v.chance(10)) words.copyWithin(4, 0, 4); // A op A
      const a = new Uint8Array(words.buffer, 0, 16);
      const b = new Uint8Array(words.buffer, 16, 16);
      if (f.a === Reg.GPR) batch.setGpr(i, 0, words[0]!);
      else (f.a === Reg.XMM ? batch.xmm(i, 0) : batch.mm(i, 0)).set(a.subarray(0, width(f.a)));
      if (f.b === Reg.GPR) batch.setGpr(i, 1, words[4]!);
      else (f.b === Reg.XMM ? batch.xmm(i, 1) : batch.mm(i, 1)).set(b.subarray(0, width(f.b)));
    }
    const res = runSse(batch);
    for (let i = 0; i < count; i++) {
      r.cases++;
      if (res.status(i) === SIGFPE) r.hostXm++;
      for (const fast of [true, false]) {
        setFastPath(fast);
        const why = check(f, batch, res, i, f.imm ? imms[i]! : 0, fast ? 'fast' : 'exact');
        if (why && r.mismatches.length < 4) r.mismatches.push(why);
      }
      setFastPath(true);
    }
  }
  return r;
}

const summary: string[] = [];
describe.skipIf(!ok)('floating-point SIMD forms against the host CPU, hard operands', () => {
  const v = new FloatValues(xorshift32(SEED));
  afterAll(() => console.log(`float rows: ${summary.length} rows, ${CASES} cases each, both paths; ${summary.filter((s) => s !== 'ok').length} failing`));
  it('has a row with a computation for each floating-point instruction of SSE, SSE2 and SSE3', () => {
    const four = (op: string): string[] => ['ps', 'ss', 'pd', 'sd'].map((s) => op + s);
    const expected = [
      ...['add', 'sub', 'mul', 'div', 'sqrt', 'min', 'max', 'cmp'].flatMap(four),
      'rcpps', 'rcpss', 'rsqrtps', 'rsqrtss', 'comiss', 'ucomiss', 'comisd', 'ucomisd',
      'cvtpi2ps', 'cvtps2pi', 'cvttps2pi', 'cvtsi2ss', 'cvtss2si', 'cvttss2si',
      'cvtpi2pd', 'cvtpd2pi', 'cvttpd2pi', 'cvtsi2sd', 'cvtsd2si', 'cvttsd2si',
      'cvtps2pd', 'cvtpd2ps', 'cvtss2sd', 'cvtsd2ss', 'cvtdq2ps', 'cvtps2dq', 'cvttps2dq',
      'cvtdq2pd', 'cvtpd2dq', 'cvttpd2dq',
      'addsubps', 'addsubpd', 'haddps', 'haddpd', 'hsubps', 'hsubpd',
    ];
    expect(FORMS.filter((f) => f.run !== undefined).map((f) => f.mnemonic).sort()).toEqual(expected.sort());
  });
  for (const f of FORMS) {
    it(`${f.mnemonic}`, () => {
      const r = runRow(f, v);
      summary.push(r.mismatches.length ? f.mnemonic : 'ok');
      expect(r.cases).toBe(CASES);
      expect(r.mismatches).toEqual([]);
    });
  }
});
