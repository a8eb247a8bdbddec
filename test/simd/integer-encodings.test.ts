/**
 * Every row of the integer SIMD table (src/simd/integer/forms.ts) against two
 * encoders/decoders nobody in this project wrote: the bytes a row stands for
 * (prefix, 0F, opcode, ModRM, imm) must be what nasm makes of the row's
 * mnemonic and operands, and objdump must decode them back to that mnemonic
 * with operands of the row's kinds (mm/xmm/GPR, memory size = memBytes). A
 * row with no memory form must decode as (bad) with a memory ModRM.
 *
 * This catches a wrong opcode, prefix, group /reg, operand kind or memory
 * size in the table; the values the rows compute are checked against the
 * host CPU by test/simd/forms-differential.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../src/simd/integer/forms.js';
import { OpMap, Prefix, Reg, type SimdForm } from '../../src/simd/simd-form.js';
import { assembleSnippets } from '../support/nasm.js';
import { toolsFor } from '../support/external-tools.js';

const haveObjdump = toolsFor('integer SIMD encodings vs objdump', 'objdump');
const haveNasm = toolsFor('integer SIMD encodings vs nasm', 'nasm');

const IMM = 0x05;
const PREFIX_BYTE = [-1, 0x66, 0xf3, 0xf2];
const SIZE_NAME: Record<number, string> = { 2: 'WORD', 4: 'DWORD', 8: 'QWORD', 16: 'XMMWORD' };

function regName(kind: Reg, n: number): string {
  if (kind === Reg.MMX) return `mm${n}`;
  if (kind === Reg.XMM) return `xmm${n}`;
  return n === 0 ? 'eax' : 'ecx';
}

/** The row's bytes: register form (A = reg 0, B = rm 1; group rows: A = rm 1) or memory form (B = [eax]). */
function encode(f: SimdForm, memory: boolean): number[] {
  expect(f.map).toBe(OpMap.M0F);
  const out: number[] = [];
  if (f.prefix !== Prefix.NONE) out.push(PREFIX_BYTE[f.prefix]);
  out.push(0x0f, f.opcode);
  const reg = f.reg >= 0 ? f.reg : 0;
  out.push(memory ? reg << 3 : 0xc0 | (reg << 3) | 1);
  if (f.imm) out.push(IMM);
  return out;
}

/** The operands as objdump (Intel syntax) prints them, and as nasm reads them. */
function operands(f: SimdForm, memory: boolean): { objdump: string; nasm: string } {
  const imm = f.imm ? `,0x${IMM.toString(16)}` : '';
  if (f.reg >= 0) return { objdump: `${regName(f.a, 1)}${imm}`, nasm: `${regName(f.a, 1)}${imm}` };
  const a = regName(f.a, 0);
  if (!memory) return { objdump: `${a},${regName(f.b, 1)}${imm}`, nasm: `${a},${regName(f.b, 1)}${imm}` };
  const size = f.memBytes === 2 ? 'word ' : '';
  return { objdump: `${a},${SIZE_NAME[f.memBytes]} PTR [eax]${imm}`, nasm: `${a},${size}[eax]${imm}` };
}

interface Slot { readonly form: SimdForm; readonly memory: boolean; readonly bytes: number[] }

const slots: Slot[] = [];
for (const form of FORMS) {
  if (form.regForm) slots.push({ form, memory: false, bytes: encode(form, false) });
  slots.push({ form, memory: true, bytes: encode(form, true) });
}
const label = (s: Slot): string => `${s.form.mnemonic} (${s.memory ? 'memory' : 'register'} form, ${s.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;

/** objdump's mnemonic and operands for each slot; slots sit 16 bytes apart, padded with nops, so a misdecode cannot shift the others. */
function disassemble(): { text: string; length: number }[] {
  const image = new Uint8Array(16 * slots.length).fill(0x90);
  slots.forEach((s, i) => image.set(s.bytes, 16 * i));
  const dir = mkdtempSync(join(tmpdir(), 'simd-int-enc-'));
  try {
    const file = join(dir, 'forms.bin');
    writeFileSync(file, image);
    const out = execFileSync('objdump', ['-D', '-b', 'binary', '-m', 'i386', '-M', 'intel', file], { maxBuffer: 1 << 26 }).toString();
    const byOffset = new Map<number, { text: string; length: number }>();
    for (const line of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t(.*)$/.exec(line);
      if (m) byOffset.set(parseInt(m[1], 16), { text: m[3].trim().replace(/\s+/, ' '), length: m[2].trim().split(' ').length });
    }
    return slots.map((_, i) => byOffset.get(16 * i) ?? { text: '(no line)', length: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('integer SIMD table', () => {
  it('has one row per encoding (map, prefix, opcode, group /reg)', () => {
    const seen = new Map<string, string>();
    for (const f of FORMS) {
      const key = `${f.map}:${f.prefix}:${f.opcode}:${f.reg}`;
      expect(seen.get(key), `${f.mnemonic} and ${seen.get(key)} share ${key}`).toBeUndefined();
      seen.set(key, f.mnemonic);
    }
  });

  it('gives every row a computation and operand sizes that fit its registers', () => {
    for (const f of FORMS) {
      expect(f.run, f.mnemonic).toBeTypeOf('function');
      const mmxLowUnpack = f.b === Reg.MMX && f.mnemonic.startsWith('punpckl');
      if (f.memBytes > 0 && f.b !== Reg.GPR) expect(f.memBytes, f.mnemonic).toBe(f.b === Reg.XMM ? 16 : mmxLowUnpack ? 4 : 8);
      expect(f.aligned, f.mnemonic).toBe(f.memBytes === 16);
      expect(f.feature, f.mnemonic).toBe(f.prefix === Prefix.NONE ? f.feature : 'sse2');
    }
  });
});

describe.skipIf(!haveObjdump)('integer SIMD table against objdump', () => {
  it('decodes every row to its mnemonic and operand kinds, and a memory ModRM to (bad) where the row has no memory form', () => {
    const got = disassemble();
    const wrong: string[] = [];
    slots.forEach((s, i) => {
      const hasForm = !s.memory || s.form.memBytes > 0;
      const want = hasForm ? `${s.form.mnemonic} ${operands(s.form, s.memory).objdump}` : '(bad)';
      const ok = hasForm ? got[i].text === want && got[i].length === s.bytes.length : got[i].text.includes('(bad)');
      if (!ok) wrong.push(`${label(s)}: objdump says '${got[i].text}' (${got[i].length} bytes), the row means '${want}'`);
    });
    expect(wrong).toEqual([]);
  });
});

describe.skipIf(!haveNasm)('integer SIMD table against nasm', () => {
  it('encodes every row as nasm assembles its mnemonic and operands', () => {
    const withForm = slots.filter((s) => !s.memory || s.form.memBytes > 0);
    const code = assembleSnippets(withForm.map((s) => `${s.form.mnemonic} ${operands(s.form, s.memory).nasm}`));
    const wrong: string[] = [];
    withForm.forEach((s, i) => {
      const nasm = [...code[i]];
      if (nasm.join() !== s.bytes.join()) wrong.push(`${label(s)}: nasm gives ${nasm.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
    });
    expect(wrong).toEqual([]);
  });
});
