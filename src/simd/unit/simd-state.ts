/**
 * The SSE architectural state: XMM0–XMM7 and MXCSR. The MMX registers are
 * not here: they are the x87 physical registers R0–R7 (FpuState.regs), as
 * on the hardware (SDM Vol. 1 §9.5), and the unit reads and writes them
 * there.
 *
 * The eight XMM registers are one 128-byte buffer, register i at bytes
 * 16i..16i+15, little-endian like the guest, so the unit copies a register
 * into the operand scratch as four u32 loads and an FXSAVE image is the
 * buffer's bytes in order.
 */
import { MXCSR_DEFAULT } from '../simd-scratch.js';

/**
 * MXCSR bits a guest may set (ldmxcsr, fxrstor); others are #GP(0). This is
 * also the MXCSR_MASK FXSAVE stores. 0xFFFF (DAZ included) is what QEMU's
 * qemu32 reports and what the host CPU accepts for the architectural bits.
 */
export const MXCSR_WRITABLE = 0xffff;

export class SimdState {
  readonly buffer = new ArrayBuffer(128);
  readonly u8 = new Uint8Array(this.buffer);
  readonly u32 = new Uint32Array(this.buffer);
  /** Control and status (SDM Vol. 1 §10.2.3); 1F80H after RESET, as the XMM registers are zero (SDM Vol. 3A table 9-1). */
  mxcsr = MXCSR_DEFAULT;
}
