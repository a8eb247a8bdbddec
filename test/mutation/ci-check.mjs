#!/usr/bin/env node
/**
 * The CI mutation step (.ci/run): for every src/ folder with a recorded
 * score (scores.json), the files whose text differs from the folder's
 * recorded report (test/mutation/reports/) are mutation-tested again,
 * incrementally, against a scratch copy of that report, and the step fails
 * when the folder's score falls below the recorded one. Folders whose files
 * all match their report cost nothing. A full run is `npm run mutate`, not
 * part of CI.
 *
 * Time: the whole step stops after MUTATION_CI_BUDGET_S seconds (default
 * 600); folders it did not reach are listed as unchecked, which does not
 * fail the run (npm test still holds their behaviour). Set
 * MUTATION_CI_STRICT=1 to fail on that too.
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readJson, reportPath, root, runStryker, scoresFile, unitScore } from './reports-lib.mjs';

const budgetS = Number(process.env.MUTATION_CI_BUDGET_S ?? 600);
const strict = process.env.MUTATION_CI_STRICT === '1';
const started = Date.now();
const scratch = mkdtempSync(path.join(tmpdir(), 'btvm-mutation-'));
const scores = readJson(scoresFile, {});
const below = [];
const unchecked = [];

for (const [unit, recorded] of Object.entries(scores).sort()) {
  const { stale } = unitScore(unit);
  if (!existsSync(path.join(root, 'src', unit))) {
    console.log(`mutation: src/${unit} no longer exists; its recorded score is ignored`);
    continue;
  }
  if (stale.length === 0) {
    console.log(`mutation: src/${unit} ${recorded.score}% (recorded at ${recorded.commit}; no file changed since)`);
    continue;
  }
  const left = budgetS - (Date.now() - started) / 1000;
  if (left < 30) {
    unchecked.push(unit);
    continue;
  }
  const report = path.join(scratch, `${unit.replaceAll('/', '_')}.json`);
  if (existsSync(path.join(root, reportPath(unit)))) copyFileSync(path.join(root, reportPath(unit)), report);
  console.log(`mutation: src/${unit}: ${stale.length} file(s) changed since the recorded report: ${stale.join(' ')}`);
  const code = await runStryker(stale, report, ['--reporters', 'clear-text'], Math.floor(left));
  if (code === 124) {
    unchecked.push(unit);
    continue;
  }
  if (code !== 0) {
    console.error(`mutation: Stryker failed (exit ${code}) on src/${unit}`);
    process.exit(1);
  }
  const now = unitScore(unit, readJson(path.relative(root, report), null));
  const verdict = now.score + 1e-9 >= recorded.score ? 'holds' : 'FELL BELOW';
  console.log(`mutation: src/${unit} ${now.score}% ${verdict} its recorded ${recorded.score}%`);
  if (verdict !== 'holds') {
    below.push(unit);
    for (const m of now.survivors) console.log(`  undetected: ${m.file}:${m.line} ${m.mutator} → ${JSON.stringify(m.replacement)} (${m.status})`);
  }
}

const seconds = Math.round((Date.now() - started) / 1000);
if (unchecked.length > 0) console.log(`mutation: not checked within ${budgetS} s: ${unchecked.map((u) => `src/${u}`).join(' ')}`);
console.log(`mutation: ${Object.keys(scores).length} folder(s), ${below.length} below their recorded score, ${seconds} s`);
process.exit(below.length > 0 || (strict && unchecked.length > 0) ? 1 : 0);
