/**
 * Generated cases → machine code (nasm, one batch), checked against intent:
 * every case is decoded back instruction by instruction with btvm's decoder
 * and each line must be exactly one instruction, of the isa row the
 * generator meant where it named one. This catches a template that nasm
 * encodes as a neighbouring row (which would quietly shrink coverage) and
 * gives each line's offset, so a FAULT line from the harness can be mapped
 * back to the instruction that faulted.
 */
import { decode, MODE32 } from '../../src/decoder/decode.js';
import { CODE_BASE, OSZAPC, parseStateLine } from '../support/harness-protocol.js';
import { assembleSnippetsParallel } from '../support/nasm.js';
import { caseText, type GeneratedCase } from './generator.js';

export interface EncodedCase {
  readonly gen: GeneratedCase;
  readonly code: Uint8Array;
  /** Offset of each instruction line (labels excluded), in line order. */
  readonly offsets: readonly number[];
  /** Disagreements between the generator's intent and the decoded bytes (empty when all is well). */
  readonly problems: readonly string[];
  /** Forms that decoded exactly as intended. */
  readonly formsHit: readonly number[];
}

export function verifyEncoding(gen: GeneratedCase, code: Uint8Array): EncodedCase {
  const problems: string[] = [];
  const offsets: number[] = [];
  const formsHit: number[] = [];
  let at = 0;
  for (const line of gen.lines) {
    if (line.label) continue;
    offsets.push(at);
    if (at >= code.length) {
      problems.push(`'${line.text}': no bytes left`);
      break;
    }
    const insn = decode(code, at, CODE_BASE + at, MODE32);
    if (insn.status !== 'ok' || insn.form === null) {
      problems.push(`'${line.text}' decodes as ${insn.status}`);
      break;
    }
    if (line.formId >= 0) {
      if (insn.form.id === line.formId) formsHit.push(line.formId);
      else problems.push(`'${line.text}' is row ${insn.form.id} (${insn.form.mnemonic} ${(insn.form as { operandText?: string }).operandText ?? ''}), meant row ${line.formId}`);
    }
    at += insn.length;
  }
  if (problems.length === 0 && at !== code.length) problems.push(`decoded ${at} of ${code.length} bytes`);
  return { gen, code, offsets, problems, formsHit };
}

export async function encodeCases(cases: readonly GeneratedCase[], processes = 2): Promise<EncodedCase[]> {
  const codes = await assembleSnippetsParallel(cases.map(caseText), processes);
  return cases.map((c, i) => verifyEncoding(c, codes[i]!));
}

/** The flags to ignore when comparing a case's result line: those undefined where it ended. */
export function undefinedFlagsAt(e: EncodedCase, nativeLine: string): number {
  const s = parseStateLine(nativeLine);
  if (s === null) return 0;
  if (s.fault === null) return e.gen.finalUndef;
  let k = 0;
  for (const line of e.gen.lines) {
    if (line.label) continue;
    if (e.offsets[k] === s.fault.offset) return line.undefBefore;
    k++;
  }
  // Not an instruction of the case: a 16-bit transfer left it (#PF at the target).
  return s.fault.vector === 'PF' ? e.gen.escapeUndef : OSZAPC;
}
