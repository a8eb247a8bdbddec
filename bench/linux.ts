/**
 * The bench's linux section: the Debian guest (fixtures/linux) booted under
 * btvm, QEMU and v86, timed phase by phase — boot to user space, each
 * program of its /init, shutdown — with btvm's own statistics for the run.
 *
 *   npm run bench -- --linux-only [--runs N] [--linux-peers btvm,qemu,v86]
 *                    [--linux-timeout S] [--linux-btvm-args "ARGS"] [--linux-node-args "ARGS"] [--linux-json FILE] [--linux-svg FILE]
 *                    [--linux-compare OLD.json]
 *   node dist/bench/linux.js [same options]
 *
 * Runs: --linux-runs N, else --runs N with --linux-only, else 1 (a btvm
 * boot takes minutes). Rounds interleave the peers (QEMU, v86, btvm, QEMU,
 * …) and the table quotes medians. A run counts only when it exits with
 * status 0 and its lines from "btvm-init: start" to "btvm-init: done" are
 * exactly boot.qemu's. --linux-btvm-args passes more options to `btvm run`
 * (e.g. "--mmu nested"), --linux-node-args options to btvm's node (e.g.
 * "--cpu-prof --cpu-prof-dir=prof": a V8 profile of the boot). Writes bench/results/linux.json and linux.svg;
 * --linux-compare prints btvm's change per phase against an earlier JSON.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../src/cli/run-stats.js';
import { option } from './command-line.js';
import { repoRoot } from './guests/peers.js';
import { findLinuxGuest, LINUX_PEERS, type LinuxPeer } from './linux/peers.js';
import { buildLinuxReport, formatLinuxComparison, formatLinuxSvg, formatLinuxTable, type LinuxPeerResult, type LinuxReport, type LinuxRunRecord } from './linux/report.js';
import { timedRun, type TimedRun } from './linux/timed-run.js';
import { initReference, phasesOf, type InitReference } from './linux/transcript.js';

export { findLinuxGuest } from './linux/peers.js';

/** Peers in the order a round runs them: the quick ones first, so a broken setup shows at once. */
const ROUND_ORDER = ['qemu', 'v86', 'btvm'] as const;

export function linuxRuns(argv: readonly string[]): number {
  const text = option(argv, '--linux-runs') ?? (argv.includes('--linux-only') ? option(argv, '--runs') : undefined) ?? '1';
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`linux: the number of runs must be a positive integer, not '${text}'`);
  return runs;
}

/** Why a finished run does not count, or its phases. */
export function judgeRun(run: TimedRun, ref: InitReference): { phasesMs: Record<string, number> | null; problem: string | null } {
  let problem: string | null = null;
  if (run.error !== null) problem = `failed to start: ${run.error}`;
  else if (run.timedOut) problem = `killed after ${(run.totalMs / 1000).toFixed(0)} s (--linux-timeout)`;
  else if (run.status !== 0) problem = `exit status ${run.status ?? run.signal}${errorLines(run.stderrTail)}`;
  const judged = phasesOf(run.lines, run.totalMs, ref);
  if ('problem' in judged) return { phasesMs: null, problem: problem ?? judged.problem };
  return { phasesMs: problem === null ? judged.phases : null, problem };
}

/** The last lines of a failed run's stderr that say something (not Node's stack frames or version trailer). */
function errorLines(stderr: string): string {
  const said = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^at |^Node\.js v/.test(l));
  return said.length ? `: ${said.slice(-2).join(' | ').slice(0, 200)}` : '';
}

function readStats(file: string): RunReport | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunReport;
  } catch {
    return null;
  }
}

export async function runLinux(argv: readonly string[]): Promise<void> {
  const guest = findLinuxGuest();
  if (typeof guest === 'string') {
    process.stdout.write(`linux: skipped, ${guest}\n`);
    return;
  }
  const ref = initReference(guest.expected);
  const runs = linuxRuns(argv);
  const timeoutMs = Number(option(argv, '--linux-timeout') ?? '3600') * 1000;
  const wanted = option(argv, '--linux-peers')?.split(',');
  const words = (name: string): string[] => (option(argv, name) ?? '').split(/\s+/).filter((a) => a !== '');
  const btvmOptions = { run: words('--linux-btvm-args'), node: words('--linux-node-args') };
  const skipped: string[] = [];
  const peers: LinuxPeer[] = ROUND_ORDER.map((name) => LINUX_PEERS.find((p) => p.name === name)!).filter((p) => {
    if (wanted !== undefined && !wanted.includes(p.name)) return false;
    const why = p.unavailable();
    if (why !== null) skipped.push(`${p.label}: ${why}`);
    return why === null;
  });
  for (const s of skipped) process.stderr.write(`linux: skipping ${s}\n`);
  if (peers.length === 0) {
    process.stdout.write('linux: no peer available\n');
    return;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'btvm-bench-linux-'));
  const results: LinuxPeerResult[] = peers.map((p) => ({ peer: p.name, label: p.label, runs: [] }));
  try {
    for (let round = 1; round <= runs; round++) {
      for (const [i, peer] of peers.entries()) {
        process.stderr.write(`linux: ${peer.label} run ${round}/${runs} …\n`);
        const statsFile = path.join(scratch, `stats-${peer.name}-${round}.json`);
        const cmd = peer.command(guest, statsFile, btvmOptions);
        const run = await timedRun(cmd.file, cmd.args, timeoutMs);
        const record: LinuxRunRecord = { round, ...judgeRun(run, ref), stats: peer.name === 'btvm' ? readStats(statsFile) : null };
        results[i]!.runs.push(record);
        process.stderr.write(`linux: ${peer.label} run ${round}/${runs}: ${record.problem ?? `boot ${fmt(record.phasesMs!.boot!)}, init ${fmt(record.phasesMs!.init!)}, total ${fmt(run.totalMs)}`}\n`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const report = buildLinuxReport(results, runs, { versions: guest.versions, append: guest.append },
    `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, node ${process.version}`, skipped);
  process.stdout.write('\n' + formatLinuxTable(report));
  const outDir = path.join(repoRoot, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const jsonPath = option(argv, '--linux-json') ?? path.join(outDir, 'linux.json');
  const svgPath = option(argv, '--linux-svg') ?? path.join(outDir, 'linux.svg');
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(svgPath, formatLinuxSvg(report));
  process.stdout.write(`wrote ${path.relative(process.cwd(), jsonPath)} and ${path.relative(process.cwd(), svgPath)}\n`);
  const compare = option(argv, '--linux-compare');
  if (compare !== undefined) {
    process.stdout.write('\n' + formatLinuxComparison(report, JSON.parse(readFileSync(compare, 'utf8')) as LinuxReport));
  }
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

if (process.argv[1] === fileURLToPath(import.meta.url)) await runLinux(process.argv.slice(2));
