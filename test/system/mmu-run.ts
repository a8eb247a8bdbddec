/**
 * Shared by the MMU system tests: runs one kernel in-process through
 * `btvm run`'s command (argument parsing included, no node spawned per
 * kernel) and compares with the QEMU transcript next to it (K.expected,
 * K.status), plus the lists of kernels those tests cover.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

export const haveNasm = spawnSync('nasm', ['-v']).status === 0;

/**
 * Assembles a flat guest (nasm -f bin, `org 0x100000`) and runs it with
 * `btvm run --flat … --mmu MMU`; returns the exit status and stderr.
 */
export async function runFlatGuest(source: string, mmu: string): Promise<{ status: number; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-guest-'));
  const src = join(dir, 'guest.asm'), bin = join(dir, 'guest.bin');
  writeFileSync(src, source);
  const nasm = spawnSync('nasm', ['-f', 'bin', '-o', bin, src], { encoding: 'utf8' });
  if (nasm.status !== 0) throw new Error(`nasm: ${nasm.stderr}`);
  let err = '';
  const status = await runCommand(
    ['--flat', bin, '--load', String(0x100000), '--entry', String(0x100000), '--icount', '--max-insns', '10000000', '--mmu', mmu],
    { io: { stdout: () => {}, stderr: (t) => void (err += t) } },
  );
  return { status, err };
}
