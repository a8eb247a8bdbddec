/**
 * Lifted semantics against the host CPU: each snippet is assembled with
 * nasm, run natively by fixtures/native/harness and, lifted by src/lift,
 * by the test IR evaluator, on the same registers, flags and seeded data
 * region; registers, the defined flags and the data checksum must agree,
 * faults included (vector, address, state).
 */
import { describe, expect, it } from 'vitest';
import { assemble, DATA_BASE, haveOracle, maskFlags, runLifted, runNative, type CaseInput } from './native-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';

const O = 0x800, S = 0x80, Z = 0x40, A = 0x10, P = 0x4, C = 0x1;

interface Case {
  readonly asm: string;
  /** Flags the SDM leaves undefined for this snippet. */
  readonly undef?: number;
  /** Register overrides (index → value or generator). */
  readonly regs?: Readonly<Record<number, (r: () => number) => number>>;
}

const ptr = (off: number) => (r: () => number) => DATA_BASE + off + (r() & 0xff0);
const small = (n: number) => (r: () => number) => r() % n;

const STR = { 6: ptr(0x4000), 7: ptr(0x9000), 1: small(24) };
const CASES: Case[] = [
  // add / adc / sub / sbb / cmp / neg / inc / dec in all sizes
  { asm: 'add eax, ebx' }, { asm: 'add al, bh' }, { asm: 'add cx, dx' }, { asm: 'add eax, 0x7fffffff' },
  { asm: 'add ebx, -3' }, { asm: 'adc eax, ebx' }, { asm: 'adc al, bl' }, { asm: 'adc si, di' },
  { asm: 'sub eax, ebx' }, { asm: 'sub cl, dh' }, { asm: 'sub ax, 0x8000' }, { asm: 'sbb eax, ebx' },
  { asm: 'sbb al, bh' }, { asm: 'sbb si, di' }, { asm: 'cmp eax, ebx' }, { asm: 'cmp bl, 0x80' },
  { asm: 'neg eax' }, { asm: 'neg bl' }, { asm: 'neg dx' }, { asm: 'inc eax' }, { asm: 'dec bx' }, { asm: 'inc ah' },
  { asm: 'dec dl' }, { asm: 'and eax, ebx', undef: A }, { asm: 'or cl, dh', undef: A }, { asm: 'xor si, di', undef: A },
  { asm: 'test eax, ebx', undef: A }, { asm: 'not ecx' }, { asm: 'add eax, ebx; adc edx, ecx' },
  { asm: 'add dword [esi], eax', regs: { 6: ptr(0x100) } }, { asm: 'sub word [esi+4], 0x1234', regs: { 6: ptr(0x100) } },
  { asm: 'inc byte [esi]', regs: { 6: ptr(0x100) } }, { asm: 'adc bh, [esi+ebx*2]', regs: { 6: ptr(0x100), 3: small(64) } },
  // shifts and rotates: 32-bit by CL (any count), 8/16-bit by counts below the width, by 1 and by imm
  { asm: 'shl eax, cl', undef: O | A }, { asm: 'shr eax, cl', undef: O | A }, { asm: 'sar eax, cl', undef: O | A },
  { asm: 'shl eax, 1', undef: A }, { asm: 'shr eax, 1', undef: A }, { asm: 'sar edx, 1', undef: A },
  { asm: 'shl bl, 3', undef: O | A }, { asm: 'sar dx, 5', undef: O | A }, { asm: 'shr al, cl', undef: O | A, regs: { 1: small(8) } },
  { asm: 'sar bh, cl', undef: O | A, regs: { 1: small(8) } }, { asm: 'shl si, cl', undef: O | A, regs: { 1: small(16) } },
  { asm: 'shl dword [esi], cl', undef: O | A, regs: { 6: ptr(0x200) } },
  { asm: 'rol eax, cl', undef: O }, { asm: 'ror eax, cl', undef: O }, { asm: 'rol bl, cl', undef: O },
  { asm: 'ror dx, cl', undef: O }, { asm: 'rol ax, 1' }, { asm: 'ror eax, 1' }, { asm: 'ror bh, 1' },
  { asm: 'rcl eax, cl', undef: O }, { asm: 'rcr eax, cl', undef: O }, { asm: 'rcl bl, cl', undef: O },
  { asm: 'rcr dh, cl', undef: O }, { asm: 'rcl ax, cl', undef: O }, { asm: 'rcr si, cl', undef: O },
  { asm: 'rcr eax, 1' }, { asm: 'rcl bl, 1' }, { asm: 'rcl ecx, 7', undef: O },
  { asm: 'shld eax, ebx, cl', undef: O | A }, { asm: 'shrd eax, ebx, cl', undef: O | A }, { asm: 'shrd eax, ebx, 7', undef: O | A },
  { asm: 'shld ax, bx, 5', undef: O | A }, { asm: 'shrd ax, bx, 3', undef: O | A }, { asm: 'shld edx, eax, 1', undef: A },
  // multiply and divide (divide often faults with random inputs: both paths are checked)
  { asm: 'mul ebx', undef: S | Z | A | P }, { asm: 'mul bl', undef: S | Z | A | P }, { asm: 'mul bx', undef: S | Z | A | P },
  { asm: 'imul ebx', undef: S | Z | A | P }, { asm: 'imul bl', undef: S | Z | A | P }, { asm: 'imul cx', undef: S | Z | A | P },
  { asm: 'imul eax, ebx', undef: S | Z | A | P }, { asm: 'imul ax, bx, 0x1234', undef: S | Z | A | P },
  { asm: 'imul ecx, edx, -7', undef: S | Z | A | P }, { asm: 'imul si, di', undef: S | Z | A | P },
  { asm: 'div ebx', undef: 0x8d5 }, { asm: 'div bl', undef: 0x8d5 }, { asm: 'div bx', undef: 0x8d5 },
  { asm: 'xor edx, edx; div ebx', undef: 0x8d5 }, { asm: 'idiv ebx', undef: 0x8d5 }, { asm: 'idiv bl', undef: 0x8d5 },
  { asm: 'idiv cx', undef: 0x8d5 }, { asm: 'cdq; idiv ebx', undef: 0x8d5 }, { asm: 'cwd; idiv bx', undef: 0x8d5 },
  { asm: 'mov eax, 0x80000000; cdq; mov ebx, -1; idiv ebx', undef: 0x8d5 },
  // BCD
  { asm: 'daa', undef: O }, { asm: 'das', undef: O }, { asm: 'aaa', undef: O | S | Z | P }, { asm: 'aas', undef: O | S | Z | P },
  { asm: 'aam', undef: O | A | C }, { asm: 'aam 7', undef: O | A | C }, { asm: 'aad', undef: O | A | C },
  { asm: 'aad 3', undef: O | A | C }, { asm: 'aam 0', undef: O | A | C }, { asm: 'add al, bl; daa', undef: O },
  { asm: 'sub al, bl; das', undef: O },
  // string instructions, with DF either way and small counts (0 included)
  { asm: 'rep movsb', regs: STR }, { asm: 'rep movsd', regs: STR }, { asm: 'movsw', regs: STR },
  { asm: 'rep stosd', regs: STR }, { asm: 'rep stosb', regs: STR }, { asm: 'lodsd', regs: STR }, { asm: 'rep lodsw', regs: STR },
  { asm: 'repe cmpsb', regs: STR }, { asm: 'repne cmpsd', regs: STR }, { asm: 'cmpsw', regs: STR },
  { asm: 'repne scasb', regs: STR }, { asm: 'repe scasw', regs: STR }, { asm: 'scasd', regs: STR },
  { asm: 'mov byte [edi+3], al; repne scasb', regs: STR },
  // bits
  { asm: 'bt eax, ebx', undef: O | S | A | P }, { asm: 'bts eax, 5', undef: O | S | A | P }, { asm: 'btc ax, bx', undef: O | S | A | P },
  { asm: 'btr dword [esi], ebx', undef: O | S | A | P, regs: { 6: ptr(0x800), 3: (r) => (r() % 2000) - 1000 } },
  { asm: 'bts word [esi], bx', undef: O | S | A | P, regs: { 6: ptr(0x800), 3: (r) => (r() % 2000) - 1000 } },
  { asm: 'bsf eax, ebx', undef: O | S | A | P | C }, { asm: 'bsr eax, ebx', undef: O | S | A | P | C },
  { asm: 'bsf cx, dx', undef: O | S | A | P | C }, { asm: 'bsr eax, ebx', undef: O | S | A | P | C, regs: { 3: () => 0 } },
  { asm: 'popcnt eax, ebx' }, { asm: 'tzcnt eax, ebx', undef: O | S | A | P }, { asm: 'lzcnt cx, dx', undef: O | S | A | P },
  { asm: 'crc32 eax, bl' }, { asm: 'crc32 eax, ebx' }, { asm: 'movbe eax, [esi]', regs: { 6: ptr(0x100) } },
  // data movement, exchanges, conversions, flags
  { asm: 'xchg eax, ebx' }, { asm: 'xchg [esi], cl', regs: { 6: ptr(0x100) } }, { asm: 'xadd eax, ebx' }, { asm: 'xadd ecx, ecx' },
  { asm: 'cmpxchg ecx, ebx' }, { asm: 'cmp eax, ebx; cmpxchg ebx, ecx' }, { asm: 'mov eax, [esi]; cmpxchg [esi], ebx', regs: { 6: ptr(0x100) } },
  { asm: 'cmpxchg8b [esi]', regs: { 6: ptr(0x100) } }, { asm: 'mov eax, [esi]; mov edx, [esi+4]; cmpxchg8b [esi]', regs: { 6: ptr(0x100) } },
  { asm: 'bswap eax' }, { asm: 'movzx eax, bl' }, { asm: 'movsx eax, bh' }, { asm: 'movsx ecx, dx' }, { asm: 'movzx si, al' },
  { asm: 'cbw' }, { asm: 'cwde' }, { asm: 'cwd' }, { asm: 'cdq' }, { asm: 'lea eax, [ebx+ecx*4+0x10]' }, { asm: 'lea si, [ebx+edi-3]' },
  { asm: 'cmp eax, ebx; setl cl; setbe ch; seto dl; setp dh' }, { asm: 'cmp eax, ebx; cmovg eax, ecx; cmovae edx, esi' },
  { asm: 'lahf' }, { asm: 'sahf' }, { asm: 'clc' }, { asm: 'stc' }, { asm: 'cmc' }, { asm: 'cld' }, { asm: 'std' },
  { asm: 'xlatb', regs: { 3: ptr(0x300) } }, { asm: 'mov [esi], eax; mov bx, [esi+1]', regs: { 6: ptr(0x100) } },
  // stack
  { asm: 'push eax; pop ebx' }, { asm: 'pushad; popad' }, { asm: 'pushad; pop eax; pop ebx' }, { asm: 'popad' },
  { asm: 'push word 0x1234; pop ax' }, { asm: 'push dword -5; pop ecx' }, { asm: 'push esp; pop eax' }, { asm: 'pop esp' },
  { asm: 'push eax; push ebx; pop dword [esp]' }, { asm: 'push dword [esp+8]' }, { asm: 'pushaw; popaw' },
  { asm: 'enter 16, 0; leave' }, { asm: 'enter 8, 3; mov eax, [esp]; leave', regs: { 5: ptr(0x6000) } },
  { asm: 'call l1; l1: pop eax' }, { asm: 'call l2; jmp l3; l2: ret; l3:' }, { asm: 'call l4; jmp l5; l4: ret 8; l5:' },
  // control flow
  { asm: 'cmp eax, ebx; jl l6; mov ecx, 1; l6:' }, { asm: 'test eax, eax; js l7; inc ebx; l7: dec ebx' },
  { asm: 'l8: add eax, ebx; loop l8', regs: { 1: (r) => 1 + small(20)(r) } },
  { asm: 'l9: inc eax; cmp eax, ebx; loopne l9', regs: { 1: (r) => 1 + small(20)(r) } },
  { asm: 'jecxz l10; inc eax; l10:', regs: { 1: small(2) } }, { asm: 'mov edx, l11 - $$; jmp l12; l11: inc eax; l12:' },
  // faults
  { asm: 'ud2' }, { asm: 'mov eax, [0x30000000]' }, { asm: 'bound eax, [esi]', regs: { 6: ptr(0x100), 0: small(8) } },
];

