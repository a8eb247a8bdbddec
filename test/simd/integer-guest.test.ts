/**
 * Every integer SIMD row as a guest runs it: one flat ring-0 guest executes
 * each row's encoding (register form, and the memory form through [eax]) on
 * operands loaded from memory and stores what it left in A, so the whole
 * path — decoder, lifter's form lookup, the monitor's simd routine, the unit's
 * operand loads and write-back (MMX on the x87 registers, GPR destinations) —
 * is exercised for every row; the host CPU (sse_oracle) runs the same
 * instruction on the same operands and the stored results must match.
 *
 * The values the rows compute are tested in depth elsewhere
 * (forms-differential, integer-immediates, integer-byte-lanes); this test is
 * about every encoding reaching its row with the right operands.
 */
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../src/simd/integer/forms.js';
import { Prefix, Reg, type SimdForm } from '../../src/simd/simd-form.js';
import { MXCSR_DEFAULT } from '../../src/simd/simd-scratch.js';
import { toolsFor } from '../support/external-tools.js';
import { haveSseOracle, runSse, SSE_MEM_ADDR, SSE_ORACLE_MISSING, SseBatch } from '../support/sse-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';
import { ENABLE_SSE, LOAD, runGuest } from './simd-guest.js';

const haveNasm = toolsFor('integer SIMD rows in a guest vs host CPU', 'nasm');
const ok = haveNasm && haveSseOracle();
if (haveNasm && !ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);

const DATA = LOAD + 0x10000;
/** Per case: A (16 bytes), B (16), the guest's A after (16), padding. */
const SLOT = 64;
const PREFIX_BYTE = [0, 0x66, 0xf3, 0xf2];

interface Case {
  readonly form: SimdForm;
  readonly memory: boolean;
  readonly code: number[];
  readonly a: Uint8Array;
  readonly b: Uint8Array;
}

function encode(f: SimdForm, memory: boolean, imm: number): number[] {
  const bytes = f.prefix === Prefix.NONE ? [] : [PREFIX_BYTE[f.prefix]];
  const reg = f.reg >= 0 ? f.reg : 0;
  bytes.push(0x0f, f.opcode, memory ? reg << 3 : 0xc0 | (reg << 3) | (f.reg >= 0 ? 0 : 1));
  if (f.imm) bytes.push(imm);
  return bytes;
}

function makeCases(): Case[] {
  const next = xorshift32(0x5eed1);
  const out: Case[] = [];
  for (const form of FORMS) {
    for (const memory of [false, true]) {
      if (memory ? form.memBytes === 0 : !form.regForm) continue;
      const a = Uint8Array.from({ length: 16 }, () => next());
      const b = Uint8Array.from({ length: 16 }, () => next());
      // A shift count from B in range, so the shifted lanes are not simply cleared.
      if (/^ps(ll|rl|ra)[wdq]$/.test(form.mnemonic) && form.reg < 0) b.set([1 + (next() % 15), 0, 0, 0, 0, 0, 0, 0]);
      out.push({ form, memory, code: encode(form, memory, next() & 0xff), a, b });
    }
  }
  return out;
}

const hex = (v: ArrayLike<number>): string => Buffer.from(Uint8Array.from(v)).toString('hex');
const addr = (i: number, field: number): string => `0x${(DATA + SLOT * i + field).toString(16)}`;

/** Guest lines for case i: load A and B, run the row's bytes, store A. */
function guestLines(c: Case, i: number): string[] {
  const load = (kind: Reg, n: number, field: number): string =>
    kind === Reg.XMM ? `movdqu xmm${n}, [${addr(i, field)}]` : kind === Reg.MMX ? `movq mm${n}, [${addr(i, field)}]` : `mov ${n ? 'ecx' : 'eax'}, [${addr(i, field)}]`;
  const f = c.form;
  const lines = [load(f.a, 0, 0)];
  if (f.reg < 0) lines.push(c.memory ? `mov eax, ${addr(i, 16)}` : load(f.b, 1, 16));
  lines.push(`db ${c.code.map((b) => `0x${b.toString(16)}`).join(', ')}`);
  lines.push(f.a === Reg.XMM ? `movdqu [${addr(i, 32)}], xmm0` : f.a === Reg.MMX ? `movq [${addr(i, 32)}], mm0` : `mov [${addr(i, 32)}], eax`);
  return lines;
}

describe.skipIf(!ok)('integer SIMD rows in a guest against the host CPU', () => {
  it('every row, register and memory form, leaves in A what the host leaves', async () => {
    const cases = makeCases();
    const data: string[] = [];
    cases.forEach((c) => data.push(`db ${hex(c.a).match(/../g)!.map((h) => `0x${h}`).join(',')}`, `db ${hex(c.b).match(/../g)!.map((h) => `0x${h}`).join(',')}`, `times ${SLOT - 32} db 0`));
    const src = [ENABLE_SSE, ...cases.flatMap(guestLines), 'emms', 'out 0xf4, al', `times 0x${(DATA - LOAD).toString(16)} - ($ - $$) db 0`, ...data].join('\n');
    const g = await runGuest(src);

    const batch = new SseBatch(cases.length);
    cases.forEach((c, i) => {
      batch.setCode(i, c.code);
      batch.setMxcsr(i, MXCSR_DEFAULT);
      batch.xmm(i, 0).set(c.a);
      batch.xmm(i, 1).set(c.b);
      batch.mm(i, 0).set(c.a.subarray(0, 8));
      batch.mm(i, 1).set(c.b.subarray(0, 8));
      batch.setGpr(i, 0, new DataView(c.a.buffer).getUint32(0, true));
      batch.setGpr(i, 1, new DataView(c.b.buffer).getUint32(0, true));
      if (c.memory) {
        batch.mem(i).set(c.b);
        batch.setMemOffset(i, 0);
        batch.setGpr(i, 0, SSE_MEM_ADDR);
      }
    });
    const res = runSse(batch);

    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const f = c.form;
      const n = f.a === Reg.XMM ? 16 : f.a === Reg.MMX ? 8 : 4;
      const host = f.a === Reg.XMM ? res.xmm(i, 0) : f.a === Reg.MMX ? res.mm(i, 0) : [0, 8, 16, 24].map((s) => (res.gpr(i, 0) >>> s) & 0xff);
      const want = hex(Array.from(host).slice(0, n));
      const got = hex(g.mem(DATA + SLOT * i + 32, n));
      if (res.status(i) !== 0 || got !== want) wrong.push(`${f.mnemonic} ${hex(c.code)}${c.memory ? ' (memory)' : ''}: host ${want} (status ${res.status(i)}), guest ${got}`);
    });
    expect(cases.length).toBeGreaterThan(250);
    expect(wrong).toEqual([]);
  });
});
