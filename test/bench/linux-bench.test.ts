/**
 * The bench's linux section (bench/linux.ts) without booting Linux: console
 * lines stamped as they arrive, the phases read from a canned transcript
 * built from the real fixtures/linux/boot.qemu, a run that prints something
 * else or ends badly not counted, the medians, table, stats summary and
 * chart, and the peers' command lines against record-qemu.sh's. One real
 * child process (a few lines of node, under a second) checks that lines are
 * stamped when they arrive, not when the process ends.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/cli/run-stats.js';
import { judgeRun, linuxRuns } from '../../bench/linux.js';
import { findLinuxGuest, LINUX_APPEND, LINUX_PEERS, type LinuxGuest } from '../../bench/linux/peers.js';
import { buildLinuxReport, describeBtvmStats, formatLinuxComparison, formatLinuxSvg, formatLinuxTable, medianPhases, type LinuxRunRecord } from '../../bench/linux/report.js';
import { timedRun, type TimedRun } from '../../bench/linux/timed-run.js';
import { initReference, LineClock, phasesOf, PHASES, PROGRAMS, type TimedLine } from '../../bench/linux/transcript.js';

const linuxDir = join(import.meta.dirname, '..', '..', 'fixtures', 'linux');
const bootQemu = readFileSync(join(linuxDir, 'boot.qemu'), 'latin1');
const ref = initReference(bootQemu);

/**
 * A console as a peer would print it: some firmware noise, then boot.qemu
 * with printk stamps and CR LF, every line arriving `stepMs` after the
 * previous one, except that init line k (counted from "btvm-init: start")
 * arrives `initStepMs(k)` after its predecessor.
 */
function cannedRun(initStepMs: (k: number) => number, stepMs = 5, edit: (lines: string[]) => string[] = (l) => l): TimedRun {
  // printk stamps on the kernel's lines, as a real console has them; /init's lines (its section) have none.
  const boot = bootQemu.replace(/\n$/, '').split('\n');
  const from = boot.indexOf('btvm-init: start'), to = boot.indexOf('btvm-init: done');
  const raw = ['SeaBIOS (version x)\r', 'Booting from ROM...\r', ...boot.map((l, i) => (i >= from && i <= to ? `${l}\r` : `[ ${(i / 1000).toFixed(6)}] ${l}\r`))];
  const lines: TimedLine[] = [];
  let ms = 0, k = -1;
  for (const text of edit(raw)) {
    if (text.includes('btvm-init: start')) k = 0;
    ms += k >= 0 ? initStepMs(k++) : stepMs;
    const clock = new LineClock();
    clock.push(text + '\n', ms);
    lines.push(...clock.lines);
  }
  return { lines, totalMs: ms + 100, status: 0, signal: null, error: null, timedOut: false, stderrTail: '' };
}

describe('console lines', () => {
  it('are stamped when their newline arrives, with CR and printk stamps removed', () => {
    const clock = new LineClock();
    clock.push('[    0.000000] Linux ver', 10);
    clock.push('sion 6.1\r\nbtvm-init: start\r\nshe', 20);
    clock.push('ll: loop', 30);
    expect(clock.lines).toEqual([{ ms: 20, text: 'Linux version 6.1', kernel: true }, { ms: 20, text: 'btvm-init: start' }]);
    clock.end(40);
    expect(clock.lines[2]).toEqual({ ms: 40, text: 'shell: loop' });
  });

  it('of a real child are stamped as they arrive, not at its exit', async () => {
    const script = "process.stdout.write('first\\n'); setTimeout(() => process.stdout.write('second\\n'), 400)";
    const run = await timedRun(process.execPath, ['-e', script], 20_000);
    expect(run.status).toBe(0);
    expect(run.lines.map((l) => l.text)).toEqual(['first', 'second']);
    expect(run.lines[1]!.ms - run.lines[0]!.ms).toBeGreaterThan(300);
    expect(run.totalMs).toBeGreaterThanOrEqual(run.lines[1]!.ms - 50);
  });

  it('a command that cannot start is reported, not waited for', async () => {
    const run = await timedRun('/nonexistent/qemu', [], 5_000);
    expect(run.error).toMatch(/ENOENT/);
    expect(judgeRun(run, ref).problem).toMatch(/failed to start/);
  });
});

