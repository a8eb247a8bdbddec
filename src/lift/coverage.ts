/**
 * coverageReport: how every isa/ form is executed — translated inline,
 * emulated by the VMM, or raising #UD — and where the registry and isa/
 * disagree. Used by `btvm isa --coverage` and by the coverage test, which
 * fails on any form without a lifter and any lifter without a form.
 */
import type { IsaForm } from '../decoder/insn.js';
import type { FormInfo, Handling } from './lifter-entry.js';
import { LIFTERS } from './registry.js';

/** A form as coverage needs it; DecoderForm (src/decoder/form.ts) has operandText. */
export type CoverageForm = IsaForm & { readonly operandText?: string };

export interface CoverageReport {
  readonly inline: readonly CoverageForm[];
  readonly vmm: readonly CoverageForm[];
  readonly ud: readonly CoverageForm[];
  /** Forms whose mnemonic has no lifter (x87 and SIMD excepted: handled by class). */
  readonly missing: readonly CoverageForm[];
  /** Registry mnemonics no form uses. */
  readonly orphans: readonly string[];
}

export function handlingOf(form: CoverageForm): Handling | null {
  // x87 forms run in the monitor's x87 unit (lift/x87.ts); SIMD raises #UD until the SIMD unit exists.
  if (form.cls === 'fpu') return 'vmm';
  if (form.cls === 'simd') return 'ud';
  const entry = LIFTERS.get(form.mnemonic);
  if (entry === undefined) return null;
  if (typeof entry.handling === 'string') return entry.handling;
  const info: FormInfo = { mnemonic: form.mnemonic, cls: form.cls, operandText: form.operandText ?? '' };
  return entry.handling(info);
}

export function coverageReport(forms: readonly CoverageForm[]): CoverageReport {
  const out = { inline: [] as CoverageForm[], vmm: [] as CoverageForm[], ud: [] as CoverageForm[], missing: [] as CoverageForm[] };
  const used = new Set<string>();
  for (const f of forms) {
    if (f.cls !== 'fpu' && f.cls !== 'simd') used.add(f.mnemonic);
    const h = handlingOf(f);
    if (h === null) out.missing.push(f);
    else out[h].push(f);
  }
  const orphans = [...LIFTERS.keys()].filter((m) => !used.has(m)).sort();
  return { ...out, orphans };
}

/** The text `btvm isa --coverage` prints. */
export function formatCoverage(r: CoverageReport): string {
  const names = (fs: readonly CoverageForm[]): string => [...new Set(fs.map((f) => f.mnemonic))].sort().join(' ');
  const lines = [
    `inline (translated): ${r.inline.length} forms`,
    `vmm (emulate):       ${r.vmm.length} forms (x87 by class, plus: ${names(r.vmm.filter((f) => f.cls !== 'fpu'))})`,
    `#UD:                 ${r.ud.length} forms (SIMD by class, plus: ${names(r.ud.filter((f) => f.cls !== 'simd'))})`,
    `missing lifter:      ${r.missing.length} forms${r.missing.length ? ': ' + r.missing.map((f) => `${f.mnemonic} (${f.file}:${f.line})`).join(', ') : ''}`,
    `lifters with no isa row: ${r.orphans.length ? r.orphans.join(' ') : 'none'}`,
  ];
  return lines.join('\n') + '\n';
}
