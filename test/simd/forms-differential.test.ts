/**
 * Every SIMD form row against the host CPU: for each row of ALL_FORMS that
 * has a `run` (whatever rows the family tables hold when this runs), random
 * cases are run on a SimdScratch and natively by fixtures/native/sse_oracle,
 * and the results must agree bit for bit:
 *  - the host completed: A's bytes (8 for MMX, 16 for XMM, 4 for a GPR) when
 *    the row writes A, the MXCSR flags (host after = before | x.flags, and no
 *    flag the form reports is unmasked), and ZF/PF/CF for writesEflags rows;
 *  - the host took #XM: the form reports an unmasked flag, and the host's
 *    MXCSR at the fault = before | x.flags;
 *  - a memory operand (rows with memBytes > 0: some cases read B through
 *    [eax] at a random offset): an aligned row's misaligned operand must give
 *    the host's #GP, an unaligned row's must not.
 * Operands come from simd-values.ts (special values in every lane type);
 * MXCSR has every rounding mode, FZ, DAZ, sometimes unmasked exceptions and
 * flags already set. Register form: A = register 0 (ModRM.reg), B =
 * register 1 (ModRM.rm); group opcodes (reg ≥ 0) have A in ModRM.rm. GPRs
 * are EAX and ECX. B's bytes past memBytes are garbage on the JS side, so a
 * form that reads more than its memory operand shows up.
 *
 * SIMD_DIFF_CASES sets the cases per row (default 400), SIMD_DIFF_TOTAL the
 * cases over all rows instead, SIMD_DIFF_SEED the seed, SIMD_DIFF_PROGRESS=1
 * a line per batch, SIMD_DIFF_ONLY a pattern of the mnemonics to run (e.g.
 * '^sqrt'); `npm run diff:simd` runs a million. One `it` per row, named by family, so a
 * failing row is visible by name; the summary line gives pass/fail per family.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMS as FLOAT } from '../../src/simd/float/forms.js';
import { FORMS as INTEGER } from '../../src/simd/integer/forms.js';
import { FORMS as MOVES } from '../../src/simd/moves/forms.js';
import { ALL_FORMS } from '../../src/simd/all-forms.js';
import { OpMap, Prefix, Reg, type SimdForm } from '../../src/simd/simd-form.js';
import { MXCSR_FLAGS, MXCSR_MASK_SHIFT, SimdScratch } from '../../src/simd/simd-scratch.js';
import {
  haveSseOracle, REFUSAL, REFUSED, runSse, SIGFPE, SIGSEGV, SSE_MAX_OFFSET, SSE_MEM_ADDR, SSE_ORACLE_MISSING,
  SseBatch, type SseResults,
} from '../support/sse-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';
import { SimdValues } from './simd-values.js';

const ok = haveSseOracle();
if (!ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);
const ONLY = process.env['SIMD_DIFF_ONLY'] ? new RegExp(process.env['SIMD_DIFF_ONLY']) : undefined;
/** The rows tested: every row with a computation (special forms are the unit's), or those SIMD_DIFF_ONLY's mnemonic pattern matches. */
const ROWS = ALL_FORMS.filter((f) => f.run !== undefined && !f.special && (!ONLY || ONLY.test(f.mnemonic)));
const TOTAL = process.env['SIMD_DIFF_TOTAL'];
const CASES = TOTAL ? Math.ceil(Number(TOTAL) / Math.max(1, ROWS.length)) : Number(process.env['SIMD_DIFF_CASES'] ?? 400);
const SEED = Number(process.env['SIMD_DIFF_SEED'] ?? 0x551d);
const PROGRESS = process.env['SIMD_DIFF_PROGRESS'] === '1';
const BATCH = 40000;
/** Mismatches kept per row for the report. */
const KEEP = 4;
const ZF_PF_CF = 0x45;

const familyOf = new Map<SimdForm, string>();
for (const [name, rows] of [['integer', INTEGER], ['float', FLOAT], ['moves', MOVES]] as const)
  for (const f of rows) familyOf.set(f, name);

