/**
 * Shared by the system tests that run whole kernels (fixture-kernels and the
 * MMU tests): runs one kernel in-process through `btvm run`'s command
 * (argument parsing included, no node spawned per kernel) and compares with
 * the QEMU transcript next to it (K.expected, K.status), plus the lists of
 * kernels those tests cover.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
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

/** `btvm run ELF --icount --max-insns MAX ARGS` in-process: what it printed, its exit status and stderr. */
export async function runKernel(
  elf: string, args: readonly string[], maxInsns = 2_000_000_000,
): Promise<{ out: string; status: number; stderr: string }> {
  const out: Uint8Array[] = [];
  let stderr = '';
  const status = await runCommand([elf, '--icount', '--max-insns', String(maxInsns), ...args], {
    io: { stdout: (b) => out.push(b), stderr: (t) => void (stderr += t) },
  });
  return { out: Buffer.concat(out).toString('latin1'), status, stderr };
}

/** Runs `elf` with `args` and expects QEMU's output and exit status, and nothing on stderr. */
export async function expectLikeQemu(elf: string, args: readonly string[]): Promise<void> {
  const expected = readFileSync(elf.replace(/\.elf$/, '.expected'), 'latin1');
  const status = Number(readFileSync(elf.replace(/\.elf$/, '.status'), 'latin1').trim());
  const got = await runKernel(elf, args);
  expect(got.out).toBe(expected);
  // Status 0 is QEMU's -no-reboot exit on a triple fault; btvm says why on stderr then.
  expect({ status: got.status, stderr: got.stderr }).toEqual({
    status, stderr: status === 0 ? expect.stringMatching(/^btvm: guest triple fault/) : '',
  });
}

/**
 * One test per system kernel and per nano kernel (those with
 * --append iters=1000, as their transcripts were recorded): under
 * `btvm run … ARGS` each prints what it printed under QEMU.
 */
export function itRunsSystemKernelsLikeQemu(args: readonly string[]): void {
  for (const elf of kernelsIn('fixtures/system')) {
    it(name(elf), () => expectLikeQemu(elf, args), 60_000);
  }
  for (const elf of kernelsIn('fixtures/nano')) {
    it(`${name(elf)} iters=1000`, () => expectLikeQemu(elf, [...args, '--append', 'iters=1000']), 60_000);
  }
}


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

/**
 * A flat guest for the paging tests: flat GDT, a #PF interrupt gate to the
 * body's `pf_handler`, and an identity page table for the first 4 MiB at
 * 0x201000 (every PTE present and writable; the body edits entries, points
 * the directory at 0x200000 to it, loads CR3 and turns paging on).
 */
export function pagedGuest(body: string): string {
  return `${PAGED_GUEST_PROLOGUE}${body}${PAGED_GUEST_TABLES}`;
}

const PAGED_GUEST_PROLOGUE = `bits 32
org 0x100000
start:
  lgdt [gdtr]
  jmp 0x08:.cs
.cs:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, 0x90000
  mov eax, pf_handler
  mov word [idt + 14*8], ax
  mov word [idt + 14*8 + 2], 0x08
  mov word [idt + 14*8 + 4], 0x8E00
  shr eax, 16
  mov word [idt + 14*8 + 6], ax
  lidt [idtr]
  mov edi, 0x201000
  mov eax, 3
  mov ecx, 1024
.fill:
  mov [edi], eax
  add edi, 4
  add eax, 0x1000
  loop .fill
`;

const PAGED_GUEST_TABLES = `align 8
gdt: dq 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF
gdtr: dw 23
  dd gdt
idtr: dw 32*8-1
  dd idt
align 8
idt: times 32 dq 0
`;
