/**
 * Random byte strings (fast-check) decoded by us and by objdump.
 *
 * All cases are concatenated into one flat image, each followed by 15 bytes
 * of nops so both decoders resynchronise; objdump runs once on the image
 * (`-b binary -m i386 -M intel -D`) and both streams are walked in step.
 * Checked: decode() never throws; where objdump decodes an instruction we
 * know, length and mnemonic agree.
 *
 * Not compared (each is a deliberate or documented difference):
 *  - objdump `(bad)` / `.byte`: its length for undefined encodings is an
 *    artefact of its tables; ours is what the CPU would have fetched.
 *  - `lock` on a non-lockable form or register destination: objdump prints
 *    `lock mov …`, we return 'invalid' (#UD, as the brief and the SDM say).
 *  - mov to/from segment register 6/7: objdump prints `?`, the CPU raises #UD.
 *  - db e0/e1/e4 (`fneni(8087 only)` …): 8087/287-only nops objdump names
 *    with text that is not a mnemonic; we call them undefined.
 *  - VEX/EVEX/XOP forms beyond isa/avx.isa and 3DNow!: objdump prints `v…`
 *    mnemonics; we decode the VEX forms real i386 libraries use only.
 * Any other disagreement fails and is listed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/decoder/decode.js';
import { formatInsn } from '../../src/decoder/disasm.js';
import { objdumpRaw } from './objdump-oracle.js';
import { toolsFor } from '../support/external-tools.js';

/** Bias toward interesting bytes: prefixes, escapes, group opcodes, x87, SIB-heavy ModRMs. */
const byte = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 2, arbitrary: fc.constantFrom(0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0xf0) },
  { weight: 2, arbitrary: fc.constantFrom(0x0f, 0x38, 0x3a, 0x80, 0x81, 0x83, 0xc7, 0xf6, 0xf7, 0xff, 0xd9, 0xdd, 0xdf) },
  { weight: 1, arbitrary: fc.constantFrom(0x04, 0x44, 0x84, 0x24, 0x05, 0x25, 0xe0, 0xc0) },
);

function objdumpMnemonic(text: string): string {
  // Drop prefix words objdump prints before the mnemonic; compare the instruction's own name.
  const words = text.split(' ');
  const prefixes = new Set(['lock', 'rep', 'repz', 'repnz', 'repe', 'repne', 'data16', 'addr16', 'bnd', 'notrack', 'xacquire', 'xrelease', 'cs', 'ds', 'es', 'ss', 'fs', 'gs']);
  let i = 0;
  while (i < words.length - 1 && prefixes.has(words[i]!)) i++;
  return words[i]!;
}

describe.skipIf(!toolsFor('random byte strings vs objdump', 'objdump'))('random byte strings vs objdump', () => {
  it('never throws, and agrees on length and mnemonic', () => {
    const cases = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 15 }).chain((a) => fc.array(byte, { minLength: a.length, maxLength: a.length })), {
      numRuns: 4000,
      seed: 0x5eed,
    });
    const parts: number[] = [];
    const inCase: boolean[] = [];
    for (const c of cases) {
      for (let i = 0; i < c.length; i++) inCase[parts.length + i] = true;
      parts.push(...c);
      for (let i = 0; i < 15; i++) parts.push(0x90);
    }
    const image = Uint8Array.from(parts);
    const ref = objdumpRaw(image);
    const refAt = new Map(ref.map((r) => [r.address, r]));
    let compared = 0;
    const diffs: string[] = [];
    let off = 0;
    while (off < image.length) {
      const insn = decode(image, off, off);
      const r = refAt.get(off);
      const step = r !== undefined ? r.length : Math.max(insn.length, 1);
      // Only instructions that start in random bytes count; the nop padding would inflate the total.
      if (r !== undefined && inCase[off] === true) {
        const theirs = objdumpMnemonic(r.text);
        const skip =
          r.text.includes('(bad)') || r.text.includes(' only)') || r.text.startsWith('.byte') || r.text.includes('?') ||
          /(^| )lock /.test(r.text) && insn.status === 'invalid' || /^[vk]/.test(theirs) || theirs.startsWith('{') ||
          /^(femms|pf|pi2f|pswapd|pavgusb|pmulhrw|prefetch$)/.test(theirs);
        if (!skip) {
          compared++;
          const t = formatInsn(insn, image, off);
          const ours = insn.status === 'ok' ? insn.mnemonic : '(bad)';
          if (insn.length !== r.length || ours !== theirs) {
            diffs.push(`${Buffer.from(image.subarray(off, off + 15)).toString('hex')}: objdump ${r.length} '${r.text}', ours ${insn.length} '${t.mnemonic} ${t.operands}'`);
          }
        }
      }
      off += step;
    }
    expect(compared).toBeGreaterThan(3000);
    expect(diffs.slice(0, 40), `${diffs.length} of ${compared} differ`).toEqual([]);
  });
});
