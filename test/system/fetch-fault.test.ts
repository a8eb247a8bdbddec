/**
 * Demand paging of code: an instruction (mov eax, imm32) straddles from a
 * present page into a not-present one. Fetching it must raise #PF with CR2
 * at the second page (not at the instruction), the handler maps the page
 * and returns without invlpg (x86 does not cache not-present entries), and
 * the instruction then runs whole — which needs the translation made while
 * only its first bytes were readable to be dropped, not found again by its
 * (unchanged) first page. The guest exits with status 1 when eax got the
 * immediate after exactly one fault; 5 wrong result or count, 7 a second
 * fault, 9 a wrong CR2.
 */
import { describe, expect, it } from 'vitest';
import { pagedGuest, runFlatGuest } from './mmu-run.js';
import { toolsFor } from '../support/external-tools.js';

const GUEST = pagedGuest(`
  ; code at 0x2FFFFE: mov eax, 0x12345678 (b8 78 56 34 12); jmp back (e9 rel32)
  mov byte [0x2FFFFE], 0xB8
  mov byte [0x2FFFFF], 0x78
  mov byte [0x300000], 0x56
  mov byte [0x300001], 0x34
  mov byte [0x300002], 0x12
  mov byte [0x300003], 0xE9
  mov dword [0x300004], back - 0x300008
  mov dword [0x201000 + 0x300*4], 0x300002   ; not present
  mov dword [0x200000], 0x201003
  mov eax, 0x200000
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  xor eax, eax
  mov edx, 0x2FFFFE
  jmp edx
back:
  cmp eax, 0x12345678
  jne .bad
  cmp dword [faults], 1
  jne .bad
  mov al, 0
  out 0xf4, al
.bad:
  mov al, 2
  out 0xf4, al
  hlt
pf_handler:
  inc dword [faults]
  cmp dword [faults], 1
  jne .loop
  push eax
  mov eax, cr2
  cmp eax, 0x300000
  jne .badcr2
  pop eax
  mov dword [0x201000 + 0x300*4], 0x300003   ; present now (no invlpg needed: not-present entries are not cached)
  add esp, 4
  iret
.loop:
  mov al, 3
  out 0xf4, al
.badcr2:
  mov al, 4
  out 0xf4, al
align 4
faults: dd 0
`);

const haveNasm = toolsFor('fetch-fault guests', 'nasm');

describe.skipIf(!haveNasm)('an instruction straddling into a not-present page', () => {
  for (const mmu of ['shadow', 'nested']) {
    it(`faults once with CR2 at the second page, then runs whole once mapped (--mmu ${mmu})`, async () => {
      expect(await runFlatGuest(GUEST, mmu)).toEqual({ status: 1, err: '' });
    });
  }
});
