/**
 * What `npm run mutate` (mutate.mjs) and the CI mutation step (ci-check.mjs)
 * share: how src/ files group into folders ("units": a file's own directory
 * under src/, so src/vmm/devices is a unit apart from src/vmm), where each
 * unit's incremental report lives, how a unit's score is computed from its
 * report, and how Stryker is started on a list of files.
 *
 * Score = detected / (detected + undetected), where detected = Killed +
 * Timeout and undetected = Survived + NoCoverage, less the surviving mutants
 * listed as equivalent in equivalent-mutants.json (each with its reason, also
 * shown in docs/testing.md): matched by file, mutator, replacement, text on
 * the mutant's line and, where that text repeats, text on the line before. CompileError and Ignored mutants do not count.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const reportsDir = 'test/mutation/reports';
export const scoresFile = 'test/mutation/scores.json';
export const equivalentFile = 'test/mutation/equivalent-mutants.json';
const configFile = 'test/mutation/stryker.config.mjs';

/** Every mutable .ts file under a src/ path (a file or a folder), repo-relative. */
export function sourceFiles(rel) {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) throw new Error(`no such file or folder: ${rel}`);
  if (statSync(abs).isFile()) return rel.endsWith('.ts') && !rel.endsWith('.d.ts') ? [rel] : [];
  return readdirSync(abs, { withFileTypes: true })
    .flatMap((d) => sourceFiles(path.join(rel, d.name)))
    .sort();
}

/** The unit a source file belongs to: its directory under src/ ("vmm/devices"). */
export function unitOf(file) {
  return path.relative('src', path.dirname(file)).split(path.sep).join('/');
}

/** The files directly in a unit's folder (not its subfolders). */
export function unitFiles(unit) {
  const dir = path.join('src', unit);
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.d.ts'))
    .map((d) => path.join(dir, d.name).split(path.sep).join('/'))
    .sort();
}

export function reportPath(unit) {
  return `${reportsDir}/${unit.replaceAll('/', '_')}.json`;
}

export function readJson(rel, fallback) {
  const abs = path.join(root, rel);
  return existsSync(abs) ? JSON.parse(readFileSync(abs, 'utf8')) : fallback;
}

/** Whether an equivalent-mutants.json entry names this mutant of this file. */
function listedAsEquivalent(entries, file, source, mutant) {
  const lines = source.split('\n');
  const line = lines[mutant.location.start.line - 1]?.trim() ?? '';
  const before = lines[mutant.location.start.line - 2]?.trim() ?? '';
  return entries.some(
    (e) => e.file === file && e.mutator === mutant.mutatorName && e.replacement === mutant.replacement && line.includes(e.line) &&
      (e.before === undefined || before.includes(e.before)),
  );
}

/**
 * Counts and score of one unit from its incremental report. Files of the
 * report no longer in the unit's folder are left out; `stale` lists the
 * unit's files whose text differs from the report's copy (or that it lacks).
 */
export function unitScore(unit, report = readJson(reportPath(unit), null), equivalents = readJson(equivalentFile, [])) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, Equivalent: 0 };
  const survivors = [];
  const current = new Set(existsSync(path.join(root, 'src', unit)) ? unitFiles(unit) : []);
  const stale = [...current].filter((f) => {
    const rec = report?.files?.[f];
    return !rec || rec.source !== readFileSync(path.join(root, f), 'utf8');
  });
  for (const [file, rec] of Object.entries(report?.files ?? {})) {
    if (!current.has(file)) continue;
    for (const m of rec.mutants) {
      const undetected = m.status === 'Survived' || m.status === 'NoCoverage';
      if (undetected && listedAsEquivalent(equivalents, file, rec.source, m)) counts.Equivalent++;
      else counts[m.status] = (counts[m.status] ?? 0) + 1;
      if (undetected) survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, replacement: m.replacement, status: m.status });
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const undetected = counts.Survived + counts.NoCoverage;
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  return { unit, counts, detected, undetected, score: Math.floor(score * 100) / 100, survivors, stale };
}

/**
 * Test files that hold a unit to its behaviour in a mutation run: the unit's
 * mirror under test/ (src/vmm/devices → test/vmm/devices), plus the extra
 * globs below for units whose behaviour is checked elsewhere too. The whole
 * suite would kill a few more mutants, but its kernel-booting files cost
 * seconds per mutant and time out on a loaded machine; `related` (stryker.
 * config.mjs) still drops the files that do not import the unit.
 */
const extraTests = {};

export function testsFor(unit) {
  const mirror = `test/${unit}`;
  const globs = existsSync(path.join(root, mirror)) ? [`${mirror}/**/*.test.ts`] : [];
  return [...globs, ...(extraTests[unit] ?? [])];
}

/** Detected and undetected mutants per file of a report (for runs that cover only part of a folder). */
export function fileScores(report) {
  return Object.entries(report?.files ?? {}).map(([file, rec]) => {
    const detected = rec.mutants.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
    const undetected = rec.mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage').length;
    return { file, detected, undetected, score: detected + undetected === 0 ? 100 : Math.floor((10000 * detected) / (detected + undetected)) / 100 };
  });
}

/** Runs Stryker on `files` (all in one unit) against `incrementalFile`; resolves to its exit code. */
export function runStryker(files, incrementalFile, extraArgs = [], timeoutS = 0) {
  const args = ['stryker', 'run', configFile, '--mutate', files.join(','), '--incrementalFile', incrementalFile, ...extraArgs];
  const tests = testsFor(unitOf(files[0]));
  // MUTATE_TESTS set by the caller narrows a run further (e.g. to skip a slow oracle test).
  const env = { ...process.env, MUTATE_TESTS: process.env.MUTATE_TESTS ?? tests.join(',') };
  return new Promise((resolve) => {
    const child = spawn('npx', args, { cwd: root, stdio: 'inherit', detached: true, env });
    let timer;
    if (timeoutS > 0) {
      timer = setTimeout(() => {
        console.error(`mutation: ${timeoutS} s budget used up; stopping Stryker (pid ${child.pid})`);
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      }, timeoutS * 1000);
    }
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? 124 : code ?? 1);
    });
  });
}
