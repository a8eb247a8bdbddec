/**
 * Whether this host can start an i386 ELF process. Some x86-64 kernels
 * refuse them (`exec` fails with ENOEXEC): there the oracles that are i386
 * programs cannot run, and their tests skip with one line instead of failing.
 * The line says why, from fixtures/native/compat_probe: either the CPU still
 * lets a 64-bit program enter 32-bit code (so those oracles could be rebuilt
 * as 64-bit programs that switch modes), or, as under the PVM hypervisor,
 * user mode has no 32-bit code segment at all (GDT 0x23 absent, LDT ignored)
 * and no IA-32 code runs natively. The x87 oracle (fixtures/native/
 * x87_oracle.c) runs its instructions in 64-bit mode and works either way.
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
/** 64-bit program: exit 0 when a far transfer reaches 32-bit code, 1 when none does. */
const COMPAT_PROBE = join(import.meta.dirname, '../../fixtures/native/compat_probe');

let cached: boolean | null = null;

export function canRunI386(): boolean {
  if (cached === null) {
    cached = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'ia32') && existsSync(PROBE) &&
      spawnSync(PROBE, [], { timeout: 20_000 }).status === 0;
    if (!cached) console.warn(`host-CPU oracle skipped: this host cannot start i386 programs${compatModeVerdict()}`);
  }
  return cached;
}

function compatModeVerdict(): string {
  if (!existsSync(COMPAT_PROBE)) return '';
  const status = spawnSync(COMPAT_PROBE, [], { timeout: 20_000 }).status;
  if (status === 0) return ' (its CPU does enter 32-bit code from a 64-bit program: fixtures/native/compat_probe)';
  if (status === 1) return ' and its CPU gives user mode no 32-bit code segment (fixtures/native/compat_probe)';
  return '';
}
