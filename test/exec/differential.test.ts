/**
 * Whole-pipeline differential tests: guest programs with loops, calls,
 * memory traffic, string instructions, faults and self-modifying code run
 * natively on the host CPU (fixtures/native/harness) and translated by btvm
 * (lifter → passes → region codegen → cache → dispatcher); registers,
 * OSZAPC+DF and the data-region checksum must agree. Each program also runs
 * in single-step mode (one-instruction blocks) and with one block per
 * region, which must give the same answer.
 */
import { describe, expect, test } from 'vitest';
import { assemble, haveNative, maskFlags, runNative, runTranslated, type CaseInput } from './guest-runner.js';

const ESP = 0x1000f000;
const input = (regs: number[] = [], eflags = 0, seed = 1): CaseInput => ({
  regs: [regs[0] ?? 0, regs[1] ?? 0, regs[2] ?? 0, regs[3] ?? 0, ESP, regs[5] ?? 0, regs[6] ?? 0, regs[7] ?? 0],
  eflags, seed,
});

const AF = 0x10, SZAP = 0xd4, ALL = 0x8d5;

interface Program {
  readonly name: string;
  readonly asm: string;
  readonly input?: CaseInput;
  /** Flags the last flag-writing instruction leaves undefined. */
  readonly undef?: number;
}

export const PROGRAMS: readonly Program[] = [
  { name: 'counted add loop', asm: 'mov ecx, 1000; xor eax, eax; l: add eax, ecx; dec ecx; jnz l' },
  {
    name: 'mixed alu loop with a conditional arm',
    asm: 'mov ecx, 300; xor eax, eax; mov ebx, 1; l: add eax, ebx; adc edx, 0; imul ebx, ebx, 3; ror ebx, 5; cmp ecx, 150; jae skip; xor eax, ecx; skip: loop l',
    undef: 0,
  },
  {
    name: 'nested signed loops',
    asm: 'mov esi, 20; xor eax, eax; o: mov edi, esi; i: add eax, edi; sub edi, 3; jg i; dec esi; jnz o',
  },
  {
    name: 'data region loads and stores',
    asm: 'mov esi, 0x10000000; mov ecx, 1000; xor eax, eax; l: add eax, [esi+ecx*4]; xor [esi+ecx*8], eax; loop l',
  },
  {
    name: 'unaligned and narrow accesses',
    asm: 'mov eax, [0x10000001]; mov [0x10000003], ax; mov ebx, [0x10000fff]; mov [0x10002001], ebx; movzx ecx, byte [0x10000007]; movsx edx, word [0x10000009]; mov byte [0x1000000b], cl; add ax, [0x10000011]; sub bl, [0x10000013]',
  },
  {
    name: 'stack: call, ret, push, pop',
    asm: 'mov ecx, 50; xor eax, eax; l: call f; loop l; jmp done; f: push ecx; add eax, ecx; shl eax, 1; pop ebx; ret; done: push eax; push ebx; pop edx; pop esi',
    undef: AF,
  },
  {
    name: 'division and multiplication',
    asm: 'mov eax, 1000000; mov ecx, 7; xor edx, edx; div ecx; mov ebx, edx; mov eax, -1000; cdq; mov ecx, 13; idiv ecx; mov esi, eax; mov eax, 0x12345678; mov ecx, 0x9abcdef0; mul ecx; mov edi, edx; mov eax, -5; imul ecx; add eax, edx',
  },
  {
    name: 'narrow division',
    asm: 'mov ax, 1000; mov cl, 7; div cl; mov bx, ax; mov ax, -1000; mov cl, 13; idiv cl; mov si, ax; mov dx, 3; mov ax, 0x1234; mov cx, 0x100; div cx; add eax, edx',
  },
  { name: 'divide by zero faults before any state change', asm: 'mov eax, 5; xor ecx, ecx; inc edx; div ecx; mov eax, 7' },
  { name: 'idiv overflow faults', asm: 'mov eax, 0x80000000; cdq; mov ecx, -1; idiv ecx' },
  {
    name: 'setcc, cmovcc, bit ops',
    asm: 'mov eax, 0x80000001; mov ebx, 7; cmp eax, ebx; setl cl; setb ch; setg dl; cmovl esi, ebx; cmova edi, eax; bt eax, 31; setc dh; bsf ebp, eax; bswap eax; test eax, eax',
  },
  {
    name: '8- and 16-bit arithmetic',
    asm: 'mov ax, 0x7fff; add ax, 1; seto bl; mov cx, 0xffff; adc cx, 0; setc bh; mov dl, 0x80; sub dl, 1; seto dh; neg al; inc cx; dec dh',
  },
  {
    name: 'shifts and rotates by cl',
    asm: 'mov ecx, 40; mov eax, 0x12345678; xor edx, edx; l: mov ebx, eax; shl ebx, cl; add edx, ebx; mov ebx, eax; sar ebx, cl; add edx, ebx; rol eax, cl; shr bx, cl; adc edx, 0; rcl edx, 1; loop l',
    undef: AF | 0x800,
  },
  {
    name: 'string instructions with rep',
    asm: 'cld; lea edi, [esp-0x800]; mov ecx, 100; mov al, 0x5a; rep stosb; lea esi, [esp-0x800]; lea edi, [esp-0x400]; mov ecx, 25; rep movsd; lea esi, [esp-0x800]; lea edi, [esp-0x400]; mov ecx, 100; repe cmpsb; mov ebx, ecx; mov ecx, 0; rep stosd; std; lea esi, [esp-0x404]; mov ecx, 10; l: lodsd; add edx, eax; loop l; cld',
  },
  {
    name: 'repne scasb finds a byte',
    asm: 'mov edi, 0x10000000; mov ecx, 0x1000; mov al, 0x33; repne scasb; mov ebx, edi; mov edx, ecx',
  },
  {
    name: 'self-modifying code: patch the next instruction',
    asm: 'call n; n: pop ebx; mov byte [ebx + (t - n) + 1], 42; t: mov eax, 1; mov ecx, eax',
  },
  {
    name: 'self-modifying code: patch an immediate inside a loop',
    asm: 'call n; n: pop ebx; mov ecx, 10; xor edx, edx; l: mov [ebx + (v - n)], ecx; db 0x81, 0xc2; v: dd 0; loop l',
  },
  {
    name: 'a block that modifies itself after the store',
    asm: 'call n; n: pop ebx; mov ecx, 3; l: mov byte [ebx + (p - n)], 0x40; nop; p: nop; nop; loop l',
  },
];

