/**
 * Round trip through isa/: for every form the assembler can encode (all
 * non-VEX rows: general-purpose, system, x87, MMX/SSE), generate
 * instruction text with random operands, assemble it, decode the bytes with
 * src/decoder, and require the same instruction back — same mnemonic, same
 * operands — and, for every general-purpose/system/x87 row, that some
 * generated line lands on exactly that row. The rows nasm never emits
 * (aliases and hint encodings) are listed below with the reason.
 */
import { describe, expect, it } from 'vitest';
import type { DecoderForm } from '../../src/decoder/form.js';
import { MAP_0F, MAP_ONE, PFX_9B } from '../../src/decoder/form.js';
import { getFormIndex } from '../../src/assembler/form-index.js';
import { lineForForm, Rng } from './form-lines.js';
import { roundTrip } from './roundtrip-check.js';

/** Rows no nasm source produces: the assembler picks the canonical encoding of the same instruction instead. */
function nasmNeverEmits(f: DecoderForm, bits: 16 | 32): string | null {
  if (f.map === MAP_ONE && f.opcode === 0x82) return '82 is the undocumented alias of 80';
  if (f.map === MAP_ONE && f.opcode >= 0xc0 && f.opcode <= 0xd3 && f.reg === 6) return '/6 is the undocumented alias of shl /4';
  if (f.map === MAP_ONE && (f.opcode === 0xf6 || f.opcode === 0xf7) && f.reg === 1) return '/1 is the undocumented alias of test /0';
  if (f.map === MAP_0F && f.mnemonic === 'nop' && f.opcode !== 0x1f) return 'hint nops: nasm writes nop r/m as 0f 1f';
  if (f.mnemonic === 'xchg' && f.opcode === 0x90) return '90 is nop';
  if (f.pfx === PFX_9B && f.osz !== 0 && f.osz !== bits / 8) return 'a 66 between fwait and the opcode splits them into two instructions';
  return null;
}

describe('assemble → decode round trip over isa/ forms', () => {
  for (const bits of [32, 16] as const) {
    it(`BITS ${bits}: every line decodes to the instruction it was generated from`, () => {
      const rng = new Rng(bits);
      const problems: string[] = [];
      const unreached: string[] = [];
      let lines = 0;
      for (const form of getFormIndex().all) {
        let exact = false;
        let any = false;
        for (let attempt = 0; attempt < 6 && !exact; attempt++) {
          const line = lineForForm(form, bits, rng, attempt % 2 === 1);
          if (line === null) break;
          any = true;
          lines++;
          const r = roundTrip(line);
          if (r.problem !== null) {
            problems.push(`[${form.encoding}] ${form.mnemonic} ${form.operandText}: '${line.text}': ${r.problem}`);
            break;
          }
          exact = r.exact;
        }
        const mustReach = form.cls !== 'simd' && nasmNeverEmits(form, bits) === null;
        if (!exact && mustReach && (any || form.mnemonic !== 'xchg')) unreached.push(`[${form.encoding}] ${form.mnemonic} ${form.operandText}`);
      }
      expect(problems).toEqual([]);
      expect(unreached).toEqual([]);
      expect(lines).toBeGreaterThan(1000);
    });
  }
});
