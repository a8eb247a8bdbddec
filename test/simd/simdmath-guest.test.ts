/**
 * fixtures/bench/simdmath.elf, the benchmark suite's SSE2 compute guest
 * (gcc -msse2 -mfpmath=sse -ftree-vectorize: a float matrix multiply, double
 * vectors, vectorised byte loops), checked in CI without paying for the
 * whole benchmark: under btvm every SIMD instruction is a monitor call
 * today, so the full run (simdmath.expected) takes ~20 s, too long for a
 * unit test. `npm run bench -- --guests-only --only simdmath` runs it whole
 * and compares each run with simdmath.expected; so does this file with
 * SIMDMATH_FULL=1.
 *
 * What CI checks instead:
 * - btvm runs a copy of the image whose round counts (the simdmath_rounds
 *   array in .data) are patched down, and prints exactly what
 *   qemu-system-i386 (default CPU, qemu32, as the transcript was recorded)
 *   prints for the same copy: every loop, every print path, a few rounds;
 * - the recorded transcript is the silicon's: the same C source built as a
 *   64-bit host program (SSE arithmetic is the same IEEE operations in the
 *   same order; an i386 build cannot run on this PVM host) prints
 *   simdmath.expected byte for byte;
 * - the image really holds packed SSE (objdump), so the above is not
 *   scalar code passing by accident.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseElf32, primarySymbols } from '../../src/loader/elf32.js';
import { toolsFor } from '../support/external-tools.js';
import { root, runKernel } from '../system/mmu-run.js';

const bench = join(root, 'fixtures/bench');
const lib = join(root, 'fixtures/kernels/lib');
const elfPath = join(bench, 'simdmath.elf');
const expected = readFileSync(join(bench, 'simdmath.expected'), 'latin1');
const scratch = mkdtempSync(join(tmpdir(), 'btvm-simdmath-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** File offset and current values of the simdmath_rounds array (matrix, vectors, bytes). */
function roundsIn(image: Uint8Array): { offset: number; rounds: number[] } {
  const elf = parseElf32(image);
  const sym = primarySymbols(elf).find((s) => s.name === 'simdmath_rounds');
  if (sym === undefined || sym.size !== 12) throw new Error('simdmath.elf has no 12-byte simdmath_rounds symbol');
  const section = elf.sections[sym.shndx]!;
  const offset = section.offset + (sym.value - section.addr);
  const view = new DataView(image.buffer, image.byteOffset + offset, 12);
  return { offset, rounds: [0, 4, 8].map((at) => view.getUint32(at, true)) };
}

/** A copy of simdmath.elf running `rounds` rounds of each part, written to the scratch folder. */
function shortened(rounds: readonly number[]): string {
  const image = new Uint8Array(readFileSync(elfPath));
  const { offset } = roundsIn(image);
  const view = new DataView(image.buffer, offset, 12);
  rounds.forEach((r, i) => view.setUint32(4 * i, r, true));
  const path = join(scratch, `simdmath-${rounds.join('-')}.elf`);
  writeFileSync(path, image);
  return path;
}

function underQemu(kernel: string): { out: string; status: number | null } {
  const run = spawnSync('qemu-system-i386', ['-kernel', kernel, '-serial', 'stdio', '-display', 'none', '-no-reboot',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'], { encoding: 'latin1', timeout: 60_000, input: '' });
  return { out: run.stdout, status: run.status };
}

describe('simdmath.elf', () => {
  it('is the image simdmath.expected was recorded from (its round counts are the transcript\'s)', () => {
    const { rounds } = roundsIn(new Uint8Array(readFileSync(elfPath)));
    const told = [/single, (\d+) rounds/, /doubles, (\d+) rounds/, /bytes, (\d+) rounds/].map((re) => Number(re.exec(expected)![1]));
    expect(rounds).toEqual(told);
  });

  describe.skipIf(!toolsFor('simdmath under btvm vs QEMU', 'qemu-system-i386'))('shortened, under btvm and QEMU', () => {
    it('prints what QEMU prints for the same image', async () => {
      const kernel = shortened([2, 3, 2]);
      const qemu = underQemu(kernel);
      expect(qemu.status).toBe(1);
      expect(qemu.out).toContain('simdmath: done\n');
      const got = await runKernel(kernel, []);
      expect(got.stderr).toBe('');
      expect(got.out).toBe(qemu.out);
      expect(got.status).toBe(1);
    }, 60_000);
  });

  describe.skipIf(!toolsFor('simdmath source on the host CPU', 'gcc'))('on the host CPU', () => {
    it('the same source built for x86-64 prints simdmath.expected', () => {
      const exe = join(scratch, 'simdmath64');
      const cc = spawnSync('gcc', ['-O2', '-msse2', '-mfpmath=sse', '-ftree-vectorize', '-ffreestanding', '-fno-stack-protector',
        '-static', '-w', `-I${lib}`, '-o', exe, join(bench, 'simdmath.c'), join(lib, 'printf.c'), join(lib, 'native_io.c'),
        join(lib, 'native_main.c')], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      const run = spawnSync(exe, [], { encoding: 'latin1' });
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(expected);
    }, 60_000);
  });

  describe.skipIf(!toolsFor('simdmath disassembly', 'objdump'))('code', () => {
    it('holds packed SSE from the vectoriser and the strlen scan', () => {
      const dis = spawnSync('objdump', ['-d', '--no-show-raw-insn', elfPath], { encoding: 'utf8', maxBuffer: 16 << 20 });
      const mnemonics = new Set([...dis.stdout.matchAll(/^\s+[0-9a-f]+:\s+([a-z0-9]+)/gm)].map((m) => m[1]));
      for (const m of ['mulps', 'addps', 'mulpd', 'addpd', 'divpd', 'cvtdq2pd', 'paddb', 'pmaxub', 'psadbw', 'pcmpeqb', 'pmovmskb']) {
        expect(mnemonics, m).toContain(m);
      }
    });
  });

  it.runIf(process.env.SIMDMATH_FULL === '1')('runs whole under btvm and prints simdmath.expected', async () => {
    const got = await runKernel(elfPath, [], 20_000_000_000);
    expect(got.out).toBe(expected);
    expect(got.status).toBe(1);
  }, 300_000);
});
