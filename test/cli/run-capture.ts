/**
 * Runs `btvm run` in-process on a fixture kernel and captures its console
 * output, its stderr text and the --stats-json report, for the inspection
 * tests in test/cli/.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../src/cli/commands/run.js';
import type { RunReport } from '../../src/cli/run-stats.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixture = (path: string): string => join(repoRoot, 'fixtures', path);

export interface CapturedRun {
  status: number;
  stdout: string;
  stderr: string;
  report: RunReport;
  /** Contents of the -D file, when `logFile` was asked for. */
  logFile: string | null;
}

const scratch = mkdtempSync(join(tmpdir(), 'btvm-inspect-'));
let serial = 0;

/** `btvm run KERNEL ...args --stats-json TMP` (and `-D TMP` when logFile). */
export async function runKernel(kernel: string, args: string[], options: { logFile?: boolean } = {}): Promise<CapturedRun> {
  const n = serial++;
  const json = join(scratch, `stats-${n}.json`);
  const log = join(scratch, `log-${n}.txt`);
  const out: Uint8Array[] = [];
  let stderr = '';
  const argv = [kernel, ...args, '--stats-json', json, ...(options.logFile ? ['-D', log] : [])];
  const status = await runCommand(argv, { io: { stdout: (b) => out.push(b), stderr: (t) => void (stderr += t) } });
  if (!existsSync(json)) throw new Error(`btvm run ${argv.join(' ')} exited ${status} without statistics: ${stderr.slice(0, 500)}`);
  return {
    status,
    stdout: Buffer.concat(out).toString('latin1'),
    stderr,
    report: JSON.parse(readFileSync(json, 'utf8')) as RunReport,
    logFile: options.logFile ? readFileSync(log, 'utf8') : null,
  };
}

/** The value column of a --stats table row, as a number (thousands separators removed). */
export function tableValue(table: string, label: string): number {
  const row = new RegExp(`^ {4,}${label.replace(/[()]/g, '\\$&')} +([\\d,.]+)%?(?: |$)`, 'm').exec(table);
  if (!row) throw new Error(`no row '${label}' in the --stats table:\n${table}`);
  return Number(row[1]!.replace(/,/g, ''));
}
