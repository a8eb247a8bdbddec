/**
 * `npm run fuzz`: hostile images and random-code guests against btvm's
 * promise that nothing in an image file and nothing a guest does can hurt
 * the host (issue 18).
 *
 *   npm run fuzz -- [--images N] [--guests N] [--from SEED] [--jobs J] [--timeout S] [--guest-insns N]
 *
 * Image seeds (bench/fuzz/image-cases.ts) mutate ELF, Multiboot a.out-kludge
 * and flat images and feed them to every reader; guest seeds
 * (bench/fuzz/guest-cases.ts) run random code that recovers from every
 * exception, under both MMUs and single-step. Seeds FROM..FROM+N-1 of each
 * family are split over J worker processes (this script with --worker), each
 * under a V8 heap limit of guest RAM + 512 MiB. A worker announces each seed
 * before running it, so the parent can blame the right seed when the worker
 * aborts (V8 out of memory, a native crash) or goes silent past the timeout;
 * it then restarts the worker after that seed. Findings — internal errors
 * (exit 70), host stack traces, aborts, timeouts, memory above guest RAM +
 * 512 MiB — are printed with their seed; the exit status is 1 when there is
 * any. `--images 1 --guests 0 --from SEED` replays one.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { option } from './command-line.js';
import { describeFinding, MEMORY_SLACK_BYTES, type Finding } from './fuzz/finding.js';
import { GUEST_RAM_BYTES, runGuestCase } from './fuzz/guest-cases.js';
import { runImageCase } from './fuzz/image-cases.js';

type Family = 'image' | 'guest';

/** The findings so far; each is printed as it comes, so a long run stopped early still tells what it found. */
class FindingList extends Array<Finding> {
  override push(...fs: Finding[]): number {
    for (const f of fs) process.stderr.write(`\nfinding: ${describeFinding(f)}\n`);
    return super.push(...fs);
  }
}
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);
const MEMORY_LIMIT = GUEST_RAM_BYTES + MEMORY_SLACK_BYTES;

