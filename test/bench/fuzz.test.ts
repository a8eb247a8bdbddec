/**
 * A short seed range of the fuzz harness (bench/fuzz.ts, `npm run fuzz`)
 * in CI: mutated images through every reader and random-code guests under
 * both MMUs and single-step must give no finding — no internal error, no
 * host stack trace, no case past its time limit. The script runs any range
 * in worker processes that also catch aborts and memory peaks; this runs
 * the cases in-process, to stay within seconds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFinding, type Finding } from '../../bench/fuzz/finding.js';
import { CHUNK_BYTES, CHUNKS, guestConfig, guestImage, runGuest, runGuestCase } from '../../bench/fuzz/guest-cases.js';
import { runImageCase } from '../../bench/fuzz/image-cases.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'btvm-fuzz-ci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SCRIPT = join(ROOT, 'dist/bench/fuzz.js');

describe('fuzz harness, CI range', () => {
  it('runs guests that recover from every exception: 64 chunks of ud2 end at isa-debug-exit', async () => {
    const body = new Uint8Array(CHUNKS * CHUNK_BYTES);
    for (let i = 0; i < body.length; i += 2) body.set([0x0f, 0x0b], i);
    for (const mmu of ['shadow', 'nested'] as const) {
      const r = await runGuest(guestImage(0, body), mmu, false, 100_000);
      expect([r.detail, r.status]).toEqual(['exit', (0x10 << 1) | 1]);
      expect(r.exceptions).toBe(CHUNKS);
    }
  });

  it('finds nothing in image seeds 0..39', async () => {
    const findings: Finding[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const f = await runImageCase(seed, ROOT, join(dir, 'image'));
      if (f !== null) findings.push(f);
    }
    expect(findings.map(describeFinding)).toEqual([]);
  });

  it('finds nothing in guest seeds 0..3, 2,000 instructions each (shadow and nested, with and without single-step)', async () => {
    expect(new Set([0, 1, 2, 3].map((s) => JSON.stringify(guestConfig(s)))).size).toBe(4);
    const findings: Finding[] = [];
    for (let seed = 0; seed < 4; seed++) {
      const f = await runGuestCase(seed, 2000);
      if (f !== null) findings.push(f);
    }
    expect(findings.map(describeFinding)).toEqual([]);
  });
});

describe('the fuzz script\'s command line', () => {
  beforeAll(() => {
    if (!existsSync(SCRIPT)) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }, 180_000);
  const fuzz = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('--help prints the usage and runs no seed', () => {
    const r = fuzz('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run fuzz -- /);
    for (const o of ['--images', '--guests', '--from', '--jobs', '--timeout', '--guest-insns']) expect(r.stdout).toContain(o);
    expect(r.stdout).not.toContain('cases');
    expect(r.stderr).toBe('');
  });

  it('an unknown option or a value that is not a count ends with one line and status 2', () => {
    for (const args of [['--image', '5'], ['--images', 'many'], ['--guests', '-3']]) {
      const r = fuzz(...args);
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
