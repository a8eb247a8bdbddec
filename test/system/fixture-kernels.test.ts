/**
 * Whole-system check: every fixture kernel (fixtures/kernels) and every VMM
 * probe kernel (test/system/kernels) must print exactly what it printed
 * under qemu-system-i386 and exit with the same status (K.expected,
 * K.status — recorded by fixtures/build.sh and test/system/kernels/build.sh),
 * run through `btvm run` with its default MMU and executor. The benchmark
 * kernels (fixtures/bench) are left to the benchmark runner: they take too
 * long for a unit-test run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectLikeQemu, kernelsIn, name, runKernel } from './mmu-run.js';

/** cpuid.elf prints CPUID, which differs from QEMU's qemu32 by design: see below. */
const isCpuidProbe = (elf: string): boolean => elf.endsWith('/cpuid.elf');
const kernels = [...kernelsIn('fixtures/kernels'), ...kernelsIn('test/system/kernels')].filter((k) => !isCpuidProbe(k));

describe('fixture kernels under btvm run', () => {
  for (const elf of kernels) {
    it(`${name(elf)}: output and exit status identical to QEMU`, () => expectLikeQemu(elf, []), 60_000);
  }

  // btvm's default CPU model (qemu32) is QEMU's without what btvm does not
  // execute: CPUID.01H EDX loses PAE (6). Every other leaf and bit is QEMU's.
  it('test/system/kernels/cpuid.elf: QEMU\'s leaves, leaf 1 without PAE', async () => {
    const elf = kernelsIn('test/system/kernels').find(isCpuidProbe)!;
    const qemu = readFileSync(elf.replace(/\.elf$/, '.expected'), 'latin1');
    const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    const expected = qemu.replace(/^00000001\/00000000: (\w{8}) (\w{8}) (\w{8}) (\w{8})$/m, (_l, a, b, c, d) =>
      `00000001/00000000: ${a} ${b} ${c} ${hex(parseInt(d, 16) & ~(1 << 6))}`);
    expect(expected).not.toBe(qemu);
    const got = await runKernel(elf, []);
    expect(got.out).toBe(expected);
  }, 60_000);
});

it('there are fixture kernels with QEMU transcripts to run', () => {
  expect(kernels.length).toBeGreaterThanOrEqual(3);
});
