/**
 * Every system fixture kernel (fixtures/system: paging, exceptions,
 * smcalias, usermode, tasks, timer, …) and every nano kernel (fixtures/nano,
 * --append iters=1000) under `btvm run --mmu nested` prints exactly what it
 * printed under qemu-system-i386 and exits with the same status.
 */
import { describe, it } from 'vitest';
import { expectLikeQemu, itRunsSystemKernelsLikeQemu, kernelsIn, name } from './mmu-run.js';

describe('--mmu nested: kernels match their QEMU transcripts', () => itRunsSystemKernelsLikeQemu(['--mmu', 'nested']));

// fixtures/kernels run under the default (shadow) MMU in fixture-kernels.test.ts.
describe('--mmu nested: fixtures/kernels match their QEMU transcripts', () => {
  for (const elf of kernelsIn('fixtures/kernels')) {
    it(name(elf), () => expectLikeQemu(elf, ['--mmu', 'nested']), 60_000);
  }
});
