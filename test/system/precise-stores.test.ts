/**
 * Precise page faults for an instruction that stores twice: cmpxchg8b on a
 * quadword whose first dword lies on a writable page and second on a
 * read-only one (CR0.WP=1, so the supervisor store faults). The SDM (Vol.
 * 3A, 6.6) requires the fault to be reported with the state from before the
 * instruction: the first dword must not have been written. The guest's #PF
 * handler checks CR2 (the read-only page), the error code (P|W = 3) and the
 * first dword, and reports through isa-debug-exit: status 1 is a pass,
 * 5 a wrong CR2/error code, 7 a torn store, 19 no fault at all.
 */
import { describe, expect, it } from 'vitest';
import { pagedGuest, runFlatGuest } from './mmu-run.js';
import { toolsFor } from '../support/external-tools.js';

const GUEST = pagedGuest(`
  mov dword [0x201000 + 0x300*4], 0x300001
  mov dword [0x200000], 0x201003
  mov dword [0x2FFFFC], 0x11111111
  mov dword [0x300000], 0x22222222
  mov eax, 0x200000
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80010000
  mov cr0, eax
  mov eax, 0x11111111
  mov edx, 0x22222222
  mov ebx, 0x33333333
  mov ecx, 0x44444444
  mov esi, 0x2FFFFC
  cmpxchg8b [esi]
  mov al, 9
  out 0xf4, al
  hlt
pf_handler:
  pop ebx
  mov eax, cr2
  cmp eax, 0x300000
  jne .bad
  cmp ebx, 3
  jne .bad
  cmp dword [0x2FFFFC], 0x11111111
  jne .torn
  mov al, 0
  out 0xf4, al
.bad:
  mov al, 2
  out 0xf4, al
.torn:
  mov al, 3
  out 0xf4, al
  hlt
`);

const haveNasm = toolsFor('precise-stores guests', 'nasm');

describe.skipIf(!haveNasm)('a #PF on the second store of cmpxchg8b leaves the first unwritten', () => {
  for (const mmu of ['shadow', 'nested']) {
    it(`--mmu ${mmu}`, async () => {
      expect(await runFlatGuest(GUEST, mmu)).toEqual({ status: 1, err: '' });
    });
  }
});
