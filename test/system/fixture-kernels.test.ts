/**
 * Whole-system check: every fixture kernel (fixtures/kernels) and every VMM
 * probe kernel (test/system/kernels) must print exactly what it printed
 * under qemu-system-i386 and exit with the same status (K.expected,
 * K.status — recorded by fixtures/build.sh and test/system/kernels/build.sh),
 * run through `btvm run` with its default MMU and executor. The benchmark
 * kernels (fixtures/bench) are left to the benchmark runner: they take too
 * long for a unit-test run.
 */
import { describe, expect, it } from 'vitest';
import { expectLikeQemu, kernelsIn, name } from './mmu-run.js';

const kernels = [...kernelsIn('fixtures/kernels'), ...kernelsIn('test/system/kernels')];

describe('fixture kernels under btvm run', () => {
  for (const elf of kernels) {
    it(`${name(elf)}: output and exit status identical to QEMU`, () => expectLikeQemu(elf, []), 60_000);
  }
});

it('there are fixture kernels with QEMU transcripts to run', () => {
  expect(kernels.length).toBeGreaterThanOrEqual(3);
});