const hasNative = haveNative('translated execution vs host CPU');

describe.skipIf(!hasNative)('translated execution matches the host CPU', () => {
  const codes = hasNative ? assemble(PROGRAMS.map((p) => p.asm)) : [];
  const inputs = PROGRAMS.map((p) => p.input ?? input([0x11, 0x22, 0x33, 0x44, 0, 0x66, 0x77, 0x88], 0, 7));
  const native = hasNative ? runNative(codes.map((code, i) => ({ code, input: inputs[i]! }))) : [];

  PROGRAMS.forEach((p, i) => {
    test(p.name, () => {
      const undef = p.undef ?? AF;
      const want = maskFlags(native[i]!, undef);
      expect(maskFlags(runTranslated(codes[i]!, inputs[i]!).line, undef)).toBe(want);
      expect(maskFlags(runTranslated(codes[i]!, inputs[i]!, { dispatcher: { singleStep: true } }).line, undef)).toBe(want);
      expect(maskFlags(runTranslated(codes[i]!, inputs[i]!, { translator: { region: { maxBlocks: 1 } } }).line, undef)).toBe(want);
      expect(maskFlags(runTranslated(codes[i]!, inputs[i]!, { translator: { codegen: { registerLocals: false } } }).line, undef)).toBe(want);
    });
  });
});

test('the self-modifying programs really invalidate translations', () => {
  if (!hasNative) return;
  const codes = assemble(PROGRAMS.filter((p) => p.name.startsWith('self-mod') || p.name.startsWith('a block that')).map((p) => p.asm));
  for (const code of codes) {
    const run = runTranslated(code, input());
    expect(run.runtime.cache.stats.invalidations).toBeGreaterThan(0);
    expect(run.runtime.dispatcher.stats.exits.codeModified).toBeGreaterThan(0);
  }
  void SZAP; void ALL;
});
