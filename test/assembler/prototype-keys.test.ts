/**
 * Source words that name Object.prototype members (`constructor`,
 * `__proto__`, `toString`, `hasOwnProperty`…) are ordinary words to nasm:
 * labels alone on a line, unknown instructions before operands, undefined
 * symbols in expressions. The assembler looks words up in tables; each must
 * answer as nasm does, never with a prototype member (issue 18). nasm is the
 * oracle: the same line, assembled by both, gives the same bytes or fails in
 * both — and btvm's failure is a user error, not an internal one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble, AssemblyError } from '../../src/assembler/index.js';
import { toolsFor } from '../support/external-tools.js';

const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

/** Each key where a mnemonic, a condition code, a string-op width, a label or a symbol may stand. */
const LINES = KEYS.flatMap((k) => [
  k,
  `${k}:`,
  `${k} eax`,
  `${k} eax, 1`,
  `j${k} short $`,
  `set${k} al`,
  `cmov${k} eax, ebx`,
  `lods${k}`,
  `mov eax, [${k}]`,
  `${k}: jmp ${k}`,
]);

const dir = mkdtempSync(join(tmpdir(), 'btvm-protokeys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = promisify(execFile);

/** nasm's bytes for the line, or null when it refuses it. One file per line: each error must stand alone. */
async function nasm(line: string, i: number): Promise<Uint8Array | null> {
  const src = join(dir, `l${i}.s`);
  const out = join(dir, `l${i}.bin`);
  writeFileSync(src, `bits 32\n${line}\n`);
  try {
    await run('nasm', ['-f', 'bin', '-w-all', '-o', out, src]);
    return new Uint8Array(readFileSync(out));
  } catch {
    return null;
  }
}

function btvm(line: string): Uint8Array | AssemblyError {
  try {
    return assemble(`bits 32\n${line}\n`, { file: 'l.s' }).bytes;
  } catch (e) {
    if (e instanceof AssemblyError) return e;
    throw e;
  }
}

describe('assembler tables and prototype keys', () => {
  it.skipIf(!toolsFor('assembler prototype keys vs nasm', 'nasm'))('gives nasm\'s answer for every line naming an Object.prototype member (skips without Debian package nasm)', async () => {
    const answers = await Promise.all(LINES.map(nasm));
    const wrong: string[] = [];
    for (const [i, line] of LINES.entries()) {
      const want = answers[i]!;
      const got = btvm(line);
      if (got instanceof AssemblyError) {
        if (want !== null) wrong.push(`${line}: nasm assembles it, btvm says ${got.detail}`);
        else if (/internal/.test(got.detail)) wrong.push(`${line}: ${got.detail}`);
      } else if (want === null) wrong.push(`${line}: nasm refuses it, btvm assembles it`);
      else if (Buffer.compare(Buffer.from(want), Buffer.from(got)) !== 0) {
        wrong.push(`${line}: nasm ${Buffer.from(want).toString('hex')}, btvm ${Buffer.from(got).toString('hex')}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
