/**
 * `btvm run` options about where things go and how large the guest is:
 * `--stats-json -` writes the JSON report to stdout, `-D FILE` without any
 * `-d` item leaves no file behind, and `-m` runs the guest up to its largest
 * accepted size (3584M, QEMU's i386 PC RAM below the PCI hole; also as
 * 3.5G) and refuses larger with one line, exit 2.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { fixture } from './run-capture.js';

async function run(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const status = await runCommand(argv, {
    io: { stdout: (b) => void (stdout += Buffer.from(b).toString('latin1')), stderr: (t) => void (stderr += t) },
  });
  return { status, stdout, stderr };
}

const HELLO = fixture('kernels/hello.elf');
const HELLO_STATUS = Number(readFileSync(fixture('kernels/hello.status'), 'latin1'));
const dir = mkdtempSync(join(tmpdir(), 'btvm-run-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('btvm run --stats-json -', () => {
  it('writes the report to stdout after the guest output', async () => {
    const r = await run([HELLO, '--stats-json', '-']);
    expect(r.status).toBe(HELLO_STATUS);
    expect(existsSync('-')).toBe(false);
    const json = r.stdout.slice(r.stdout.indexOf('{'));
    expect(r.stdout.slice(0, r.stdout.indexOf('{'))).toBe(readFileSync(fixture('kernels/hello.expected'), 'latin1'));
    const report = JSON.parse(json) as { exit: { status: number }; guest: { instructions: number } };
    expect(report.exit.status).toBe(HELLO_STATUS);
    expect(report.guest.instructions).toBeGreaterThan(0);
  }, 20_000);
});

describe('btvm run -D FILE', () => {
  it('creates no file when no -d item is given', async () => {
    const log = join(dir, 'no-items.log');
    const r = await run([HELLO, '-D', log]);
    expect(r.status).toBe(HELLO_STATUS);
    expect(existsSync(log)).toBe(false);
  }, 20_000);

  it('writes the -d items to the file', async () => {
    const log = join(dir, 'in-asm.log');
    const r = await run([HELLO, '-d', 'in_asm', '-D', log]);
    expect(r.status).toBe(HELLO_STATUS);
    expect(readFileSync(log, 'utf8')).toMatch(/^IN:/m);
    expect(r.stderr).not.toMatch(/^IN:/m);
  }, 20_000);
});

describe('btvm run -m', () => {
  for (const size of ['3584M', '3.5G', '3583M']) {
    it(`runs the guest with -m ${size}`, async () => {
      const r = await run([HELLO, '-m', size]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(HELLO_STATUS);
      expect(r.stdout).toBe(readFileSync(fixture('kernels/hello.expected'), 'latin1'));
    }, 20_000);
  }

  it('refuses more than 3584M with one line, exit 2', async () => {
    for (const size of ['3585M', '3.6G', '4G', '3670017K']) {
      const r = await run([HELLO, '-m', size]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`btvm: memory size '${size}' must be between 1M and 3584M (3.5G)\n`);
    }
  });
});
