#!/usr/bin/env node
/**
 * `npm run mutate -- [options] <src files or folders>`: mutation testing of a
 * part of src/ with StrykerJS (settings in stryker.config.mjs). The paths are
 * grouped by unit (a file's own folder under src/) and Stryker runs once per
 * unit against that unit's incremental report in test/mutation/reports/, so
 * a second run re-tests only what changed. When a run leaves every file of a
 * unit up to date in its report, the unit's score, commit, date and run time
 * are recorded in test/mutation/scores.json: the floor the CI step holds
 * (ci-check.mjs) and the numbers docs/testing.md's table quotes.
 *
 * Options: --concurrency N (default 1: the machine is shared), --force
 * (re-test every mutant, ignoring the report), --summary (print the table of
 * recorded scores as markdown and the undetected mutants, run nothing).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileScores, readJson, reportPath, root, runStryker, scoresFile, sourceFiles, unitOf, unitScore } from './reports-lib.mjs';

const args = process.argv.slice(2);
const stryker = [];
const paths = [];
let summary = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--summary') summary = true;
  else if (a === '--force') stryker.push('--force');
  else if (a === '--concurrency') stryker.push('--concurrency', args[++i]);
  else if (a.startsWith('-')) throw new Error(`unknown option ${a} (known: --concurrency N, --force, --summary)`);
  else paths.push(path.relative(root, path.resolve(a)).split(path.sep).join('/'));
}

function printSummary() {
  const scores = readJson(scoresFile, {});
  console.log('| folder | score | killed | timeout | survived | no coverage | equivalent | not compiling | commit | date | run time |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [unit, s] of Object.entries(scores).sort()) {
    const c = s.counts;
    console.log(`| src/${unit} | ${s.score.toFixed(2)}% | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Equivalent} | ${c.CompileError} | ${s.commit} | ${s.date} | ${s.seconds} s |`);
  }
  for (const unit of Object.keys(scores).sort()) {
    const { survivors } = unitScore(unit);
    for (const m of survivors) console.log(`undetected: ${m.file}:${m.line} ${m.mutator} → ${JSON.stringify(m.replacement)} (${m.status})`);
  }
}

if (summary) {
  printSummary();
  process.exit(0);
}
if (paths.length === 0) {
  // No default: all of src/ takes hours; name what to mutate (`src` itself is accepted).
  console.error('usage: npm run mutate -- [--concurrency N] [--force] <src files or folders> | --summary');
  process.exit(2);
}
const byUnit = new Map();
for (const p of paths) {
  if (!p.startsWith('src/') && p !== 'src') throw new Error(`${p} is not under src/`);
  for (const f of sourceFiles(p)) byUnit.set(unitOf(f), [...(byUnit.get(unitOf(f)) ?? []), f]);
}

/** The commit the mutated sources come from; MUTATE_COMMIT names it when the tree is an exported copy. */
function sourceCommit() {
  if (process.env.MUTATE_COMMIT) return process.env.MUTATE_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
const commit = sourceCommit();
let failed = 0;
for (const [unit, files] of byUnit) {
  console.log(`\nmutation: src/${unit} (${files.length} file${files.length === 1 ? '' : 's'})`);
  const start = Date.now();
  const code = await runStryker(files, reportPath(unit), stryker);
  const seconds = Math.round((Date.now() - start) / 1000);
  if (code !== 0) {
    console.error(`mutation: Stryker exited with ${code} on src/${unit}`);
    failed++;
    continue;
  }
  const result = unitScore(unit);
  for (const f of fileScores(readJson(reportPath(unit), null))) console.log(`mutation:   ${f.file} ${f.score}% (${f.detected} detected, ${f.undetected} undetected)`);
  console.log(`mutation: src/${unit} ${result.score}% (${result.detected} detected, ${result.undetected} undetected, ${result.counts.Equivalent} equivalent) in ${seconds} s`);
  if (result.stale.length === 0) {
    const scores = readJson(scoresFile, {});
    scores[unit] = { score: result.score, counts: result.counts, commit, date: new Date().toISOString().slice(0, 10), seconds };
    writeFileSync(path.join(root, scoresFile), JSON.stringify(scores, null, 2) + '\n');
  } else {
    console.log(`mutation: not recorded: ${result.stale.length} file(s) of src/${unit} not yet in its report`);
  }
}
process.exit(failed ? 1 : 0);
