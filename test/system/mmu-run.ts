/**
 * Shared by the MMU system tests: runs one kernel in-process through
 * `btvm run`'s command (argument parsing included, no node spawned per
 * kernel) and compares with the QEMU transcript next to it (K.expected,
 * K.status), plus the lists of kernels those tests cover.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** ELF kernels in `dir` that have a QEMU transcript. */
export function kernelsIn(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => f.endsWith('.elf') && existsSync(join(abs, f.replace(/\.elf$/, '.expected'))))
    .map((f) => join(abs, f));
}

export const name = (elf: string): string => elf.slice(root.length);

/** Runs `elf` with `args` and expects QEMU's output and exit status, and nothing on stderr. */
export async function expectLikeQemu(elf: string, args: readonly string[]): Promise<void> {
  const expected = readFileSync(elf.replace(/\.elf$/, '.expected'), 'latin1');
  const status = Number(readFileSync(elf.replace(/\.elf$/, '.status'), 'latin1').trim());
  const out: Uint8Array[] = [];
  let err = '';
  const got = await runCommand([elf, '--icount', '--max-insns', '2000000000', ...args], {
    io: { stdout: (b) => out.push(b), stderr: (t) => void (err += t) },
  });
  expect(Buffer.concat(out).toString('latin1')).toBe(expected);
  // Status 0 is QEMU's -no-reboot exit on a triple fault; btvm says why on stderr then.
  expect({ status: got, stderr: err }).toEqual({ status, stderr: status === 0 ? expect.stringMatching(/^btvm: guest triple fault/) : '' });
}
