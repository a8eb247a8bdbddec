/**
 * Test helper: performs guest loads and stores exactly as the paged
 * MemoryEmitter's generated code does (TLB array first, fill on a miss or a
 * page crossing, fault exit on Translation.Fault), so MMU tests exercise the
 * same protocol without compiling code. Like code compiled for one CPL, it
 * indexes the TLB half of the CPU's privilege class, not the half the MMU
 * last selected.
 */
import { expect } from 'vitest';
import type { CpuState } from '../../src/state/state.js';
import { Translation } from '../../src/mmu/mmu.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';

export type Outcome = { kind: 'ok'; value: number } | { kind: 'fault'; errorCode: number; cr2: number };

export class GuestDriver {
  constructor(readonly mmu: MmuCore, readonly cpu: CpuState) {}

  load(linear: number, size: 1 | 2 | 4): Outcome {
    const mmu = this.mmu;
    let m = (this.cpu.cpl === 3 ? mmu.tlb.userRead : mmu.tlb.supervisorRead)[linear >>> 12]!;
    if (m < 0 || (linear & 0xfff) > 4096 - size) {
      m = mmu.fillRead(linear, size);
      if (m === Translation.Fault) return this.fault();
    }
    if (m < 0) return { kind: 'ok', value: size === 4 ? mmu.slowValue >>> 0 : mmu.slowValue };
    const a = m | (linear & 0xfff);
    const v = mmu.mem.machine.view;
    return { kind: 'ok', value: size === 1 ? v.getUint8(a) : size === 2 ? v.getUint16(a, true) : v.getUint32(a, true) };
  }

  store(linear: number, size: 1 | 2 | 4, value: number): Outcome {
    const mmu = this.mmu;
    let m = (this.cpu.cpl === 3 ? mmu.tlb.userWrite : mmu.tlb.supervisorWrite)[linear >>> 12]!;
    if (m < 0 || (linear & 0xfff) > 4096 - size) {
      m = mmu.fillWrite(linear, size, value, null);
      if (m === Translation.Fault) return this.fault();
    }
    if (m >= 0) {
      const a = m | (linear & 0xfff);
      const v = mmu.mem.machine.view;
      if (size === 1) v.setUint8(a, value);
      else if (size === 2) v.setUint16(a, value, true);
      else v.setUint32(a, value >>> 0, true);
    }
    return { kind: 'ok', value: 0 };
  }

  private fault(): Outcome {
    expect(this.cpu.cr2).toBe(this.mmu.fault.cr2);
    return { kind: 'fault', errorCode: this.mmu.fault.errorCode, cr2: this.cpu.cr2 >>> 0 };
  }
}
