/**
 * Every system fixture kernel (fixtures/system: paging, exceptions,
 * smcalias, usermode, tasks, timer, …) and every nano kernel (fixtures/nano,
 * --append iters=1000) under `btvm run --mmu shadow` prints exactly what it
 * printed under qemu-system-i386 and exits with the same status.
 */
import { describe, it } from 'vitest';
import { expectLikeQemu, itRunsSystemKernelsLikeQemu, kernelsIn, name } from './mmu-run.js';

describe('--mmu shadow: kernels match their QEMU transcripts', () => itRunsSystemKernelsLikeQemu(['--mmu', 'shadow']));

// Guest-physical pages at shuffled machine pages: nothing above the MMU may confuse the two address spaces.
describe('--scatter-memory: paging kernels match their QEMU transcripts', () => {
  for (const k of ['paging', 'exceptions', 'smcalias', 'usermode']) {
    const elf = kernelsIn('fixtures/system').find((e) => e.endsWith(`/${k}.elf`))!;
    it(`${name(elf)} --mmu shadow --scatter-memory=7`, () => expectLikeQemu(elf, ['--mmu', 'shadow', '--scatter-memory=7']), 60_000);
    it(`${name(elf)} --mmu nested --scatter-memory=7`, () => expectLikeQemu(elf, ['--mmu', 'nested', '--scatter-memory=7']), 60_000);
  }
});
