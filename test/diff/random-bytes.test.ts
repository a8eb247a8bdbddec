/**
 * Random bytes as guest code: whatever the bytes are — undefined opcodes,
 * privileged and I/O instructions at ring 3, far transfers, segment loads,
 * wild stores, jumps into zeroed memory — running them through the
 * translator, the dispatcher and the real monitor never raises a host
 * exception, and every run ends either in a guest exception (or software
 * interrupt) delivered by the monitor, or at the instruction limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GUEST_STACK, VmmGuestRunner, type GuestEventEnd } from './vmm-guest-runner.js';

const RUNS = 3000;
const MAX_INSNS = 20_000;

describe('random guest code', () => {
  const runner = new VmmGuestRunner(MAX_INSNS);
  const endings = new Map<string, number>();

  it(`never raises a host exception and ends in a guest exception or the instruction limit (${RUNS} programs)`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 48 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 0xcd5 }),
        fc.boolean(),
        (code, regs, eflags, validStack) => {
          if (validStack) regs[4] = GUEST_STACK;
          const end: GuestEventEnd = runner.run(code, { regs, eflags: eflags & 0xcd5, seed: 7 });
          const key = end.kind === 'event' ? `event ${end.vector}` : end.kind;
          endings.set(key, (endings.get(key) ?? 0) + 1);
          const hex = Buffer.from(code).toString('hex');
          expect(end.kind === 'event' || end.kind === 'max-insns', `${hex}: ${JSON.stringify(end)}`).toBe(true);
        },
      ),
      { numRuns: RUNS, seed: 0x7a11, endOnFailure: true },
    );
    // The property is not vacuous: both endings occur, and exceptions of several kinds.
    expect(endings.get('max-insns') ?? 0).toBeGreaterThan(0);
    expect([...endings.keys()].filter((k) => k.startsWith('event')).length).toBeGreaterThan(3);
  }, 120_000);
});
