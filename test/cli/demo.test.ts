/**
 * `npm start` (src/cli/demo.ts): the demo guest's success status under
 * `btvm run` is 1 (isa-debug-exit (0<<1)|1); the script maps the status the
 * fixture documents to 0 and any other to 1, and says which it was.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { fixture } from './run-capture.js';

async function demo(kernel: string): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const status = await runDemo(kernel, {
    stdout: (b) => void (stdout += Buffer.from(b).toString('latin1')),
    stderr: (t) => void (stderr += t),
  });
  return { status, stdout, stderr };
}

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 when the guest ends with its documented status, and says so', async () => {
    const r = await demo(fixture('kernels/hello.elf'));
    expect(r.stderr).toMatch(/passed: btvm run exit status 1 \(the guest wrote 0 to isa-debug-exit\)/);
    expect(r.status).toBe(0);
  }, 20_000);

  it('exits 1 when the guest ends otherwise', async () => {
    const kernel = join(dir, 'hello.elf');
    copyFileSync(fixture('kernels/hello.elf'), kernel);
    writeFileSync(join(dir, 'hello.status'), '3\n');
    const r = await demo(kernel);
    expect(r.stderr).toMatch(/FAILED: btvm run exit status 1 .*expected 3/);
    expect(r.status).toBe(1);
  }, 20_000);
});
