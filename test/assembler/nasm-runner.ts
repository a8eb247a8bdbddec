/**
 * Runs nasm (`-f bin`, with a listing) on a whole source file once and
 * reads back the binary and, from the listing, the bytes each source line
 * produced — so a differential failure can name the first line where btvm
 * and nasm disagree instead of just an offset.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { toolsFor } from '../support/external-tools.js';

/** Whether the suite `what` can run nasm (else one skip line naming the Debian package). */
export function nasmAvailable(what: string): boolean {
  return toolsFor(what, 'nasm');
}

export interface NasmOutput {
  readonly bytes: Uint8Array;
  /** Source line → bytes nasm listed for it (for `times`, the first repetition only). */
  readonly perLine: Map<number, Uint8Array>;
  readonly repeated: Set<number>;
}

export function runNasm(source: string): NasmOutput {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-nasm-'));
  try {
    const src = join(dir, 'corpus.s');
    writeFileSync(src, source);
    try {
      execFileSync('nasm', ['-f', 'bin', '-w-all', '-o', join(dir, 'out.bin'), '-l', join(dir, 'out.lst'), src], { stdio: 'pipe' });
    } catch (e) {
      const err = String((e as { stderr?: Buffer }).stderr ?? e);
      throw new Error(`nasm rejected the corpus:\n${err.split('\n').slice(0, 20).join('\n')}`);
    }
    const perLine = new Map<number, Uint8Array>();
    const repeated = new Set<number>();
    const acc = new Map<number, number[]>();
    for (const l of readFileSync(join(dir, 'out.lst'), 'latin1').split('\n')) {
      const m = /^\s*(\d+) [0-9A-F]{8} ([0-9A-F[\]()]+)(<rep [0-9A-F]+h>)?-?/.exec(l);
      if (m === null) continue;
      const n = Number(m[1]);
      if (m[3] !== undefined) repeated.add(n);
      const hex = m[2]!.replace(/[[\]()]/g, '');
      const list = acc.get(n) ?? [];
      for (let i = 0; i + 1 < hex.length; i += 2) list.push(parseInt(hex.slice(i, i + 2), 16));
      acc.set(n, list);
    }
    for (const [n, b] of acc) perLine.set(n, new Uint8Array(b));
    return { bytes: new Uint8Array(readFileSync(join(dir, 'out.bin'))), perLine, repeated };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
