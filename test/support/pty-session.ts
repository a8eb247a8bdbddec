/**
 * A command run in a pseudo-terminal by test/support/pty-drive.py, as a
 * person at a terminal would use it: the steps wait for output, type keys,
 * record the terminal's mode or send a signal (see pty-drive.py), and the
 * session comes back as its exit status, modes, whole output and the step
 * that failed, if one did.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export type PtyStep = { expect: string; timeout?: number } | { send: string } | { mode: string } | { signal: string };
export interface TerminalMode { icanon: boolean; echo: boolean; same_as_before: boolean }
export interface PtySession {
  status: number | string;
  modes: Record<string, TerminalMode>;
  output: string;
  failed: { step: number; expect: string } | null;
}

const DRIVER = join(import.meta.dirname, 'pty-drive.py');

/** Runs `command args…` under pty-drive.py through `steps`; rejects if the driver itself fails or outlives `timeoutMs`. */
export function ptySession(steps: readonly PtyStep[], command: string, args: readonly string[], timeoutMs: number): Promise<PtySession> {
  return new Promise((resolve, reject) => {
    execFile('python3', [DRIVER, JSON.stringify(steps), command, ...args],
      { encoding: 'latin1', timeout: timeoutMs, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`pty-drive.py failed: ${error.message} ${stderr}`));
        else resolve(JSON.parse(stdout) as PtySession);
      });
  });
}
