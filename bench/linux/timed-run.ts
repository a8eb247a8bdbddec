/**
 * One boot of the Linux guest as a child process, its console read as it
 * arrives: every stdout line is stamped with performance.now() relative to
 * the spawn (bench/linux/transcript.ts turns those stamps into phases).
 * The bench waits on the event loop meanwhile, so a stamp is late by at
 * most the time the child's output spends in the pipe.
 *
 * stdin is /dev/null: QEMU's -nographic and btvm both take COM1's input from
 * it, and the guest reads nothing. A run past its timeout is killed
 * (SIGKILL, this child only) and reported as such.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LineClock, type TimedLine } from './transcript.js';

export interface TimedRun {
  readonly lines: readonly TimedLine[];
  /** Spawn to exit. */
  readonly totalMs: number;
  readonly status: number | null;
  readonly signal: string | null;
  /** Could not start (ENOENT …), or null. */
  readonly error: string | null;
  readonly timedOut: boolean;
  /** The end of stderr, for a failed run's report. */
  readonly stderrTail: string;
}

const STDERR_KEEP = 2000;

export function timedRun(file: string, args: readonly string[], timeoutMs: number): Promise<TimedRun> {
  return new Promise((resolve) => {
    const clock = new LineClock();
    let stderr = '';
    let exitMs = NaN;
    let timedOut = false;
    let error: string | null = null;
    const start = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => clock.push(chunk, performance.now() - start));
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let settled = false;
    const finish = (status: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const totalMs = Number.isFinite(exitMs) ? exitMs : performance.now() - start;
      clock.end(totalMs);
      resolve({ lines: clock.lines, totalMs, status, signal, error, timedOut, stderrTail: stderr });
    };
    child.on('error', (e) => {
      error = e.message;
      // A child that never started has no 'close' to wait for.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('exit', () => {
      exitMs = performance.now() - start;
    });
    child.on('close', finish);
  });
}
