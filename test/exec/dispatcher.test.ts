/**
 * The dispatcher with real lifted code: exact --max-insns (including limits
 * that fall inside blocks), time slices and event checks, chaining between
 * regions on different pages, indirect exits through the fast table,
 * flushes of a full cache, and host errors turned into one-line results.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_REGION_LIMITS } from '../../src/translator/region-builder.js';
import { CODE_BASE, runNative, runTranslated, assemble, haveNative } from './guest-runner.js';

const ESP = 0x1000f000;
/** Whole regions from the first translation, for tests that count translations. */
const NO_TIERS = { ...DEFAULT_REGION_LIMITS, promoteAfter: 0 };
const regs = (ecx: number): number[] => [0, ecx, 0, 0, ESP, 0, 0, 0];

const native = haveNative('dispatcher vs host CPU');
/** Assembled only when the suite runs: vitest collects a skipped describe's body too. */
const assembleIf = (snippets: string[]): Uint8Array[] => (native ? assemble(snippets) : []);

describe.skipIf(!native)('dispatcher', () => {
  // mov ecx, N (5 bytes) ; l: dec ecx (1) ; jnz l (2) ; hlt
  const [loop, twoPages, indirect] = assembleIf([
    'mov ecx, 1000; l: dec ecx; jnz l',
    // A loop that calls a function one page away: direct exits both ways, ret is indirect.
    'mov ecx, 200; xor eax, eax; l: call f; loop l; jmp done; times 5000 nop; f: add eax, ecx; ret; done:',
    // jmp through a register to alternating targets.
    'mov ecx, 100; xor eax, eax; l: lea edx, [a]; test ecx, 1; jz go; lea edx, [b]; go: jmp edx; a: add eax, 1; jmp n; b: add eax, 3; n: loop l',
  ]);

  test('max-insns stops at exactly the limit, inside blocks too', () => {
    for (const limit of [1, 2, 3, 4, 7, 100, 1001, 1999, 2000]) {
      const run = runTranslated(loop!, { regs: regs(0), eflags: 0, seed: 1 }, { dispatcher: { maxInsns: limit, sliceInsns: 64 } });
      expect(run.result.kind).toBe('max-insns');
      expect(run.cpu.icount).toBe(limit);
      // Instruction 1 is the mov, then dec/jnz pairs: floor(limit/2) decs have retired.
      expect(run.cpu.regs[1]).toBe(1000 - Math.floor(limit / 2));
      expect(run.cpu.eip).toBe(limit % 2 === 1 ? CODE_BASE + 5 : CODE_BASE + 6);
    }
  });

  test('without a limit the program runs to hlt with an exact icount', () => {
    const run = runTranslated(loop!, { regs: regs(0), eflags: 0, seed: 1 }, { dispatcher: { sliceInsns: 10 } });
    expect(run.result.kind).toBe('stopped');
    expect(run.cpu.icount).toBe(1 + 2000 + 1);
    // A slice of 10 instructions means at least 200 trips through the event check.
    expect(run.runtime.dispatcher.stats.eventChecks).toBeGreaterThanOrEqual(200);
    expect(run.runtime.dispatcher.stats.exits.budget).toBeGreaterThanOrEqual(200);
  });

  // Two arms inlined under the loop head, of different lengths: budget checks sit only at switch
  // cases and must cover the longest path to the next one (codegen/compile-region.ts).
  const [arms] = assembleIf([
    'mov ecx, 300; xor eax, eax; xor ebx, ebx; l: test ecx, 1; jz even; add eax, ecx; add eax, 3; rol eax, 1; jmp next; ' +
    'even: add ebx, ecx; next: dec ecx; jnz l',
  ]);

  test('budget exits resume the same region where they left, with the host CPU\'s result', () => {
    const input = { regs: regs(0), eflags: 0, seed: 1 };
    const [native] = runNative([{ code: arms!, input }]);
    // Tiering off: the count below is of translations made for budget exits, not of promotions.
    const run = runTranslated(arms!, input, { dispatcher: { sliceInsns: 11 }, translator: { region: NO_TIERS } });
    expect(run.line).toBe(native);
    const d = run.runtime.dispatcher.stats;
    expect(d.exits.budget).toBeGreaterThan(100);
    // Nearly every budget exit continues the region it left instead of translating one entered there.
    expect(d.resumed).toBeGreaterThan(d.exits.budget - 5);
    expect(run.runtime.cache.stats.translations).toBeLessThanOrEqual(3);
  });

  test('a time slice shorter than a case\'s longest path still makes progress', () => {
    // The loop head's path (test, jz, the odd arm, a copy of dec/jnz) is 8 instructions.
    const input = { regs: regs(0), eflags: 0, seed: 1 };
    const [native] = runNative([{ code: arms!, input }]);
    for (const slice of [1, 3, 7]) {
      const run = runTranslated(arms!, input, { dispatcher: { sliceInsns: slice } });
      expect(run.line, `slice ${slice}`).toBe(native);
    }
  });

  test('case-level budget checks never run past an instruction limit', () => {
    for (let limit = 1; limit <= 80; limit++) {
      const run = runTranslated(arms!, { regs: regs(0), eflags: 0, seed: 1 }, { dispatcher: { maxInsns: limit, sliceInsns: 13 } });
      expect(run.result.kind, `limit ${limit}`).toBe('max-insns');
      expect(run.cpu.icount, `limit ${limit}`).toBe(limit);
    }
  });

  test('regions on different pages chain; ret goes through the fast table', () => {
    const run = runTranslated(twoPages!, { regs: regs(0), eflags: 0, seed: 1 }, { translator: { region: NO_TIERS } });
    expect(run.result.kind).toBe('stopped');
    expect(run.cpu.regs[0]).toBe((200 * 201) / 2);
    const cache = run.runtime.cache.stats, d = run.runtime.dispatcher.stats;
    expect(cache.chained).toBeGreaterThanOrEqual(190);
    expect(d.exits.indirect).toBe(200);
    expect(cache.fastHits).toBeGreaterThanOrEqual(190);
    expect(cache.translations).toBeLessThanOrEqual(5);
  });

  test('computed jumps find their targets', () => {
    const run = runTranslated(indirect!, { regs: regs(0), eflags: 0, seed: 1 });
    expect(run.cpu.regs[0]).toBe(50 * 1 + 50 * 3);
  });

  test('a cache that fills up is flushed and the program still completes', () => {
    const run = runTranslated(twoPages!, { regs: regs(0), eflags: 0, seed: 1 },
      { translator: { region: { maxBlocks: 1 } } });
    expect(run.cpu.regs[0]).toBe((200 * 201) / 2);
    const small = runTranslatedWithCache(twoPages!, 1);
    expect(small.cpu.regs[0]).toBe((200 * 201) / 2);
    expect(small.runtime.cache.stats.flushes).toBeGreaterThan(400);
  });

  test('single-step mode translates one instruction per block and gives the same result', () => {
    const run = runTranslated(twoPages!, { regs: regs(0), eflags: 0, seed: 1 }, { dispatcher: { singleStep: true } });
    expect(run.cpu.regs[0]).toBe((200 * 201) / 2);
    const s = run.runtime.cache.stats;
    expect(s.guestInsnsTranslated).toBe(s.blocksTranslated);
  });

  test('a host exception becomes a one-line error result', () => {
    const [bad] = assemble(['mov eax, 1; in al, dx']);
    const run = runTranslated(bad!, { regs: regs(0), eflags: 0, seed: 1 }, { allowError: true });
    expect(run.result.kind).toBe('error');
    const message = run.result.kind === 'error' ? run.result.message : '';
    expect(message).toBe('internal error at guest eip 0x20000005: Error: snippet used VMM routine in');
  });
});

function runTranslatedWithCache(code: Uint8Array, maxRegions: number): ReturnType<typeof runTranslated> {
  return runTranslated(code, { regs: regs(0), eflags: 0, seed: 1 }, { cache: { maxRegions, maxSourceBytes: 1 << 30 } });
}