describe('phases of a boot', () => {
  it('boot.qemu names every program of /init; each ends at its last line', () => {
    expect(ref.lines[0]).toBe('btvm-init: start');
    expect(ref.lines.at(-1)).toBe('btvm-init: done');
    expect(ref.programEnds.map((i) => ref.lines[i]!.split(/:? /)[0])).toEqual(['shell', 'awk', ref.lines[ref.programEnds[2]!]!.split(' ')[0], 'gzip', 'sort', 'fork']);
    // awk prints two lines: its phase ends at the second.
    expect(ref.lines[ref.programEnds[1]! - 1]).toMatch(/^awk: pi/);
    expect(ref.lines[ref.programEnds[2]!]).toMatch(/ {2}\/tmp\/numbers$/);
  });

  it('are the gaps between the marker lines, with boot and init as sums', () => {
    // Init line k arrives (k + 1) * 100 ms after the previous line.
    const run = cannedRun((k) => (k + 1) * 100);
    const r = judgeRun(run, ref);
    expect(r.problem).toBeNull();
    const p = r.phasesMs!;
    const start = run.lines.find((l) => l.text === 'btvm-init: start')!.ms;
    const linuxAt = run.lines.findIndex((l) => l.text.startsWith('Linux version '));
    expect(linuxAt).toBe(2);
    expect(p.console).toBe(15);
    expect(p.boot).toBe(start);
    expect(p.kernel).toBe(start - 15);
    // A phase ending at init line e after starting at line s sums the steps s+1..e.
    const steps = (s: number, e: number): number => Array.from({ length: e - s }, (_, i) => (s + i + 2) * 100).reduce((a, b) => a + b, 0);
    let s = 0;
    PROGRAMS.forEach((prog, i) => {
      expect(p[prog.name], prog.name).toBe(steps(s, ref.programEnds[i]!));
      s = ref.programEnds[i]!;
    });
    expect(p.init).toBe(steps(0, ref.lines.length - 1));
    expect(p.shutdown).toBe(run.totalMs - (start + p.init!));
    expect(p.total).toBe(run.totalMs);
    expect(Object.keys(p).sort()).toEqual(PHASES.map((ph) => ph.name).sort());
  });

  it('do not count when an init line differs from QEMU\'s', () => {
    const run = cannedRun(() => 10, 5, (lines) => lines.map((l) => l.replace('sort: 4000', 'sort: 4001')));
    const r = judgeRun(run, ref);
    expect(r.phasesMs).toBeNull();
    expect(r.problem).toMatch(/init output differs from boot.qemu at its line \d+: got "sort: 4001/);
  });

  it('count with kernel messages among /init\'s lines (a slow guest\'s later crng line), timed as without them', () => {
    const plain = judgeRun(cannedRun(() => 10), ref);
    const interleaved = judgeRun(cannedRun(() => 10, 5, (lines) => lines.flatMap((l) =>
      l.startsWith('sort: ') ? ['[   84.788878] random: crng init done\r', l] : [l])), ref);
    expect(interleaved.problem).toBeNull();
    expect(interleaved.phasesMs!.init).toBe(plain.phasesMs!.init! + 10);
    // A program's own line without a stamp is output like any other, and is compared.
    const unstamped = judgeRun(cannedRun(() => 10, 5, (lines) => lines.flatMap((l) =>
      l.startsWith('sort: ') ? ['random: crng init done\r', l] : [l])), ref);
    expect(unstamped.problem).toMatch(/differs from boot.qemu .*got "random: crng init done"/);
  });

  it('do not count when a line is missing or the init never ends', () => {
    const dropped = judgeRun(cannedRun(() => 10, 5, (lines) => lines.filter((l) => !l.includes('awk: pi'))), ref);
    expect(dropped.problem).toMatch(/differs from boot.qemu at its line 3/);
    const hung = judgeRun(cannedRun(() => 10, 5, (lines) => lines.filter((l) => !l.includes('btvm-init: done'))), ref);
    expect(hung.problem).toMatch(/printed "btvm-init: start" but not "btvm-init: done"/);
    const panicked = judgeRun(cannedRun(() => 10, 5, (lines) => lines.slice(0, 40)), ref);
    expect(panicked.problem).toMatch(/never printed "btvm-init: start"; last output: /);
  });

  it('do not count when the process ends badly, even with the right output', () => {
    expect(judgeRun({ ...cannedRun(() => 10), status: 1, stderrTail: 'btvm: unsupported instruction\n' }, ref))
      .toEqual({ phasesMs: null, problem: 'exit status 1: btvm: unsupported instruction' });
    expect(judgeRun({ ...cannedRun(() => 10), status: null, signal: 'SIGKILL', timedOut: true }, ref).problem).toMatch(/killed after/);
  });
});

const stats: RunReport = {
  exit: { kind: 'reset', status: 0, detail: 'triple fault' },
  guest: { instructions: 7_120_000_000, virtualNs: 0 },
  time: { hostMs: 400_000, translateMs: 100_000, executeMs: 300_000, mips: 17.8 },
  translation: { regionsExecuted: 9e8, translations: 45_700, blocksTranslated: 60_000, guestInsnsTranslated: 1_750_000, guestBytesTranslated: 5e6 },
  cache: { lookups: 1000, hits: 990, misses: 10, hitRate: 0.99, fastHits: 0, reuseRate: 0.9, chainedTransitions: 0, directExits: 0, invalidations: 3, smcPagesDemoted: 0, smcTranslations: 0, flushes: 2, regionsCached: 0 },
  exits: { direct: 600, indirect: 300, dispatch: 50, budget: 50, budgetResumed: 40, leave: 0, codeModified: 0 },
  vmmCalls: { total: 4_000_000, byRoutine: { in: 3_000_000, out: 1_000_000 } },
  exceptions: { total: 200_000, byVector: { 14: 150_000, 7: 50_000 } },
  softwareInterrupts: { total: 9000, byVector: { 128: 9000 } },
  externalInterrupts: { total: 25_000, byVector: { 32: 25_000 } },
  mmu: null,
};

function record(round: number, scale: number, problem: string | null = null, withStats = false): LinuxRunRecord {
  const phasesMs = problem === null ? Object.fromEntries(PHASES.map((p, i) => [p.name, (i + 1) * 1000 * scale])) : null;
  return { round, phasesMs, problem, stats: withStats ? stats : null };
}

describe('the linux report', () => {
  it('takes medians over the runs that count', () => {
    // Counted: scales 10, 20, 40 (median 20); with the failed run's 30 it would be 25.
    const m = medianPhases([record(1, 10), record(2, 30, 'exit status 1'), record(3, 20), record(4, 40)]);
    expect(m.console).toBe(20 * 1000);
    expect(m.total).toBe(20 * 1000 * PHASES.length);
    expect(medianPhases([record(1, 1, 'hung')]).boot).toBeNaN();
  });

  it('gives btvm/QEMU per phase, the failed runs, and where btvm\'s time went', () => {
    const report = buildLinuxReport([
      { peer: 'qemu', label: 'QEMU TCG', runs: [record(1, 1)] },
      { peer: 'btvm', label: 'btvm', runs: [record(1, 25, null, true), record(2, 1, 'init output differs', true)] },
    ], 2, { versions: 'v', append: LINUX_APPEND }, 'host', ['v86: not installed']);
    const text = formatLinuxTable(report);
    const row = (name: string): string => text.split('\n').find((l) => l.trim().startsWith(name) || l.startsWith(`= ${name}`))!;
    expect(row('shell loop')).toMatch(/^ {2}shell loop +100\.000 +4\.000 +— +25\.00× +—$/);
    expect(row('= boot')).toMatch(/75\.000 +3\.000 .* 25\.00×/);
    expect(text).toContain('! btvm run 2: init output differs');
    expect(text).toContain('skipped: v86: not installed');
    expect(text).toContain('btvm, run 1 (--stats-json; whole run): host 400.000 s, 7.12 G guest instructions, 17.8 M/s');
    expect(text).toContain('translating 25.0% (100.000 s), executing code + VMM 75.0%');
    expect(text).toContain('VMM calls 4.00 M: in 3.00 M (75.0%), out 1.00 M (25.0%)');
    expect(text).toContain('region exits 1000: direct 600 (60.0%), indirect 300 (30.0%)');
    expect(text).toContain('exceptions 200.0 k: #PF 150.0 k (75.0%), #NM 50.0 k (25.0%)');
    expect(JSON.parse(JSON.stringify(report)).peers[1].runs[0].stats.vmmCalls.total).toBe(4_000_000);
  });

  it('stats come from the counted run nearest the median, not a failed one', () => {
    const failed = { ...record(1, 1, 'hung'), stats: { ...stats, time: { ...stats.time, hostMs: 1 } } };
    const lines = describeBtvmStats(stats, 2);
    const report = buildLinuxReport([{ peer: 'btvm', label: 'btvm', runs: [failed, record(2, 5, null, true)] }], 2, { versions: 'v', append: '' }, 'h', []);
    expect(formatLinuxTable(report)).toContain(lines[0]);
  });

  it('compares btvm per phase with an earlier report, time and ratio to QEMU', () => {
    const at = (btvmScale: number, qemuScale: number) => buildLinuxReport([
      { peer: 'qemu', label: 'QEMU TCG', runs: [record(1, qemuScale)] },
      { peer: 'btvm', label: 'btvm', runs: [record(1, btvmScale)] },
    ], 1, { versions: 'v', append: '' }, 'h', []);
    const before = JSON.parse(JSON.stringify(at(40, 1)));
    // awk is the fifth row: 5 s per unit of scale.
    const text = formatLinuxComparison(at(30, 2), before);
    expect(text.split('\n').find((l) => l.includes('awk'))).toMatch(/^ {2}awk +200\.000 +150\.000 +-25\.0% +40\.00× +15\.00×$/);
  });

  it('charts each phase with one bar per peer that has a time', () => {
    const report = buildLinuxReport([
      { peer: 'qemu', label: 'QEMU TCG', runs: [record(1, 1)] },
      { peer: 'btvm', label: 'btvm', runs: [record(1, 1, 'hung')] },
    ], 1, { versions: 'v', append: '' }, 'h', []);
    const svg = formatLinuxSvg(report);
    expect(svg.match(/<rect [^>]*><title>QEMU TCG /g)).toHaveLength(PHASES.length);
    expect(svg).not.toMatch(/<title>btvm /);
    expect(svg).toContain('>fork loop</text>');
  });
});

describe('the linux peers and options', () => {
  const guest: LinuxGuest = { kernel: '/c/vmlinuz', initrd: '/c/initrd.gz', append: LINUX_APPEND, expected: '', versions: '' };
  const record = readFileSync(join(linuxDir, 'record-qemu.sh'), 'utf8');

  it('boot the guest with the command line boot.qemu was recorded with', () => {
    expect(record).toContain(`APPEND="${LINUX_APPEND}"`);
    const qemu = LINUX_PEERS.find((p) => p.name === 'qemu')!.command(guest, '/s.json', { run: ['--mmu', 'nested'], node: ['--cpu-prof'] });
    const recorded = /qemu-system-i386 (.*)\\\n(.*)/.exec(record)!;
    const flags = `${recorded[1]} ${recorded[2]}`.split(/\s+/).filter((w) => w.startsWith('-'));
    for (const f of flags) expect(qemu.args, f).toContain(f);
    expect(qemu.args.join(' ')).toContain(`-kernel /c/vmlinuz -initrd /c/initrd.gz -append ${LINUX_APPEND} -m 128M`);
    const btvm = LINUX_PEERS.find((p) => p.name === 'btvm')!.command(guest, '/s.json', { run: ['--mmu', 'nested'], node: ['--cpu-prof'] });
    expect(btvm.args[0]).toBe('--cpu-prof');
    expect(btvm.args[1]).toMatch(/dist\/src\/cli\/bin\.js$/);
    expect(btvm.args.slice(2)).toEqual(['run', '-kernel', '/c/vmlinuz', '-initrd', '/c/initrd.gz', '-append', LINUX_APPEND, '-m', '128M', '--stats-json', '/s.json', '--mmu', 'nested']);
    // btvm's options are btvm's alone.
    expect(qemu.args).not.toContain('--mmu');
  });

  it('without the fetched guest the section says how to get it', () => {
    expect(findLinuxGuest(mkdtempSync(join(tmpdir(), 'no-linux-')))).toMatch(/run fixtures\/linux\/fetch\.sh/);
  });

  it('one run unless asked for more', () => {
    expect(linuxRuns([])).toBe(1);
    expect(linuxRuns(['--runs', '5'])).toBe(1);
    expect(linuxRuns(['--linux-only', '--runs', '5'])).toBe(5);
    expect(linuxRuns(['--linux-runs', '3', '--runs', '5'])).toBe(3);
    expect(() => linuxRuns(['--linux-runs', '0'])).toThrow(/positive integer/);
  });
});