/** Deterministic inputs: edge values mixed with xorshift randomness. */
function inputsFor(c: Case, k: number, seedBase: number): CaseInput {
  const rnd = xorshift32((seedBase * 2654435761 + k * 40503 + 1) >>> 0);
  const edges = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 9, 0x99, 0x100];
  const regs = Array.from({ length: 8 }, () => (rnd() % 3 === 0 ? edges[rnd() % edges.length]! : rnd()));
  regs[4] = DATA_BASE + 0x8000; // ESP
  for (const [i, gen] of Object.entries(c.regs ?? {})) regs[Number(i)] = gen(rnd) >>> 0;
  const eflags = rnd() & 0x0cd5;
  return { regs, eflags, seed: rnd() };
}

const RUNS = 24;

const oracle = haveOracle('lifter vs host CPU');

describe.skipIf(!oracle)('lifted code agrees with the host CPU', () => {
  const codes = oracle ? assemble(CASES.map((c) => c.asm)) : [];
  const all = CASES.flatMap((c, i) => Array.from({ length: RUNS }, (_, k) => ({ c, code: codes[i]!, input: inputsFor(c, k, i) })));
  const native = oracle ? runNative(all) : [];
  CASES.forEach((c, i) => {
    it(c.asm, () => {
      for (let k = 0; k < RUNS; k++) {
        const j = i * RUNS + k;
        const { code, input } = all[j]!;
        const want = maskFlags(native[j]!, c.undef ?? 0);
        const got = maskFlags(runLifted(code, input), c.undef ?? 0);
        expect(got, `${c.asm} with ${JSON.stringify(input)}`).toBe(want);
      }
    });
  });
});
