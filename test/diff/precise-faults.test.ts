/**
 * Precise guest exceptions: a fault in the middle of a translated block must
 * leave exactly the architectural state the host CPU reports for the same
 * code — every instruction before the faulting one done (registers, flags,
 * stores), nothing of it or after it, EIP at it. Checked against the FAULT
 * lines of fixtures/native/harness for #DE (div, idiv, aam, memory divisors,
 * inside a loop that is already translated and chained), #UD (ud2, lock on
 * a register, lea with a register, fe /7, mov cs, ud1) and #BR, in whole
 * regions, one block per region, and one instruction per block.
 * #PF needs paging, which btvm's translated code does not have yet.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ESP, parseStateLine, type CaseInput } from '../support/harness-protocol.js';
import { haveHarness, probeHostSelectors, runNative } from '../support/native-harness.js';
import { assembleSnippets } from '../support/nasm.js';
import { toolsFor } from '../support/external-tools.js';
import { TranslatedRunner } from '../support/translated-runner.js';

interface FaultCase {
  readonly name: string;
  readonly vector: string;
  readonly asm: string;
  /** Straight-line code up to the fault: it must be raised inside the first translated block. */
  readonly straight: boolean;
}

const CASES: readonly FaultCase[] = [
  { name: 'div by a zero register after stores and a push', vector: 'DE', straight: true,
    asm: 'mov eax, 0x12345678; xor ecx, ecx; mov [0x10000100], eax; shl edx, 3; push eax; add ebx, eax; div ecx; mov eax, 1; mov [0x10000104], eax' },
  { name: 'idiv overflow (INT_MIN / -1)', vector: 'DE', straight: true,
    asm: 'mov eax, 0x80000000; cdq; mov ebx, -1; inc esi; mov [0x10000200], esi; add edi, 5; idiv ebx; inc eax' },
  { name: '8-bit div whose quotient does not fit', vector: 'DE', straight: true,
    asm: 'mov ax, 0x1234; mov bl, 0x10; sub esi, 3; mov byte [0x10000300], bl; div bl; mov ecx, 9' },
  { name: '16-bit idiv overflow', vector: 'DE', straight: true,
    asm: 'mov dx, 0x7fff; mov ax, 0xffff; mov cx, 2; add si, 1; idiv cx; nop' },
  { name: 'div by a zero memory operand', vector: 'DE', straight: true,
    asm: 'mov dword [0x10000400], 0; mov eax, 5; inc edx; add esi, edi; div dword [0x10000400]; mov eax, 6' },
  { name: 'aam 0', vector: 'DE', straight: true,
    asm: 'mov dword [0x10000500], ecx; add al, 3; aam 0; mov ebx, 1' },
  { name: 'div reaching a zero divisor in the sixth iteration of a chained loop', vector: 'DE', straight: false,
    asm: 'mov ecx, 5; .l: mov eax, 100; xor edx, edx; mov [0x10000600+ecx*4], ecx; add edi, ecx; div ecx; add esi, eax; dec ecx; jmp .l' },
  { name: 'ud2 after stores and a push', vector: 'UD', straight: true,
    asm: 'add eax, ebx; mov [0x10000700], eax; push ecx; sub edx, 1; ud2; inc eax' },
  { name: 'lock on a register operand', vector: 'UD', straight: true,
    asm: 'sub eax, 1; mov [0x10000800], eax; db 0xf0, 0x01, 0xd8; inc eax' },
  { name: 'lea with a register operand', vector: 'UD', straight: true,
    asm: 'add ecx, 7; db 0x8d, 0xc1; inc ecx' },
  { name: 'fe /7 (no such inc/dec row)', vector: 'UD', straight: true,
    asm: 'neg edx; mov [0x10000900], dx; db 0xfe, 0xf8; dec edx' },
  { name: 'mov to CS', vector: 'UD', straight: true,
    asm: 'add eax, 1; db 0x8e, 0xc8; add eax, 2' },
  { name: 'ud1', vector: 'UD', straight: true,
    asm: 'push ebx; add ebx, 3; db 0x0f, 0xb9, 0xc0; pop ebx' },
  { name: 'ud2 after a loop that ran three times', vector: 'UD', straight: false,
    asm: 'mov ecx, 3; .l: add eax, ecx; mov [0x10000a00+ecx*4], eax; dec ecx; jnz .l; ud2' },
  { name: 'bound outside the range', vector: 'BR', straight: true,
    asm: 'mov dword [0x10000b00], 10; mov dword [0x10000b04], 20; mov eax, 25; add ebx, ecx; bound eax, [0x10000b00]; nop' },
];

const INPUT: CaseInput = {
  regs: [0x11111111, 0x22222222, 0x33333333, 0x44444444, DEFAULT_ESP, 0x66666666, 0x77777777, 0x88888888],
  eflags: 0x0895, seed: 0xfa17,
};

const oracle = toolsFor('precise faults vs host CPU', 'nasm') && haveHarness();

describe.skipIf(!oracle)('guest faults leave the state the host CPU shows', () => {
  if (!oracle) {
    it.skip('needs the native harness and nasm', () => {});
    return;
  }
  const codes = assembleSnippets(CASES.map((c) => c.asm));
  const native = runNative(codes.map((code) => ({ code, input: INPUT })));
  const selectors = probeHostSelectors();
  const regions = new TranslatedRunner(selectors);
  const oneBlock = new TranslatedRunner(selectors, { region: { maxBlocks: 1 } });

  CASES.forEach((c, i) => {
    it(`${c.vector}: ${c.name}`, () => {
      const host = native[i]!;
      const s = parseStateLine(host);
      // The case really faults on the host, after some instructions ran.
      expect(s?.fault?.vector, host).toBe(c.vector);
      expect(s!.fault!.offset).toBeGreaterThan(0);
      const r = regions.run(codes[i]!, INPUT);
      expect(r.line).toBe(host);
      if (c.straight) expect(r.translations, 'raised inside the first translated block').toBe(1);
      expect(regions.run(codes[i]!, INPUT, { singleStep: true }).line).toBe(host);
      expect(oneBlock.run(codes[i]!, INPUT).line).toBe(host);
    });
  });
});
