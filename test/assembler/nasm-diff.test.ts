/**
 * Differential test against nasm: the generated corpus (nasm-corpus.ts,
 * thousands of lines: every non-VEX isa/ form at BITS 32 and 16, addressing
 * shapes, prefixes, immediates on size boundaries, short/near jumps, data
 * directives) is assembled once by `nasm -f bin` and once by btvm; the
 * binaries must be identical. On a difference the first disagreeing lines
 * are named from nasm's listing. Skipped, saying so, when nasm is missing.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/assembler/index.js';
import { buildCorpus } from './nasm-corpus.js';
import { nasmAvailable, runNasm } from './nasm-runner.js';

const haveNasm = nasmAvailable('btvm asm vs nasm');

describe.skipIf(!haveNasm)('btvm asm vs nasm -f bin', () => {
  it('assembles the generated corpus to the same bytes as nasm', () => {
    const source = buildCorpus();
    const lines = source.split('\n');
    const instructionLines = lines.filter((l) => l.trim() !== '' && !l.startsWith(';') && !l.endsWith(':') && !/^bits /.test(l));
    expect(instructionLines.length).toBeGreaterThanOrEqual(2000);
    const nasm = runNasm(source);
    const ours = assemble(source, { file: 'corpus.s' });
    const differing: string[] = [];
    for (const l of ours.listing) {
      const want = nasm.perLine.get(l.line);
      // nasm lists reservations and `align` (a macro) without bytes; the whole-image comparison covers them.
      if (want === undefined || want.length === 0) continue;
      const got = nasm.repeated.has(l.line) ? l.bytes.subarray(0, want.length) : l.bytes;
      if (Buffer.compare(Buffer.from(want), Buffer.from(got)) !== 0) {
        differing.push(`line ${l.line} '${lines[l.line - 1]}': btvm ${Buffer.from(l.bytes).toString('hex')} nasm ${Buffer.from(want).toString('hex')}`);
        if (differing.length >= 10) break;
      }
    }
    expect(differing).toEqual([]);
    expect(ours.bytes.length).toBe(nasm.bytes.length);
    expect(Buffer.compare(Buffer.from(ours.bytes), Buffer.from(nasm.bytes))).toBe(0);
  });
});
