/**
 * The `btvm` entry: importing src/cli/main.ts runs nothing (the executable
 * is src/cli/bin.ts), and a reader that closes the pipe early
 * (`btvm disasm FILE | head`) ends the process quietly — no EPIPE stack
 * trace, the status a shell reports for SIGPIPE.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleCli, type CliBundle } from '../support/cli-bundle.js';

describe('src/cli/main.ts', () => {
  it('has no side effects on import', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    const before = process.exitCode;
    try {
      const cli = await import('../../src/cli/main.js');
      await new Promise((r) => setTimeout(r, 50));
      expect(typeof cli.runCli).toBe('function');
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
      expect(process.exitCode).toBe(before);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe('btvm with its stdout closed early', () => {
  let cli: CliBundle;
  const dir = mkdtempSync(join(tmpdir(), 'btvm-epipe-'));
  beforeAll(async () => {
    cli = await bundleCli();
  });
  afterAll(() => {
    cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('disasm | head: exits 141 with nothing on stderr', async () => {
    // 1 MiB of `add [eax],al`: far more listing than a pipe buffer holds.
    const image = join(dir, 'zeros.bin');
    writeFileSync(image, new Uint8Array(1 << 20));
    const child = spawn(process.execPath, [cli.main, 'disasm', '--raw', image], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    // Read one chunk, then go away as head does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => { child.stdout.destroy(); resolve(); }));
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(stderr).toBe('');
    expect(status).toBe(141);
  }, 20_000);
});
