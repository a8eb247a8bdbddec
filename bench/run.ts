/**
 * `npm run bench`: the micro-benchmarks (benny suites, one file per hot path:
 * bench/*.bench.ts), the whole-guest comparison of btvm against QEMU, v86
 * and native execution on the compute kernels in fixtures/bench/, and the
 * nanobenchmarks (bench/nano.ts: ns per VMM-costly operation, fixtures/nano/),
 * and the Debian Linux guest phase by phase under btvm, QEMU and v86
 * (bench/linux.ts; only when fixtures/linux/fetch.sh has fetched it).
 *
 *   npm run bench -- [--micro-only | --guests-only | --nano-only | --passes-only | --linux-only] [--runs N] [--only NAME,...]
 *                    [--json FILE] [--svg FILE] [--compare OLD.json]
 *                    [--nano-iters N1,N2] [--nano-ops OP,...] [--nano-peers btvm,qemu] [--nano-json FILE]
 *                    [--linux-runs N] [--linux-peers btvm,qemu,v86] [--linux-timeout S] [--linux-btvm-args "ARGS"] [--linux-node-args "ARGS"]
 *                    [--linux-json FILE] [--linux-svg FILE] [--linux-compare OLD.json]
 *
 * Results go to stdout as tables; JSON (guests.json, nano.json, linux.json)
 * and SVG charts are written to bench/results/ unless other paths are given.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { option } from './command-line.js';
import { measureGuest, type GuestResult } from './guests/measure.js';
import { PEERS, repoRoot, type BenchGuest } from './guests/peers.js';
import { Progress } from './guests/progress.js';
import { buildReport, formatComparison, formatSvg, formatTable, type BenchReport } from './guests/report.js';
import { runLinux } from './linux.js';
import { runNano } from './nano.js';
import { runPasses } from './passes.js';

function runMicro(): void {
  const dir = path.join(repoRoot, 'dist', 'bench');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.js')).sort() : [];
  if (files.length === 0) process.stdout.write('micro-benchmarks: none built (npm run build)\n');
  for (const f of files) {
    process.stdout.write(`\n== ${f.replace(/\.js$/, '')} ==\n`);
    spawnSync(process.execPath, [path.join(dir, f)], { stdio: 'inherit' });
  }
}

/** Each benchmark kernel NAME.elf in fixtures/bench/ with NAME.native and the QEMU transcript NAME.expected. */
export function findGuests(only: Set<string> | null): BenchGuest[] {
  const dir = path.join(repoRoot, 'fixtures', 'bench');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.elf'))
    .map((f) => f.slice(0, -4))
    .filter((name) => only === null || only.has(name))
    .sort()
    .map((name) => {
      const at = (ext: string): string | null => (existsSync(path.join(dir, name + ext)) ? path.join(dir, name + ext) : null);
      const expected = at('.expected');
      return { name, kernel: path.join(dir, name + '.elf'), native: at('.native'), expected: expected ? readFileSync(expected, 'utf8') : null };
    });
}

function runGuests(argv: string[]): void {
  const runs = Number(option(argv, '--runs') ?? '3');
  const only = option(argv, '--only');
  const guests = findGuests(only ? new Set(only.split(',')) : null);
  if (guests.length === 0) {
    process.stdout.write('guest benchmarks: no kernels in fixtures/bench/\n');
    return;
  }
  const skipped: string[] = [];
  const peers = PEERS.filter((p) => {
    const why = p.unavailable();
    if (why !== null) skipped.push(`${p.label}: ${why}`);
    return why === null;
  });
  for (const s of skipped) process.stderr.write(`skipping ${s}\n`);
  const progress = new Progress(guests.length * peers.length * runs);
  const results: GuestResult[] = guests.map((g) => measureGuest(g, peers, runs, progress));
  progress.finish();
  const report = buildReport(results, runs, skipped);
  process.stdout.write('\n' + formatTable(report));

  const outDir = path.join(repoRoot, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const jsonPath = option(argv, '--json') ?? path.join(outDir, 'guests.json');
  const svgPath = option(argv, '--svg') ?? path.join(outDir, 'guests.svg');
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(svgPath, formatSvg(report));
  process.stdout.write(`wrote ${path.relative(process.cwd(), jsonPath)} and ${path.relative(process.cwd(), svgPath)}\n`);
  const compare = option(argv, '--compare');
  if (compare) {
    const old = JSON.parse(readFileSync(compare, 'utf8')) as BenchReport;
    process.stdout.write('\n' + formatComparison(report, old));
  }
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(readFileSync(new URL(import.meta.url)).toString().split('*/')[0]!.replace(/^\/\*\*?|^ \* ?/gm, '') + '\n');
} else {
  const only = ['--micro-only', '--guests-only', '--nano-only', '--passes-only', '--linux-only'].find((f) => argv.includes(f));
  if (only === undefined || only === '--micro-only') runMicro();
  if (only === undefined || only === '--guests-only') runGuests(argv);
  if (only === undefined || only === '--nano-only') runNano(argv);
  if (only === undefined || only === '--passes-only') runPasses(argv);
  if (only === undefined || only === '--linux-only') await runLinux(argv);
}
