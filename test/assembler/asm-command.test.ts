/**
 * `btvm asm`: writes the flat binary nasm would, and reports a bad source
 * as one `FILE:LINE: error: …` line with exit status 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { asmCommand } from '../../src/cli/commands/asm.js';

const dir = mkdtempSync(join(tmpdir(), 'btvm-asm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('btvm asm', () => {
  it('assembles a file to -o', async () => {
    const src = join(dir, 'ok.s');
    writeFileSync(src, 'bits 32\norg 0x1000\nstart: mov eax, start\njmp start\n');
    expect(await asmCommand([src, '-o', join(dir, 'ok.bin')])).toBe(0);
    expect(Buffer.from(readFileSync(join(dir, 'ok.bin'))).toString('hex')).toBe('b800100000ebf9');
  });

  it('prints FILE:LINE: error: and exits 2 on a bad line', async () => {
    const src = join(dir, 'bad.s');
    writeFileSync(src, 'bits 32\nnop\nmov eax, [ebx+ecx+edx]\n');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await asmCommand([src, '-o', join(dir, 'bad.bin')])).toBe(2);
      const text = err.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toBe(`${src}:3: error: invalid effective address: more than two registers\n`);
    } finally {
      err.mockRestore();
    }
  });

  it('shows control characters the source puts in an error message instead of sending them to the terminal', async () => {
    const src = join(dir, 'escape.s');
    writeFileSync(src, 'bits 32\nmov\x1b[2J eax, 1\n');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await asmCommand([src, '-o', join(dir, 'escape.bin')])).toBe(2);
      const text = err.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toBe(`${src}:2: error: unexpected character '^['\n`);
    } finally {
      err.mockRestore();
    }
  });
});
