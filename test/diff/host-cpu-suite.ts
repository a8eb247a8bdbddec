/**
 * The host-CPU differential suite, shared by the two test files that each
 * run half of it (vitest runs files in parallel, one per core; translating
 * thousands of fresh programs is CPU-bound).
 *
 * DIFF_CASES (default 20,000) cases in batches of BATCH; batch j goes to
 * shard j mod SHARDS, and is generated from seed DIFF_SEED + j, so every
 * batch is reproducible on its own: a failure prints the seed, the case
 * index, its assembly text, the inputs and both result lines.
 * `npm run diff:million` sets DIFF_CASES=1000000 and DIFF_PROGRESS=1 (a line
 * per batch of 5000 on the console).
 */
import { describe, expect, it } from 'vitest';
import { haveHarness, probeHostSelectors } from '../support/native-harness.js';
import { toolsFor } from '../support/external-tools.js';
import { TranslatedRunner } from '../support/translated-runner.js';
import { runBatch, type Mismatch } from './differential-batch.js';
import { ProgramGenerator } from './generator.js';
import { inlineForms } from './inline-forms.js';

export const SHARDS = 2;
const BATCH = 5000;
const TOTAL = Number(process.env['DIFF_CASES'] ?? 20000);
const SEED = Number(process.env['DIFF_SEED'] ?? 0x5eed0001);
const SHOW = 4;
/** One line per batch (`npm run diff:million` sets it: a million cases take a while). */
const PROGRESS = process.env['DIFF_PROGRESS'] === '1';

export function hostCpuSuite(shard: number): void {
  const batches: { seed: number; count: number }[] = [];
  for (let j = 0, done = 0; done < TOTAL; j++) {
    const count = Math.min(BATCH, TOTAL - done);
    if (j % SHARDS === shard) batches.push({ seed: SEED + j, count });
    done += count;
  }
  const cases = batches.reduce((s, b) => s + b.count, 0);
  const available = toolsFor(`host-CPU differential shard ${shard + 1}`, 'nasm') && haveHarness();

  describe.skipIf(!available)(`translated execution equals the host CPU (shard ${shard + 1}/${SHARDS}, ${cases} cases)`, () => {
    it('random programs over every inline form give the same registers, defined flags, memory and faults', async () => {
      const forms = inlineForms();
      const gen = new ProgramGenerator(forms);
      const runner = new TranslatedRunner(probeHostSelectors());
      const mismatches: Mismatch[] = [];
      const encodingProblems: string[] = [];
      const hit = new Set<number>();
      const endings = new Map<string, number>();
      let done = 0;
      for (const b of batches) {
        const r = await runBatch(gen, runner, b.seed, b.count, { singleStepEvery: 16 });
        mismatches.push(...r.mismatches);
        encodingProblems.push(...r.encodingProblems);
        for (const f of r.formsHit) hit.add(f);
        for (const [k, v] of r.endings) endings.set(k, (endings.get(k) ?? 0) + v);
        done += b.count;
        if (PROGRESS) console.log(`shard ${shard + 1}/${SHARDS}: ${done}/${cases} cases, ${mismatches.length} differ`);
      }
      expect(encodingProblems.slice(0, 20), 'nasm encoded lines as other rows than meant').toEqual([]);
      const missing = forms.filter((f) => !hit.has(f.id)).map((f) => `${f.mnemonic} ${f.operandText} [${f.encoding}] ${f.file}:${f.line}`);
      if (cases >= forms.length) expect(missing, 'inline forms no case executed').toEqual([]);
      if (mismatches.length > 0) {
        const shown = mismatches.slice(0, SHOW).map((m) => m.report).join('\n\n');
        expect.fail(`${mismatches.length} of ${cases} cases differ from the host CPU; the first ${Math.min(SHOW, mismatches.length)}:\n\n${shown}`);
      }
      // The run must have exercised faults as well as normal exits.
      if (cases >= 2000) for (const k of ['exit', 'DE', 'PF', 'BR']) expect(endings.get(k) ?? 0, `cases ending with ${k}`).toBeGreaterThan(0);
    }, 120_000 + cases * 10);
  });
}
