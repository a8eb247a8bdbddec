#!/usr/bin/env node
/**
 * `npm start`: boots a fixture kernel with `btvm run KERNEL --stats` and
 * exits 0 when the guest passed.
 *
 * `btvm run` keeps QEMU's exit statuses: a guest that writes V to
 * isa-debug-exit makes it exit (V<<1)|1, so a guest's "success" (V = 0) is
 * status 1, which npm reports as a failed script. Each fixture documents its
 * expected status in KERNEL.status (fixtures/kernels/*.status); this script
 * compares against that, says what the guest's status meant, and exits 0
 * (passed) or 1 (anything else), leaving `btvm run` itself unchanged.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCommand, type RunIo } from './commands/run.js';

/** The status `btvm run` should end with for KERNEL: the number in KERNEL.status (KERNEL without its extension). */
export function expectedStatus(kernel: string): number {
  const file = kernel.replace(/\.[^./]*$/, '') + '.status';
  const status = Number(readFileSync(file, 'latin1').trim());
  if (!Number.isInteger(status)) throw new Error(`${file} holds no exit status`);
  return status;
}

/** Runs KERNEL as `btvm run KERNEL --stats`; 0 when it ended with its documented status, else 1. */
export async function runDemo(kernel: string, io?: RunIo): Promise<number> {
  const expected = expectedStatus(kernel);
  const status = await runCommand([kernel, '--stats'], io === undefined ? {} : { io });
  const say = io?.stderr ?? ((t: string) => void process.stderr.write(t));
  const meaning = (status & 1) === 1 ? ` (the guest wrote ${status >> 1} to isa-debug-exit)` : '';
  if (status === expected) {
    say(`demo: ${kernel} passed: btvm run exit status ${status}${meaning}, as ${kernel.replace(/\.[^./]*$/, '')}.status expects\n`);
    return 0;
  }
  say(`demo: ${kernel} FAILED: btvm run exit status ${status}${meaning}, expected ${expected}\n`);
  return 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runDemo(process.argv[2] ?? 'fixtures/kernels/intmath.elf');
}