const PREFIX_BYTE = [0, 0x66, 0xf3, 0xf2];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const h32 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** The instruction bytes of a row: register form (B in register 1) or memory form ([eax]), with its immediate. */
function encode(f: SimdForm, memory: boolean, imm: number): number[] {
  const bytes: number[] = [];
  if (f.prefix !== Prefix.NONE) bytes.push(PREFIX_BYTE[f.prefix]!);
  bytes.push(0x0f);
  if (f.map === OpMap.M0F38) bytes.push(0x38);
  else if (f.map === OpMap.M0F3A) bytes.push(0x3a);
  bytes.push(f.opcode);
  const group = f.reg >= 0;
  const reg = group ? f.reg : 0;
  const rm = memory ? 0 : group ? 0 : 1;
  bytes.push((memory ? 0x00 : 0xc0) | (reg << 3) | rm);
  if (f.imm) bytes.push(imm);
  return bytes;
}

/** Bytes of an operand kind: what `run` is told and what is compared. */
const width = (r: Reg): number => (r === Reg.MMX ? 8 : r === Reg.GPR ? 4 : 16);
/** `run`'s width argument, as the unit gives it (src/simd/unit/dispatch.ts): 16 for an XMM destination or a GPR taken from an XMM register, else 8. */
const runBytes = (f: SimdForm): number => (f.a === Reg.XMM || (f.a !== Reg.MMX && f.b === Reg.XMM) ? 16 : 8);

function rowName(f: SimdForm): string {
  const enc = [f.prefix ? PREFIX_BYTE[f.prefix]!.toString(16) : '', '0f', f.map === OpMap.M0F38 ? '38' : f.map === OpMap.M0F3A ? '3a' : '', f.opcode.toString(16).padStart(2, '0')]
    .filter(Boolean).join(' ').toUpperCase();
  const kinds = ['-', 'mm', 'xmm', 'r32'];
  const forms = `${f.regForm ? 'reg' : ''}${f.regForm && f.memBytes ? '+' : ''}${f.memBytes ? `m${f.memBytes * 8}` : ''}`;
  return `${familyOf.get(f) ?? '?'}: ${f.mnemonic} ${enc}${f.reg >= 0 ? ` /${f.reg}` : ''} ${kinds[f.a]},${kinds[f.b]} ${forms}`;
}

interface RowResult {
  cases: number;
  memoryCases: number;
  alignmentFaults: number;
  hostXm: number;
  mismatches: number;
  examples: string[];
}

const results = new Map<SimdForm, RowResult>();
for (const f of ROWS) results.set(f, { cases: 0, memoryCases: 0, alignmentFaults: 0, hostXm: 0, mismatches: 0, examples: [] });

/** Where a case's operands are, per case of a batch. */
interface Plan {
  rows: SimdForm[];
  memory: Uint8Array;
  misaligned: Uint8Array;
  imm: Uint8Array;
}

/** Fills a batch with `perRow[i]` cases for each row, interleaved. */
function generate(v: SimdValues, perRow: number): { batch: SseBatch; plan: Plan } {
  const n = perRow * ROWS.length;
  const batch = new SseBatch(n);
  const plan: Plan = { rows: new Array<SimdForm>(n), memory: new Uint8Array(n), misaligned: new Uint8Array(n), imm: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const f = ROWS[i % ROWS.length]!;
    plan.rows[i] = f;
    const memory = f.memBytes > 0 && (!f.regForm || v.chance(30));
    const imm = f.imm ? v.imm() : 0;
    plan.memory[i] = memory ? 1 : 0;
    plan.imm[i] = imm;
    batch.setCode(i, encode(f, memory, imm));
    batch.setMxcsr(i, v.mxcsr());
    batch.setEflags(i, v.below(0x1000));
    for (let r = 0; r < 8; r++) {
      v.fill(batch.xmm(i, r), 0);
      v.fill(scratch16, 0);
      batch.mm(i, r).set(scratch16.subarray(0, 8));
      if (r !== 4 && r !== 5) batch.setGpr(i, r, v.i32());
    }
    // Some lanes of B equal to A's, in the registers the row reads.
    if (v.chance(40)) {
      if (f.a === Reg.XMM && f.b === Reg.XMM) v.shareLanes(batch.xmm(i, 0), 0, batch.xmm(i, 1), 0);
      if (f.a === Reg.MMX && f.b === Reg.MMX) v.shareLanes(batch.mm(i, 0), 0, batch.mm(i, 1), 0);
    }
    const win = batch.mem(i);
    v.fill(win, 0);
    v.fill(win, 16);
    if (memory) {
      let offset: number;
      if (f.aligned && v.chance(12)) {
        offset = 16 * v.below(SSE_MAX_OFFSET / 16) + 1 + v.below(15);
        plan.misaligned[i] = 1;
      } else {
        offset = f.aligned ? 16 * v.below(SSE_MAX_OFFSET / 16 + 1) : v.below(SSE_MAX_OFFSET + 1);
        plan.misaligned[i] = offset & 15 ? 1 : 0;
      }
      batch.setMemOffset(i, offset);
      batch.setGpr(i, 0, SSE_MEM_ADDR + offset);
      if (v.chance(40) && f.a === Reg.XMM) v.shareLanes(batch.xmm(i, 0), 0, win, 0);
    }
  }
  return { batch, plan };
}
const scratch16 = new Uint8Array(16);

