/**
 * The SIMD unit's CPU link (simd/unit/ports.ts) bound to CpuState: general
 * registers for movd, pmovmskb, cvt*2si and friends, and EFLAGS for
 * comiss/ucomiss. Guest memory is the x87 unit's port (x87-bindings.ts),
 * which the SIMD unit shares.
 */
import type { SimdCpuLink } from '../simd/unit/ports.js';
import type { CpuState } from '../state/state.js';
import { X87Cpu } from './x87-bindings.js';

export class SimdCpu implements SimdCpuLink {
  private readonly flags: X87Cpu;
  constructor(private readonly cpu: CpuState) {
    this.flags = new X87Cpu(cpu);
  }
  gpr(n: number): number { return this.cpu.regs[n]! >>> 0; }
  setGpr(n: number, v: number): void { this.cpu.regs[n] = v; }
  setCompareFlags(zfPfCf: number): void { this.flags.setCompareFlags(zfPfCf); }
}
