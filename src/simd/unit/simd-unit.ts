/**
 * The SIMD unit: the SSE state, the x87 unit whose registers are the MMX
 * registers and whose memory port it shares, the CPU link for general
 * registers and EFLAGS, and the operand scratch every form computes in.
 *
 * One per machine, built by the monitor beside its X87Unit (vmm/simd.ts
 * runs it); executing an instruction allocates nothing.
 */
import type { X87Unit } from '../../fpu/unit/x87-unit.js';
import { SimdScratch } from '../simd-scratch.js';
import type { SimdCpuLink } from './ports.js';
import { SimdState } from './simd-state.js';

export class SimdUnit {
  readonly x = new SimdScratch();
  /**
   * CR4.OSFXSR as the instruction starts (set by the monitor): without it
   * fxsave and fxrstor leave MXCSR and the XMM registers out of the image,
   * as QEMU and AMD processors do (the SDM calls it implementation
   * dependent).
   */
  osfxsr = false;

  constructor(
    readonly s: SimdState,
    readonly x87: X87Unit,
    public cpu: SimdCpuLink,
  ) {}
}

/** Outcomes of executeSimd other than a fault the memory port threw. */
export const SIMD_OK = 0;
/** #GP(0): a misaligned operand of an aligned form, or reserved MXCSR bits (ldmxcsr, fxrstor). */
export const SIMD_GP = 1;
/**
 * An unmasked SIMD floating-point exception: its flags are in MXCSR, the
 * destination is unchanged; the monitor raises #XM, or #UD when
 * CR4.OSXMMEXCPT is clear.
 */
export const SIMD_XM = 2;