/** Worker: runs seeds [from, to) of one family, one JSON line per event on stdout. */
async function worker(family: Family, from: number, to: number, guestInsns: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-fuzz-'));
  const scratch = join(dir, 'image');
  let overMemory = false;
  try {
    for (let seed = from; seed < to; seed++) {
      process.stdout.write(`${JSON.stringify({ begin: seed })}\n`);
      let finding = family === 'image' ? await runImageCase(seed, ROOT, scratch) : await runGuestCase(seed, guestInsns);
      const rss = process.resourceUsage().maxRSS * 1024;
      if (finding === null && !overMemory && rss > MEMORY_LIMIT) {
        overMemory = true;
        finding = { kind: 'memory', family, seed, detail: `host peak ${Math.round(rss / 2 ** 20)} MiB > guest RAM + 512 MiB` };
      }
      process.stdout.write(`${JSON.stringify({ done: seed, finding })}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parent side of one shard: runs workers until every seed is done, restarting after a crash or hang. */
async function shard(family: Family, from: number, to: number, guestInsns: number, timeoutMs: number, findings: Finding[], progress: () => void): Promise<void> {
  let next = from;
  while (next < to) {
    next = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [`--max-old-space-size=${MEMORY_LIMIT >> 20}`, SELF, '--worker', family, String(next), String(to), String(guestInsns)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let current = -1;
      let lastDone = next - 1;
      let stderr = '';
      let timer: NodeJS.Timeout | null = null;
      const arm = (): void => {
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(() => {
          findings.push({ kind: 'timeout', family, seed: current, detail: `no answer within ${timeoutMs / 1000} s` });
          child.kill('SIGKILL');
        }, timeoutMs);
      };
      arm();
      child.stderr.on('data', (d: Buffer) => { if (stderr.length < 1 << 16) stderr += d.toString(); });
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = JSON.parse(line) as { begin?: number; done?: number; finding?: Finding | null };
        if (m.begin !== undefined) { current = m.begin; arm(); }
        if (m.done !== undefined) {
          lastDone = m.done;
          if (m.finding) findings.push(m.finding);
          progress();
        }
      });
      child.on('close', (code, signal) => {
        if (timer !== null) clearTimeout(timer);
        const crashed = current > lastDone;
        if (crashed && signal !== 'SIGKILL') {
          const why = /heap out of memory|FATAL ERROR/.test(stderr) ? 'V8 abort (heap out of memory)' : `worker ended (${signal ?? `exit ${code}`})`;
          findings.push({ kind: /\n\s+at /.test(stderr) ? 'stack-trace' : 'abort', family, seed: current, detail: `${why}: ${stderr.split('\n').find((l) => l.trim() !== '') ?? ''}` });
        }
        if (crashed) progress();
        resolve(crashed ? current + 1 : Math.max(lastDone + 1, to));
      });
    });
  }
}

const OPTIONS = ['--images', '--guests', '--from', '--jobs', '--timeout', '--guest-insns'];
const USAGE = `usage: npm run fuzz -- [options]

Mutated images through every reader and random-code guests under both MMUs
and single-step; prints each finding (internal error, host stack trace, V8
abort, timeout, memory above guest RAM + 512 MiB) with the seed that
reproduces it. Exit status 0 when nothing was found, 1 when something was,
2 for a bad command line.

  --images N       image seeds to run (default 2000)
  --guests N       guest seeds to run (default 200)
  --from SEED      first seed of each family (default 0)
  --jobs J         worker processes at once (default 2)
  --timeout S      wall seconds without an answer from a worker before its seed
                   counts as a hang (default 180; a seed slower than 30 s of CPU,
                   or an image reader slower than 5 s, is a finding anyway)
  --guest-insns N  instructions each random guest runs (default 20000)

  npm run fuzz -- --images 1 --guests 0 --from SEED   replays one image seed
  npm run fuzz -- --images 0 --guests 1 --from SEED   replays one guest seed
`;

/** A command line the script cannot take: one line on stderr, exit status 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--worker') {
    await worker(argv[1] as Family, Number(argv[2]), Number(argv[3]), Number(argv[4]));
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const unknown = argv.filter((a, i) => a.startsWith('-') && !OPTIONS.includes(a) && !(i > 0 && OPTIONS.includes(argv[i - 1]!)));
  if (unknown.length > 0) {
    process.stderr.write(`fuzz: unknown option ${unknown[0]}; see npm run fuzz -- --help\n`);
    return 2;
  }
  const count = (name: string, fallback: number): number => {
    const text = option(argv, name);
    const n = Number(text ?? fallback);
    if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`fuzz: ${name} wants a whole number, not ${text}`);
    return n;
  };
  const images = count('--images', 2000);
  const guests = count('--guests', 200);
  const from = count('--from', 0);
  const jobs = Math.max(1, count('--jobs', 2));
  const timeoutMs = count('--timeout', 180) * 1000;
  const guestInsns = count('--guest-insns', 20_000);
  // Findings print as they come, so a long run stopped early still tells what it found.
  const findings = new FindingList();
  let done = 0;
  const total = images + guests;
  const t0 = performance.now();
  const progress = (): void => {
    done++;
    if (done % 100 === 0 || done === total) process.stderr.write(`\r${done}/${total} cases, ${findings.length} findings, ${Math.round((performance.now() - t0) / 1000)} s`);
  };
  const shards: (() => Promise<void>)[] = [];
  for (const [family, n] of [['image', images], ['guest', guests]] as const) {
    const per = Math.ceil(n / jobs);
    for (let s = from; s < from + n; s += per) shards.push(() => shard(family, s, Math.min(s + per, from + n), guestInsns, timeoutMs, findings, progress));
  }
  // Two families × jobs shards; at most `jobs` workers at once keeps to the machine's cores.
  const running = new Set<Promise<void>>();
  for (const begin of shards) {
    const start = begin();
    running.add(start);
    void start.finally(() => running.delete(start));
    if (running.size >= jobs) await Promise.race(running);
  }
  await Promise.all(running);
  process.stderr.write('\n');
  const seconds = Math.round((performance.now() - t0) / 1000);
  process.stdout.write(`fuzz: ${images} images and ${guests} guests from seed ${from} in ${seconds} s: ${findings.length} findings\n`);
  for (const f of findings.sort((a, b) => a.family.localeCompare(b.family) || a.seed - b.seed)) process.stdout.write(`  ${describeFinding(f)}\n`);
  return findings.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (e: unknown) => {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  },
);
