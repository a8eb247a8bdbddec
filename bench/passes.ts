/**
 * What each optimisation pass buys: runs one compute guest under btvm with
 * every pass on, then with each pass switched off in turn (`--no-opt=NAME`,
 * including `locals`: guest registers kept in CpuState instead of JS
 * locals), and reports execution speed in guest MIPS (instructions per
 * second of time spent running translated code) and translation throughput
 * (guest instructions translated per second, V8 compilation included).
 *
 *   npm run bench -- --passes-only [--guest sieve] [--runs 3]   (or node dist/bench/passes.js …)
 *
 * Medians of the runs; the numbers come from `btvm run --stats-json`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { option } from './command-line.js';
import { median } from './guests/measure.js';
import { repoRoot } from './guests/peers.js';

interface StatsJson {
  guest: { instructions: number };
  time: { translateMs: number; executeMs: number };
  translation: { guestInsnsTranslated: number };
}

const VARIANTS = ['(all on)', 'const-fold', 'get-put', 'dead-code', 'flag-liveness', 'locals', 'all'];

export function runPasses(argv: string[]): number {
  const guest = option(argv, '--guest') ?? 'sieve';
  const runs = Number(option(argv, '--runs') ?? '3');
  const kernel = path.join(repoRoot, 'fixtures', 'bench', `${guest}.elf`);
  const cli = path.join(repoRoot, 'dist', 'src', 'cli', 'bin.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'btvm-passes-'));
  process.stdout.write(`${guest}: guest MIPS and translation throughput with one pass off at a time (median of ${runs})\n\n`);
  process.stdout.write(`${'passes'.padEnd(22)}${'MIPS'.padStart(10)}${'translate kinsn/s'.padStart(20)}${'run s'.padStart(9)}\n`);
  for (const variant of VARIANTS) {
    const mips: number[] = [], tput: number[] = [], wall: number[] = [];
    for (let i = 0; i < runs; i++) {
      const json = path.join(dir, `s${i}.json`);
      const args = [cli, 'run', kernel, '--stats-json', json];
      if (variant !== '(all on)') args.push(`--no-opt=${variant}`);
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 1) {
        process.stderr.write(`${variant}: exit status ${r.status}: ${r.stderr.split('\n')[0]}\n`);
        return 1;
      }
      const s = JSON.parse(readFileSync(json, 'utf8')) as StatsJson;
      mips.push(s.guest.instructions / (s.time.executeMs * 1000));
      tput.push(s.translation.guestInsnsTranslated / s.time.translateMs);
      wall.push((s.time.executeMs + s.time.translateMs) / 1000);
    }
    const label = variant === '(all on)' || variant === 'all' ? variant : `no ${variant}`;
    process.stdout.write(`${label.padEnd(22)}${median(mips).toFixed(0).padStart(10)}${median(tput).toFixed(1).padStart(20)}${median(wall).toFixed(2).padStart(9)}\n`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = runPasses(process.argv.slice(2));
