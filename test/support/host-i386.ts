/**
 * Whether this host can start an i386 ELF process. Some x86-64 kernels
 * refuse them (IA-32 emulation off: `exec` fails with ENOEXEC), though the
 * CPU runs IA-32 code: there the oracles that are i386 programs cannot run,
 * and their tests skip with this one line instead of failing. Oracles built
 * as 64-bit programs that enter 32-bit code themselves (fixtures/native/
 * x87_oracle.c) run on such hosts too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Any committed static i386 program that exits 0 without input. (A refused
 * exec does not show as an error: execvp then hands the file to /bin/sh,
 * which fails on it, so the exit status is what tells.)
 */
const PROBE = join(import.meta.dirname, '../../fixtures/bench/sieve.native');

let cached: boolean | null = null;

export function canRunI386(): boolean {
  if (cached === null) {
    cached = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'ia32') && existsSync(PROBE) &&
      spawnSync(PROBE, [], { timeout: 20_000 }).status === 0;
    if (!cached) console.warn('host-CPU oracle skipped: this host cannot start i386 programs (kernel without IA-32 emulation)');
  }
  return cached;
}
