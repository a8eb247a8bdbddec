/**
 * A short seed range of the fuzz harness (bench/fuzz.ts, `npm run fuzz`)
 * in CI: mutated images through every reader and random-code guests under
 * both MMUs and single-step must give no finding — no internal error, no
 * host stack trace, no case past its time limit. The script runs any range
 * in worker processes that also catch aborts and memory peaks; this runs
 * the cases in-process, to stay within seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFinding, type Finding } from '../../bench/fuzz/finding.js';
import { CHUNK_BYTES, CHUNKS, guestConfig, guestImage, runGuest, runGuestCase } from '../../bench/fuzz/guest-cases.js';
import { runImageCase } from '../../bench/fuzz/image-cases.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'btvm-fuzz-ci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
