/**
 * The host-CPU side of differential tests: runs cases through
 * fixtures/native/harness (one process per batch; the harness caches seeded
 * images, so a batch of thousands costs about a millisecond per case or less)
 * and returns one output line per case, in order.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatCaseLine, type CaseInput } from './harness-protocol.js';
import { canRunI386 } from './host-i386.js';

export const HARNESS = join(import.meta.dirname, '../../fixtures/native/harness');

export interface NativeCase {
  readonly code: Uint8Array;
  readonly input: CaseInput;
}

/** The harness is built and this host can run i386 code. */
export function haveHarness(): boolean {
  if (!existsSync(HARNESS) || !canRunI386()) return false;
  return spawnSync(HARNESS, { input: '- 0 0 0 0 1000f000 0 0 0 0 1\n' }).status === 0;
}

function checkLines(out: string, n: number): string[] {
  const lines = out.trimEnd().split('\n');
  if (n === 0) return [];
  if (lines.length !== n) throw new Error(`harness gave ${lines.length} lines for ${n} cases`);
  const bad = lines.findIndex((l) => l.startsWith('ERROR'));
  if (bad >= 0) throw new Error(`harness rejected case ${bad}: ${lines[bad]}`);
  return lines;
}

/** Run cases natively in one harness process; blocks until done. */
export function runNative(cases: readonly NativeCase[]): string[] {
  const input = cases.map((c) => formatCaseLine(c.code, c.input)).join('\n') + '\n';
  const out = execFileSync(HARNESS, { input, maxBuffer: 1 << 30 }).toString();
  return checkLines(out, cases.length);
}

/** Same, without blocking: btvm's side of a batch can run while the harness does. */
export function runNativeAsync(cases: readonly NativeCase[]): Promise<string[]> {
  const input = cases.map((c) => formatCaseLine(c.code, c.input)).join('\n') + '\n';
  return new Promise((resolve, reject) => {
    const child = execFile(HARNESS, { maxBuffer: 1 << 30 }, (err, stdout) => {
      if (err) reject(err);
      else {
        try {
          resolve(checkLines(stdout, cases.length));
        } catch (e) {
          reject(e);
        }
      }
    });
    child.stdin!.end(input);
  });
}

/** Segment selectors the harness runs guest code with, as `mov r32, sreg` reads them natively. */
export interface HostSelectors {
  readonly es: number; readonly cs: number; readonly ss: number;
  readonly ds: number; readonly fs: number; readonly gs: number;
}

/**
 * Ask the host CPU which selectors guest code sees (mov eax,es; mov ecx,cs;
 * mov edx,ss; mov ebx,ds; mov ebp,fs; mov esi,gs), so btvm's CPU can hold
 * the same values for `mov r, sreg` and `push sreg`.
 */
export function probeHostSelectors(): HostSelectors {
  const code = Uint8Array.from([0x8c, 0xc0, 0x8c, 0xc9, 0x8c, 0xd2, 0x8c, 0xdb, 0x8c, 0xe5, 0x8c, 0xee]);
  const [line] = runNative([{ code, input: { regs: [0, 0, 0, 0, 0x1000f000, 0, 0, 0], eflags: 0, seed: 1 } }]);
  const f = line!.split(' ').map((x) => parseInt(x, 16));
  return { es: f[0]!, cs: f[1]!, ss: f[2]!, ds: f[3]!, fs: f[5]!, gs: f[6]! };
}
