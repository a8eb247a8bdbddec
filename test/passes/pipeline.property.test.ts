/*
 * The pipeline preserves behaviour: random lifter-shaped blocks (mostly over
 * constants) are run by the test-only evaluator before and after
 * optimisation, from the same random machine state, and everything
 * observable must agree: how control left (exit target, or fault vector and
 * the instruction it hit), registers, eflags.sys, memory, every VMM call and
 * the state it saw, and the flags (unless the test plays a translator that
 * says successors overwrite them). verifyBlock runs after every pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyBlock } from '../../src/ir/verify.js';
import { PASS_NAMES, optimize, type PassName } from '../../src/passes/pipeline.js';
import { evaluate, initialState, observe } from '../support/ir-evaluator.js';
import { randomBlock } from './random-block.js';

// Unbiased numbers: the generator takes them modulo small counts, and fast-check's bias towards small values would make most choices 0.
const tape = fc.array(fc.noBias(fc.nat({ max: 0xffffffff })), { minLength: 30, maxLength: 300, size: 'medium' });
const disabledSet = fc.subarray([...PASS_NAMES]).map((xs) => new Set<PassName>(xs));

function check(nums: number[], seed: number, disabled: Set<PassName>, memoryCannotFault: boolean, overwrite: boolean): void {
  const block = randomBlock(nums);
  expect(verifyBlock(block), 'generator made an invalid block').toEqual([]);
  const optimized = optimize(block, {
    verify: true,
    disabled,
    memoryCannotFault,
    successorsOverwriteFlags: overwrite ? () => true : undefined,
  });
  const memory = { faults: !memoryCannotFault };
  const s1 = initialState(seed, memory), s2 = initialState(seed, memory);
  const before = observe(s1, evaluate(block, s1), !overwrite);
  const after = observe(s2, evaluate(optimized, s2), !overwrite);
  expect(after).toEqual(before);
}

describe('optimize preserves what a guest can observe', () => {
  it('with every pass on, memory that may fault, flags live at exit', () => {
    fc.assert(fc.property(tape, fc.integer(), (nums, seed) => check(nums, seed, new Set(), false, false)), { numRuns: 1500 });
  });

  it('with any subset of passes disabled', () => {
    fc.assert(fc.property(tape, fc.integer(), disabledSet, (nums, seed, off) => check(nums, seed, off, false, false)),
      { numRuns: 600 });
  });

  it('when loads cannot fault (dead loads may go)', () => {
    fc.assert(fc.property(tape, fc.integer(), (nums, seed) => check(nums, seed, new Set(), true, false)), { numRuns: 600 });
  });

  it('when successors overwrite the flags (thunks before the exit may go)', () => {
    fc.assert(fc.property(tape, fc.integer(), (nums, seed) => check(nums, seed, new Set(), false, true)), { numRuns: 600 });
  });

  it('actually optimises: the random blocks shrink', () => {
    // Guards against a pipeline that passes the property by doing nothing.
    let before = 0, after = 0;
    fc.assert(fc.property(tape, (nums) => {
      const block = randomBlock(nums);
      before += block.ops.length;
      after += optimize(block, { verify: true }).ops.length;
    }), { numRuns: 300, seed: 42 });
    expect(after).toBeLessThan(before * 0.8);
  });
});