/** Copies operand `kind` register `r` of case i (or B from memory) into the scratch at byte `at`. */
function load(x: SimdScratch, at: number, kind: Reg, r: number, batch: SseBatch, i: number): void {
  if (kind === Reg.XMM) x.u8.set(batch.xmm(i, r), at);
  else if (kind === Reg.MMX) x.u8.set(batch.mm(i, r), at);
  else if (kind === Reg.GPR) x.u32[at >> 2] = batch.gpr(i, r);
}

/** The host's value of operand A after the case (its first `width(kind)` bytes). */
function hostA(kind: Reg, res: SseResults, i: number, out: Uint8Array): Uint8Array {
  if (kind === Reg.XMM) return res.xmm(i, 0);
  if (kind === Reg.MMX) return res.mm(i, 0);
  const g = res.gpr(i, 0);
  out[0] = g & 0xff;
  out[1] = (g >>> 8) & 0xff;
  out[2] = (g >>> 16) & 0xff;
  out[3] = g >>> 24;
  return out.subarray(0, 4);
}
const gprBytes = new Uint8Array(4);

function codeHex(batch: SseBatch, i: number): string {
  return hex(Uint8Array.from(batch.code(i)));
}

const x = new SimdScratch();
const inputA = new Uint8Array(16);
const inputB = new Uint8Array(16);

