/*
 * The passes on real lifter output: random byte strings are decoded and
 * lifted (src/lift, any bytes: undefined encodings become #UD), optimised,
 * and the lifted and optimised blocks are run by the test-only evaluator
 * from the same random machine states. Everything observable must agree,
 * both with memory that may fault (loads are barriers) and with memory that
 * cannot (as the CPU runtime optimises with paging off).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODE_CODE32, MODE_FLAT, MODE_PROTECTED, MODE_STACK32 } from '../../src/state/mode.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { optimize } from '../../src/passes/pipeline.js';
import { evaluate, initialState, observe } from '../support/ir-evaluator.js';

const MODE = MODE_CODE32 | MODE_STACK32 | MODE_FLAT | MODE_PROTECTED;
const BASE = 0x40000;
/** Mostly one-byte ALU/stack/control opcodes and ModRM-heavy forms, so blocks run several instructions. */
const byte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 2, arbitrary: fc.constantFrom(0x01, 0x03, 0x29, 0x2b, 0x31, 0x39, 0x3b, 0x21, 0x09, 0x85, 0x89, 0x8b, 0x8d,
    0x40, 0x41, 0x48, 0x4a, 0x50, 0x53, 0x58, 0x5b, 0x83, 0x81, 0xc1, 0xd1, 0xd3, 0xf7, 0x0f, 0xaf, 0xb6, 0xbe, 0x99, 0x90) },
  { weight: 2, arbitrary: fc.constantFrom(0xc0, 0xc1, 0xc8, 0xd8, 0xe0, 0x03, 0x43, 0x04, 0x24, 0x00, 0x01, 0x10) },
);

function check(bytes: number[], seed: number, memoryCannotFault: boolean): void {
  const code = Uint8Array.from(bytes);
  const lifted = liftBlock(new ArrayCodeFetcher(code, BASE), BASE, { codeSize: 4, flatSegments: true, mode: MODE });
  expect(verifyBlock(lifted)).toEqual([]);
  const optimised = optimize(lifted, { verify: true, memoryCannotFault });
  const memory = { faults: !memoryCannotFault };
  const s1 = initialState(seed, memory), s2 = initialState(seed, memory);
  const before = observe(s1, evaluate(lifted, s1), true);
  const after = observe(s2, evaluate(optimised, s2), true);
  expect(after).toEqual(before);
}

describe('passes on lifted random code', () => {
  const code = fc.array(byte, { minLength: 1, maxLength: 48 });
  it('preserve behaviour when memory may fault', () => {
    fc.assert(fc.property(code, fc.integer(), (bytes, seed) => check(bytes, seed, false)), { numRuns: 400 });
  });
  it('preserve behaviour when memory cannot fault', () => {
    fc.assert(fc.property(code, fc.integer(), (bytes, seed) => check(bytes, seed, true)), { numRuns: 400 });
  });
});
