/**
 * The MXCSR as one floating-point SIMD instruction sees it: rounding
 * direction, FZ, DAZ and the exception masks, decoded once per instruction
 * (`begin`), and the exception flags its lanes detect, collected in two
 * groups and merged at the end (`finish`) the way the hardware reports them.
 *
 * SDM Vol. 1 §11.5.1: the pre-computation exceptions (IE, DE, ZE) of all
 * lanes are found first; if any of them is unmasked the instruction stops
 * there (#XM) and MXCSR gets only those. Otherwise the results are computed
 * and the post-computation exceptions (OE, UE, PE) of every lane are added.
 * Every lane's flags are ORed, so a packed instruction reports the union.
 *
 * One instance, module state: forms are synchronous and never re-entered.
 */
import {
  MXCSR_DAZ, MXCSR_FZ, MXCSR_IE, MXCSR_DE, MXCSR_ZE, MXCSR_MASK_SHIFT, MXCSR_RC_MASK, MXCSR_RC_SHIFT, type SimdScratch,
} from '../simd-scratch.js';

export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

export const PRE_FLAGS = MXCSR_IE | MXCSR_DE | MXCSR_ZE;

export interface MxcsrEnv {
  /** Rounding control, RC_*. */
  rc: number;
  daz: boolean;
  fz: boolean;
  /** Exception flag bits whose mask bit is set (masked), in flag positions. */
  masked: number;
  /** IE, DE, ZE found so far. */
  pre: number;
  /** OE, UE, PE found so far. */
  post: number;
}

export const ENV: MxcsrEnv = { rc: 0, daz: false, fz: false, masked: 0x3f, pre: 0, post: 0 };

/** Decode x.mxcsr and clear the collected flags: call before the first lane. */
export function begin(x: SimdScratch): void {
  const m = x.mxcsr;
  ENV.rc = (m & MXCSR_RC_MASK) >>> MXCSR_RC_SHIFT;
  ENV.daz = (m & MXCSR_DAZ) !== 0;
  ENV.fz = (m & MXCSR_FZ) !== 0;
  ENV.masked = (m >>> MXCSR_MASK_SHIFT) & 0x3f;
  ENV.pre = 0;
  ENV.post = 0;
}

/** Store the instruction's flags in x.flags: only the pre-computation ones when one of them is unmasked. */
export function finish(x: SimdScratch): void {
  const pre = ENV.pre;
  x.flags = (pre & ~ENV.masked) !== 0 ? pre : pre | ENV.post;
}

/** Whether exception flag `bit` is masked. */
export function isMasked(bit: number): boolean {
  return (ENV.masked & bit) !== 0;
}