/** Compares case i; returns a description of the difference or '' when the form agrees with the host. */
function check(f: SimdForm, plan: Plan, batch: SseBatch, res: SseResults, i: number, rr: RowResult): string {
  const memory = plan.memory[i] === 1;
  const status = res.status(i);
  if (status === REFUSED) return `oracle refused the case: ${REFUSAL[res.why(i)] ?? res.why(i)}`;
  if (memory) {
    rr.memoryCases++;
    const gp = status === SIGSEGV;
    const where = `: code ${codeHex(batch, i)} offset ${(batch.gpr(i, 0) - SSE_MEM_ADDR) >>> 0}`;
    if (f.aligned && plan.misaligned[i]) {
      rr.alignmentFaults++;
      return gp ? '' : `row says aligned, but the host ran with a misaligned operand (status ${status})${where}`;
    }
    if (gp && plan.misaligned[i]) return `row says unaligned, but the host took #GP on a misaligned operand${where}`;
  }
  // The form on the scratch: A from register 0, B from register 1 or memory (garbage past memBytes).
  x.u8.fill(0xa5);
  load(x, 0, f.a, 0, batch, i);
  if (f.reg < 0) {
    if (memory) {
      x.u8.set(batch.xmm(i, 2), 16);
      x.u8.set(batch.mem(i).subarray(0, f.memBytes), 16);
    } else {
      load(x, 16, f.b, 1, batch, i);
    }
  }
  inputA.set(x.u8.subarray(0, 16));
  inputB.set(x.u8.subarray(16, 32));
  const mxcsr = batch.mxcsr(i);
  x.mxcsr = mxcsr;
  x.flags = 0;
  x.eflags = 0;
  f.run!(x, runBytes(f), plan.imm[i]!);
  const unmasked = x.flags & ~(mxcsr >>> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
  const wantFlags = (mxcsr | x.flags) & MXCSR_FLAGS;
  const hostFlags = res.mxcsr(i) & MXCSR_FLAGS;
  const n = width(f.a);
  const got = x.u8.subarray(0, n);
  const host = hostA(f.a, res, i, gprBytes).subarray(0, n);
  const describe = (why: string): string =>
    `${why}\n    code ${codeHex(batch, i)} mxcsr ${h32(mxcsr)}` +
    ` A ${hex(inputA.subarray(0, n))} B ${f.reg >= 0 ? '-' : hex(inputB.subarray(0, memory ? f.memBytes : width(f.b)))}` +
    `${memory ? ` (memory, offset ${(batch.gpr(i, 0) - SSE_MEM_ADDR) >>> 0})` : ''}${f.imm ? ` imm ${plan.imm[i]!.toString(16)}` : ''}` +
    `\n    host: status ${status} A ${hex(host)} mxcsr ${h32(res.mxcsr(i))} eflags ${h32(res.eflags(i))}` +
    `\n    btvm: A ${hex(got)} flags ${x.flags.toString(16)} eflags ${h32(x.eflags)}`;
  if (status === SIGFPE) {
    rr.hostXm++;
    if (!unmasked) return describe('host took #XM, the form reports no unmasked exception');
    if (hostFlags !== wantFlags) return describe('#XM with different MXCSR flags');
    return '';
  }
  if (status !== 0) return describe(`host raised signal ${status}`);
  if (unmasked) return describe('form reports an unmasked exception, the host took no #XM');
  if (hostFlags !== wantFlags) return describe('MXCSR flags differ');
  if (f.writesA && Buffer.compare(got, host) !== 0) return describe('A differs');
  if (f.writesEflags && ((x.eflags ^ res.eflags(i)) & ZF_PF_CF) !== 0) return describe('ZF/PF/CF differ');
  return '';
}

function runBatch(v: SimdValues, perRow: number): void {
  const { batch, plan } = generate(v, perRow);
  const res = runSse(batch);
  for (let i = 0; i < batch.length; i++) {
    const f = plan.rows[i]!;
    const rr = results.get(f)!;
    rr.cases++;
    const d = check(f, plan, batch, res, i, rr);
    if (d) {
      rr.mismatches++;
      if (rr.examples.length < KEEP) rr.examples.push(d);
    }
  }
}

describe.skipIf(!ok || ROWS.length === 0)('SIMD form rows against the host CPU (sse_oracle)', () => {
  beforeAll(() => {
    const v = new SimdValues(xorshift32(SEED));
    const perBatch = Math.max(1, Math.floor(BATCH / Math.max(1, ROWS.length)));
    let done = 0;
    const started = Date.now();
    while (done < CASES) {
      const k = Math.min(perBatch, CASES - done);
      runBatch(v, k);
      done += k;
      if (PROGRESS) {
        let bad = 0;
        for (const r of results.values()) bad += r.mismatches;
        console.log(`simd diff: ${done * ROWS.length} cases over ${ROWS.length} rows, ${bad} differ, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
  }, 3_600_000);

  afterAll(() => {
    const fam = new Map<string, { rows: number; failing: string[]; cases: number; memory: number; xm: number; gp: number }>();
    for (const [f, r] of results) {
      const name = familyOf.get(f) ?? '?';
      const e = fam.get(name) ?? { rows: 0, failing: [], cases: 0, memory: 0, xm: 0, gp: 0 };
      e.rows++;
      e.cases += r.cases;
      e.memory += r.memoryCases;
      e.xm += r.hostXm;
      e.gp += r.alignmentFaults;
      if (r.mismatches) e.failing.push(f.mnemonic);
      fam.set(name, e);
    }
    for (const [name, e] of fam)
      console.log(
        `simd diff ${name}: ${e.rows - e.failing.length}/${e.rows} rows agree with the host over ${e.cases} cases ` +
          `(${e.memory} memory operands, ${e.gp} alignment #GP, ${e.xm} #XM)${e.failing.length ? `; differ: ${e.failing.join(' ')}` : ''}`,
      );
  });

  it.each(ROWS.map((f) => [rowName(f), f] as const))('%s', (_name, f) => {
    const r = results.get(f)!;
    expect(r.cases).toBe(CASES);
    if (f.memBytes > 0) expect(r.memoryCases, 'memory-form cases').toBeGreaterThan(0);
    expect(r.mismatches === 0 ? [] : [`${r.mismatches} of ${r.cases} cases differ`, ...r.examples]).toEqual([]);
  });
});
