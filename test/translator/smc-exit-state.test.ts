/**
 * State written by an instruction after its store into the running region.
 *
 * When a store overwrites code of the region that is running, generated code
 * finishes the storing instruction and leaves with "code modified" at the next
 * one (codegen/emit-block.ts). What the instruction writes after its store
 * must therefore survive the passes even when a later instruction of the
 * block overwrites it (pass-options.ts: codeModifiedExits, used by
 * get-put.ts and flag-liveness.ts):
 *  - `stosd` into the next instructions, then `mov ebx, edi; mov edi, 5`:
 *    EBX must get EDI as stosd left it;
 *  - `xor byte [code], imm` then `dec ecx` (which keeps CF): the xor's
 *    thunk (CF=0) must reach the retranslated dec.
 * The host CPU is the oracle. (These were found as a defect: before the fix
 * the region left with the state of an earlier instruction.)
 */
import { describe, expect, test } from 'vitest';
import { assemble, haveNative, maskFlags, runNative, runTranslated, type CaseInput } from '../exec/guest-runner.js';

const INPUT: CaseInput = { regs: [0x11, 0x22, 0x33, 0x44, 0x1000f000, 0x66, 0x77, 0x88], eflags: 0, seed: 7 };
const AF = 0x10;

const PROGRAMS = [
  'call n; n: pop edi; add edi, t - n; mov eax, 0x90909090; cld; stosd; mov ebx, edi; mov edi, 5; t: nop; nop; nop; nop',
  'call n; n: pop ebx; mov ecx, 2; xor eax, eax; l: add eax, strict dword 1; inc dword [ebx + (l - n) + 1]; xor byte [ebx + (l - n)], 0x05 ^ 0x2d; dec ecx; jnz l',
];

const hasNative = haveNative('self-modifying region exit state vs host CPU');

describe.skipIf(!hasNative)('state after a store that modifies the running region', () => {
  const codes = hasNative ? assemble(PROGRAMS) : [];
  const native = hasNative ? runNative(codes.map((code) => ({ code, input: INPUT }))) : [];
  const names = ['a register written after the store (stosd edi)', 'flags written after the store (xor byte [code])'];
  codes.forEach((code, i) => {
    test(names[i]!, () => {
      expect(maskFlags(runTranslated(code, INPUT).line, AF)).toBe(maskFlags(native[i]!, AF));
    });
    test(`${names[i]!}: single-step translation gets it right`, () => {
      expect(maskFlags(runTranslated(code, INPUT, { dispatcher: { singleStep: true } }).line, AF)).toBe(maskFlags(native[i]!, AF));
    });
  });
});
