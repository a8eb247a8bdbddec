/**
 * The SIMD path end to end: a guest's movaps, movd and ldmxcsr/stmxcsr go
 * through the lifter's simd call, the monitor's checks and the unit, and
 * come back in the guest's registers and memory.
 */
import { describe, expect, it } from 'vitest';
import { toolsFor } from '../support/external-tools.js';
import { ENABLE_SSE, LOAD, runGuest } from './simd-guest.js';

const DATA = LOAD + 0x1000;

describe.skipIf(!toolsFor('SIMD instructions in a guest', 'nasm'))('SIMD instructions in a guest', () => {
  it('movaps loads 16 bytes, movd moves dwords between XMM and GPR, ldmxcsr/stmxcsr round-trip MXCSR', async () => {
    const g = await runGuest(`${ENABLE_SSE}
      movaps xmm1, [0x${DATA.toString(16)}]
      movd ebx, xmm1
      movaps xmm2, xmm1
      movhlps xmm3, xmm2
      movd ecx, xmm3
      ldmxcsr [0x${(DATA + 0x20).toString(16)}]
      stmxcsr [0x${(DATA + 0x24).toString(16)}]
      mov esi, 0x12345678
      movd xmm4, esi
      movd edi, xmm4
      out 0xf4, al
      times 0x${(0x1000).toString(16)} - ($ - $$) db 0
      dd 0x11111111, 0x22222222, 0x33333333, 0x44444444
      times 16 db 0
      dd 0x7f80`);
    expect(g.regs.ebx).toBe(0x11111111);
    expect(g.regs.ecx).toBe(0x33333333);
    expect(g.dword(DATA + 0x24)).toBe(0x7f80);
    expect(g.regs.edi).toBe(0x12345678);
  });
});
