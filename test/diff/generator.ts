/**
 * The random program generator of the host-CPU differential test.
 *
 * A case is a short straight-line program (a few to a dozen forms from
 * inline-forms.ts, each with its operand setup) possibly with forward
 * branches, call–ret pairs and one escaping 16-bit transfer at the end, plus
 * random registers, flags and a data seed. Case i always contains form
 * i mod N (N inline forms), so any batch of at least N cases covers every
 * form; the other forms are uniform picks. Everything comes from one seeded
 * Rng, so (seed, index) reproduces a case exactly.
 *
 * Alongside the nasm text the generator keeps, per line, the intended form
 * (checked by decoding, encode.ts) and the flags undefined there
 * (flag-model.ts), so the test can mask exactly what the SDM leaves open.
 */
import type { DecoderForm } from '../../src/decoder/form.js';
import { DEFAULT_ESP, type CaseInput } from '../support/harness-protocol.js';
import { CaseBuilder, ESP, type Line } from './case-builder.js';
import { alwaysEscapes, emitStackOrControl, isStackOrControl, type BodyWriter } from './control-templates.js';
import { emitDataForm } from './form-templates.js';
import { Rng } from './rng.js';

export interface GeneratedCase {
  readonly index: number;
  readonly lines: readonly Line[];
  readonly input: CaseInput;
  /** Flags undefined when the case reaches its end normally. */
  readonly finalUndef: number;
  /** Flags undefined where a 16-bit transfer may leave the case (for its #PF line). */
  readonly escapeUndef: number;
  /** The form case i is built around. */
  readonly focus: number;
}

/** The nasm text of a case, one instruction per line (labels on their own lines). */
export function caseText(c: GeneratedCase): string {
  return c.lines.map((l) => (l.label ? `${l.label}:` : l.text)).join('\n');
}

export class ProgramGenerator {
  private readonly data: readonly DecoderForm[];

  constructor(readonly forms: readonly DecoderForm[], private readonly seeds: readonly number[] = [1, 2, 3, 0xdeadbeef, 0x12345678, 0x9e3779b9]) {
    this.data = forms.filter((f) => !isStackOrControl(f));
  }

  /** Case `index` of the batch named by `batchSeed`. */
  generate(batchSeed: number, index: number, maxForms = 10): GeneratedCase {
    const rng = new Rng((batchSeed * 0x2545f491) ^ (index * 0x9e3779b1) ^ 0x5bd1e995);
    const b = new CaseBuilder(rng, DEFAULT_ESP);
    const focus = this.forms[index % this.forms.length]!;
    const body: BodyWriter = (bb, n) => {
      for (let k = 0; k < n; k++) {
        for (let tries = 0; tries < 20; tries++) {
          if (emitDataForm(bb, rng.pick(this.data), { inBody: true })) break;
        }
        bb.clearReservations();
      }
    };
    const n = rng.range(2, maxForms);
    const focusAt = alwaysEscapes(focus) ? n - 1 : rng.int(n);
    for (let i = 0; i < n && !b.terminated; i++) {
      const isLast = i === n - 1;
      let placed = false;
      for (let tries = 0; tries < 40 && !placed; tries++) {
        const f = i === focusAt && tries < 20 ? focus : rng.pick(this.forms);
        placed = isStackOrControl(f) ? emitStackOrControl(b, f, { inBody: false }, body, isLast) : emitDataForm(b, f, { inBody: false });
        b.clearReservations();
      }
    }
    const regs = Array.from({ length: 8 }, () => rng.value());
    regs[ESP] = DEFAULT_ESP;
    const input: CaseInput = { regs, eflags: rng.u32() & 0x0cd5, seed: rng.pick(this.seeds) };
    return { index, lines: b.lines, input, finalUndef: b.undef, escapeUndef: b.escapeUndef, focus: focus.id };
  }
}
