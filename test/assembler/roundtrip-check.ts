/**
 * The round-trip check shared by the test: assemble one generated line,
 * decode the bytes, and compare form and operands with what the generator
 * meant. Returns a description of the first disagreement, or null.
 */
import { assemble } from '../../src/assembler/index.js';
import { decode, MODE16, MODE32 } from '../../src/decoder/decode.js';
import { withLength } from '../../src/decoder/decoded-record.js';
import type { DecodedInsn, Operand } from '../../src/decoder/insn.js';
import type { Expect, FormLine } from './form-lines.js';
import { PFX_9B } from '../../src/decoder/form.js';

export interface RoundTrip {
  readonly problem: string | null;
  /** The decoder found exactly the generating row (not an alias row of the same name and operands). */
  readonly exact: boolean;
  readonly insn: DecodedInsn | null;
}

function operandProblem(o: Operand, e: Expect, address: number, len: number, bits: number): string | null {
  switch (e.kind) {
    case 'reg':
      return o.kind === 'reg' && o.cls === e.cls && o.num === e.num && o.size === e.size ? null : `want ${e.cls}${e.num}/${e.size}`;
    case 'mem':
      if (o.kind !== 'mem') return 'want memory';
      if (o.base !== e.base || o.index !== e.index || (o.index >= 0 && o.scale !== e.scale)) return `want base ${e.base} index ${e.index}*${e.scale}, got ${o.base} ${o.index}*${o.scale}`;
      if (o.disp !== e.disp) return `want disp ${e.disp}, got ${o.disp}`;
      if (e.seg >= 0 && (!o.segOverride || o.seg !== e.seg)) return `want segment ${e.seg}`;
      return null;
    case 'imm':
      return o.kind === 'imm' && o.value === e.value ? null : `want imm ${e.value}`;
    case 'rel': {
      const mask = o.size === 2 ? 0xffff : 0xffffffff;
      const want = ((address + e.offset) & mask) >>> 0;
      return o.kind === 'rel' && o.target === want ? null : `want target ${want.toString(16)}${o.kind === 'rel' ? ` got ${o.target.toString(16)}` : ''}`;
    }
    case 'far':
      return o.kind === 'far' && o.selector === e.selector && o.offset === e.offset ? null : `want far ${e.selector}:${e.offset}`;
  }
}

/** xchg and test are symmetric: nasm may put either register in ModRM.reg. */
function commutes(mnemonic: string): boolean {
  return mnemonic === 'xchg' || mnemonic === 'test';
}

function operandsProblem(insn: DecodedInsn, line: FormLine, len: number, hex: string): string | null {
  let first: string | null = null;
  const orders = commutes(line.form.mnemonic) && line.expect.length === 2 ? [[0, 1], [1, 0]] : [[...line.expect.keys()]];
  for (const order of orders) {
    let p: string | null = null;
    for (const [i, e] of line.expect.entries()) {
      if (e === null || p !== null) continue;
      const o = insn.operands[order[i]!];
      p = o === undefined ? 'missing operand' : operandProblem(o, e, 0, len, line.bits);
      if (p !== null) p = `operand ${i + 1}: ${p} (${hex})`;
    }
    if (p === null) return null;
    first ??= p;
  }
  return first;
}

export function roundTrip(line: FormLine): RoundTrip {
  let bytes: Uint8Array;
  try {
    bytes = assemble(`bits ${line.bits}\n${line.text}\n`).bytes;
  } catch (e) {
    return { problem: `assembler: ${(e as Error).message}`, exact: false, insn: null };
  }
  const mode = line.bits === 16 ? MODE16 : MODE32;
  let insn = decode(bytes, 0, 0, mode);
  const hex = Buffer.from(bytes).toString('hex');
  let wantName = line.form.mnemonic;
  if (line.form.pfx === PFX_9B && insn.mnemonic === 'fwait' && insn.length === 1 && bytes.length > 1) {
    // A prefix between fwait and the x87 opcode (o16 fstenv) splits them: the CPU runs fwait, then fnstenv.
    const rest = decode(bytes, 1, 1, mode);
    insn = withLength(rest, rest.length + 1);
    wantName = 'fn' + wantName.slice(1);
  }
  if (insn.status !== 'ok' || insn.form === null) return { problem: `decodes as ${insn.status} (${hex})`, exact: false, insn };
  if (insn.length !== bytes.length) return { problem: `decoded length ${insn.length} of ${bytes.length} (${hex})`, exact: false, insn };
  // Same instruction: same mnemonic and operands. The row may differ where
  // nasm prefers another encoding of it (add Gb,Eb with two registers is 00 /r).
  const f = insn.form as typeof line.form;
  if (f.mnemonic !== wantName || insn.operands.length !== line.expect.length) {
    return { problem: `decodes as ${f.mnemonic} ${f.operandText} (${hex})`, exact: false, insn };
  }
  const p = operandsProblem(insn, line, bytes.length, hex);
  if (p !== null) return { problem: p, exact: false, insn };
  return { problem: null, exact: f.id === line.form.id, insn };
}
