/**
 * Self-modifying code on a page the cache has turned hot (src/cache/smc-pages.ts):
 * the translator gives its entries one-instruction regions. The oracle for
 * what the code computes is the host CPU (fixtures/native/harness runs the
 * same bytes natively, code page writable); the cache's counters show the
 * demotion happened and bound translation work per executed instruction.
 *
 * The storm program is the shape the random-byte kernels hit: a long run of
 * `add [eax], al` with EAX pointing at the immediate of an instruction
 * further on in the same page. Every one of them stores into the region that
 * is running; with whole regions, each store made the dispatcher retranslate
 * everything from the next instruction to that immediate again — hundreds of
 * instructions translated per instruction run. The bound below fails that way.
 */
import { describe, expect, test } from 'vitest';
import { assemble, haveNative, maskFlags, runNative, runTranslated, type CaseInput } from '../exec/guest-runner.js';

const ESP = 0x1000f000;
const AF = 0x10;
const INPUT: CaseInput = { regs: [0x11, 0x22, 0x33, 0x44, ESP, 0x66, 0x77, 0x88], eflags: 0, seed: 7 };

interface SmcProgram {
  readonly name: string;
  readonly asm: string;
  /** Translated guest instructions per executed instruction at most. */
  readonly maxTranslatedPerInsn: number;
}

const PROGRAMS: readonly SmcProgram[] = [
  {
    name: 'a run of 400 stores into an immediate ahead in the same page',
    asm: 'call n; n: pop eax; add eax, (t - n) + 1; times 400 add [eax], al; t: mov esi, 0x11223344; mov edi, esi',
    maxTranslatedPerInsn: 8,
  },
  {
    name: 'a loop that rewrites its own next iteration (immediate and opcode), 300 times',
    asm: 'call n; n: pop ebx; mov ecx, 300; xor eax, eax; l: add eax, strict dword 1; inc dword [ebx + (l - n) + 1]; xor byte [ebx + (l - n)], 0x05 ^ 0x2d; dec ecx; jnz l',
    maxTranslatedPerInsn: 4,
  },
  {
    name: 'one dword store across two instructions, on a page already hot',
    asm: [
      'call n; n: pop ebx; mov ecx, 200; xor edx, edx',
      'l: mov [ebx + (p - n) + 2], ecx', // patch p's imm32 (after opcode and modrm): makes the page hot
      'mov eax, ecx; and eax, 0x7f; or eax, 0x90909000',
      'mov [ebx + (q - n) + 2], eax', // q's imm8 and the three nops after it: four one-instruction regions
      'p: add edx, strict dword 0',
      'q: add dl, 0; nop; nop; nop; inc edx',
      'dec ecx; jnz l',
    ].join('\n'),
    maxTranslatedPerInsn: 4,
  },
];

const hasNative = haveNative('hot self-modifying pages vs host CPU');

describe.skipIf(!hasNative)('self-modifying code on hot pages matches the host CPU', () => {
  const codes = hasNative ? assemble(PROGRAMS.map((p) => p.asm)) : [];
  const native = hasNative ? runNative(codes.map((code) => ({ code, input: INPUT }))) : [];

  PROGRAMS.forEach((p, i) => {
    test(p.name, () => {
      const want = maskFlags(native[i]!, AF);
      const run = runTranslated(codes[i]!, INPUT);
      const c = run.runtime.cache.stats, executed = run.cpu.icount;
      expect(c.guestInsnsTranslated / executed, `${c.guestInsnsTranslated} translated for ${executed} run`)
        .toBeLessThanOrEqual(p.maxTranslatedPerInsn);
      expect(maskFlags(run.line, AF)).toBe(want);
      expect(c.smcPagesDemoted).toBe(1);
      expect(c.smcTranslations).toBeGreaterThan(0);
      // Without demotion (single-step, one block per region) the answer is the same.
      expect(maskFlags(runTranslated(codes[i]!, INPUT, { dispatcher: { singleStep: true } }).line, AF)).toBe(want);
      expect(maskFlags(runTranslated(codes[i]!, INPUT, { translator: { region: { maxBlocks: 1 } } }).line, AF)).toBe(want);
    });
  });

  test('one-instruction regions on a hot page still chain: most transitions need no lookup', () => {
    const run = runTranslated(codes[1]!, INPUT);
    const c = run.runtime.cache.stats, d = run.runtime.dispatcher.stats;
    expect(c.smcTranslations).toBeGreaterThan(0);
    // 300 iterations x 5 instructions, nearly all on the hot page: chained transitions dominate.
    expect(c.chained).toBeGreaterThan(d.regionsRun / 2);
  });
});
