/**
 * The two operands of one SIMD instruction, as the instruction forms see
 * them: A (the destination register's value, which is also the first source)
 * and B (the second source: a register or the bytes read from memory).
 *
 * The unit (src/simd/unit/) copies both operands in, calls the form's `run`,
 * and copies A back to the destination when the form writes one. So a form
 * is a plain function over fixed typed arrays: it allocates nothing, never
 * sees registers, memory or faults, and one file of forms can be tested on
 * its own against the host CPU.
 *
 * Layout: one 32-byte buffer, A at bytes 0..15 and B at 16..31, with a view
 * per lane type over the whole buffer. Lane i of A is `u32[i]`, of B
 * `u32[4 + i]` (`B32`, `B16`, … give the offsets). A 64-bit (MMX) form uses
 * bytes 0..7 of each; bytes 8..15 are then don't-care and the unit ignores
 * them. Little-endian, as the guest and every supported host are.
 */

export const B8 = 16;
export const B16 = 8;
export const B32 = 4;
export const B64 = 2;

/** MXCSR bits (SDM Vol. 1 §10.2.3). */
export const MXCSR_IE = 0x0001;
export const MXCSR_DE = 0x0002;
export const MXCSR_ZE = 0x0004;
export const MXCSR_OE = 0x0008;
export const MXCSR_UE = 0x0010;
export const MXCSR_PE = 0x0020;
export const MXCSR_FLAGS = 0x003f;
export const MXCSR_DAZ = 0x0040;
/** Masks IM..PM: flag bit << 7. */
export const MXCSR_MASK_SHIFT = 7;
export const MXCSR_RC_SHIFT = 13;
export const MXCSR_RC_MASK = 0x6000;
export const MXCSR_FZ = 0x8000;
export const MXCSR_DEFAULT = 0x1f80;

export class SimdScratch {
  readonly buffer = new ArrayBuffer(32);
  readonly u8 = new Uint8Array(this.buffer);
  readonly i8 = new Int8Array(this.buffer);
  readonly u16 = new Uint16Array(this.buffer);
  readonly i16 = new Int16Array(this.buffer);
  readonly u32 = new Uint32Array(this.buffer);
  readonly i32 = new Int32Array(this.buffer);
  readonly f32 = new Float32Array(this.buffer);
  readonly f64 = new Float64Array(this.buffer);
  /**
   * MXCSR as the instruction starts (rounding control, FZ, DAZ, masks).
   * Floating-point forms read it and must not write it: they report the
   * exceptions they detect in `flags`.
   */
  mxcsr = MXCSR_DEFAULT;
  /**
   * MXCSR flag bits (IE..PE) this instruction detected, set by the form. The
   * unit ORs them into MXCSR; when one is unmasked the unit raises #XM (or
   * #UD when CR4.OSXMMEXCPT is clear) and writes nothing back to the
   * destination, as the hardware does (SDM Vol. 1 §11.5.1).
   */
  flags = 0;
  /** EFLAGS result of forms that write it (comiss, ucomisd, ptest…): ZF|PF|CF bits; OF, SF, AF cleared by the unit. */
  eflags = 0;
}

/** A form's computation: A ← f(A, B) for `bytes` = 8 (MMX) or 16 (XMM); `imm` is the immediate byte or 0. */
export type SimdRun = (x: SimdScratch, bytes: number, imm: number) => void;
