/**
 * The SIMD state where the debugging tools show it: QEMU's register dump
 * (MXCSR and the XMM lines, high qword first) and gdb's xmm0–7 and mxcsr
 * registers, read and written.
 */
import { describe, expect, it } from 'vitest';
import { FpuState } from '../../src/fpu/fpu-state.js';
import { GDB_REGISTER_INDEX, readRegister32, readRegisterBytes, writeRegisterBytes } from '../../src/debug/gdb-registers.js';
import { SimdState } from '../../src/simd/unit/simd-state.js';
import { CpuState } from '../../src/state/state.js';
import { formatCpuDump } from '../../src/vmm/cpu-dump.js';

function state(): SimdState {
  const s = new SimdState();
  s.u32.set([0x33221100, 0x77665544, 0xbbaa9988, 0xffeeddcc], 4 * 3);
  s.mxcsr = 0x9fa0;
  return s;
}

describe('SIMD registers in the debugging tools', () => {
  it('the register dump prints MXCSR and each XMM register as QEMU does (high qword first)', () => {
    const dump = formatCpuDump(new CpuState(), { fpu: new FpuState(), simd: state() });
    expect(dump).toMatch(/ MXCSR=00009fa0\n/);
    expect(dump).toContain('XMM02=0000000000000000 0000000000000000 XMM03=ffeeddccbbaa9988 7766554433221100\n');
  });

  it('gdb reads and writes xmm3 and mxcsr from the SIMD unit; a reserved MXCSR bit is not written', () => {
    const sse = state();
    const file = { cpu: new CpuState(), fpu: new FpuState(), sse };
    const xmm3 = GDB_REGISTER_INDEX.get('xmm3')!, mxcsr = GDB_REGISTER_INDEX.get('mxcsr')!;
    expect(Buffer.from(readRegisterBytes(file, xmm3)).toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(readRegister32(file, mxcsr)).toBe(0x9fa0);
    writeRegisterBytes(file, xmm3, Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i));
    expect(sse.u32[12]).toBe(0xf3f2f1f0);
    writeRegisterBytes(file, mxcsr, Uint8Array.of(0x80, 0x1f, 0, 0));
    expect(sse.mxcsr).toBe(0x1f80);
    writeRegisterBytes(file, mxcsr, Uint8Array.of(0x80, 0x1f, 1, 0));
    expect(sse.mxcsr).toBe(0x1f80);
  });
});
