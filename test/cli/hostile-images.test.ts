/**
 * The built `btvm` on image files made to exhaust the host (issue 18),
 * under a 256 MiB V8 heap: `run`, `disasm` and `ir` each end within
 * seconds with a correct result or a one-line error — never a V8 abort —
 * and `disasm` prints names from the file with no raw control character.
 *
 * Spawns dist/src/cli/bin.js (`npm run build` makes it; CI's `npm ci`
 * builds it through `prepare`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_ENTRY, KERNEL_EXIT_STATUS, longSharedNames, manyHeadersOneSymtab, namedElf } from '../support/hostile-elf.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'btvm-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}, 180_000);

/** `cpuMs`: the CLI process's user + system CPU time, which a loaded machine does not inflate as it does wall time. */
interface Outcome { status: number | null; signal: string | null; stdout: string; stderr: string; cpuMs: number }

/** bash's `time` reports the child's CPU time on the last line of stderr; the rest is btvm's. */
const TIMED = 'TIMEFORMAT="btvm-cpu %U %S"; time "$@"';

function btvm(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', TIMED, 'bash', process.execPath, '--max-old-space-size=256', CLI, ...args],
      { maxBuffer: 64 << 20, timeout: 120_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number; signal?: string }) | null;
        const m = /btvm-cpu ([\d.]+) ([\d.]+)\n$/.exec(stderr);
        resolve({
          status: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr: m === null ? stderr : stderr.slice(0, m.index),
          cpuMs: m === null ? Infinity : (Number(m[1]) + Number(m[2])) * 1000,
        });
      });
  });
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Ends by itself, quickly, with no abort and at most one line on stderr. */
function expectBounded(o: Outcome, what: string): void {
  expect(o.signal, `${what}: killed`).toBeNull();
  expect(o.status, `${what}: ${o.stderr.slice(0, 300)}`).not.toBe(134);
  expect(o.stderr, what).not.toMatch(/FATAL ERROR|heap out of memory|\n.+\n/);
  // About 1.5 s each on an idle machine; the files took 7-36 s and 4.3 GB before issue 18's fix.
  expect(o.cpuMs, what).toBeLessThan(6_000);
}

describe('btvm on amplified ELF files, under a 256 MiB heap', () => {
  const many = () => file('many.elf', manyHeadersOneSymtab());
  const long = () => file('long.elf', longSharedNames(false));

  it('runs, disassembles and translates a file whose 65,000 section headers describe one symbol table', async () => {
    const f = many();
    const [run, disasm, ir] = await Promise.all([btvm(['run', f]), btvm(['disasm', f]), btvm(['ir', f, '--at', String(KERNEL_ENTRY)])]);
    for (const [o, w] of [[run, 'run'], [disasm, 'disasm'], [ir, 'ir']] as const) expectBounded(o, w);
    expect(run.status).toBe(KERNEL_EXIT_STATUS);
    expect(disasm.status).toBe(0);
    expect(disasm.stdout).toContain('Disassembly of section .text:');
    expect(disasm.stdout).toContain('00100000 <f>:');
    expect(ir.status).toBe(0);
    expect(ir.stdout).toContain('== generated JavaScript');
  });

  it('runs, disassembles and translates a file whose 20,000 symbols are named by one 4 MiB string', async () => {
    const f = long();
    const [run, disasm, ir] = await Promise.all([btvm(['run', f]), btvm(['disasm', f]), btvm(['ir', f, '--at', String(KERNEL_ENTRY)])]);
    for (const [o, w] of [[run, 'run'], [disasm, 'disasm'], [ir, 'ir']] as const) expectBounded(o, w);
    expect(run.status).toBe(KERNEL_EXIT_STATUS);
    expect(disasm.status).toBe(0);
    expect(disasm.stdout).toContain(`00100000 <${'A'.repeat(4 << 20)}>:`);
    expect(ir.status).toBe(0);
  });

});

describe('btvm disasm and names with control characters', () => {
  it('prints section and symbol names as objdump does, with no raw control or line-breaking character', async () => {
    const f = file('names.elf', namedElf('.te\x1b[31mxt', ['a\x1b]0;pwned\x07b', 'c\rd', 'e\u2028f', 'g\x7fh', 'i\u009bj', 'k\u202el']));
    const o = await btvm(['disasm', f]);
    expect(o.status, o.stderr).toBe(0);
    expect(o.stdout).toContain('Disassembly of section .te^[[31mxt:');
    expect(o.stdout).toContain('00100000 <a^[]0;pwned^Gb>:');
    expect(o.stdout).toContain('<c^Md>:');
    expect(o.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u2028\u2029\u202a-\u202e]/);
  });
});
