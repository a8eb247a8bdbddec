/**
 * The forms the differential test must execute: every isa/ row the lifter
 * translates inline (src/lift/coverage.ts handlingOf === 'inline'), VEX rows
 * aside (the lifter raises #UD for every x87/SIMD/VEX form). No skip list:
 * a form added to isa/ with an inline lifter joins the test automatically,
 * and the generator fails if it has no template for it.
 */
import type { DecoderForm } from '../../src/decoder/form.js';
import { getTables } from '../../src/decoder/isa-tables.js';
import { handlingOf } from '../../src/lift/coverage.js';

let cached: readonly DecoderForm[] | null = null;

export function inlineForms(): readonly DecoderForm[] {
  cached ??= getTables().forms.filter((f) => !f.vex && handlingOf(f) === 'inline');
  return cached;
}
