/**
 * The VMM's view of EFLAGS: the arithmetic flags materialised from CpuState's
 * lazy thunk, merged with the system bits, and the way back.
 *
 * Generated code keeps OSZAPC as a thunk (ccOp, ccSize, ccRes, ccA, ccB,
 * ccAux; semantics in src/ir/ops.ts) and has written it back to CpuState
 * before any emulate or raise. Routines that push, pop or test EFLAGS
 * (pushf, popf, int, iret, exception delivery, into, lar/lsl/verr/verw/arpl)
 * need the real bits: readEflags() computes them, writeEflags() stores a new
 * EFLAGS as an `explicit` thunk plus eflagsSys. This is the slow path — it
 * runs once per such instruction, never per arithmetic op.
 *
 * The thunk semantics live once, in state/flags-thunk.ts (tested against the
 * host CPU in test/(state/flags-thunk.ts).test.ts): pushf must show exactly the flags
 * jcc tests. This file adds only the EFLAGS bit names and the system-bit
 * handling the VMM needs.
 */
import { eflagsOf, materializeFlags, setExplicitFlags } from '../state/flags-thunk.js';
import type { CpuState } from '../state/state.js';

export const CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8;
export const IF = 1 << 9, DF = 1 << 10, OF = 1 << 11, IOPL_MASK = 3 << 12, NT = 1 << 14;
export const RF = 1 << 16, VM = 1 << 17, AC = 1 << 18, VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
export const IOPL_SHIFT = 12;

/** OSZAPC as EFLAGS bits, computed from the thunk (codegen's materialiser: one implementation for both sides). */
export const arithFlags = (cpu: CpuState): number => materializeFlags(cpu);

/** The full guest-visible EFLAGS (virtual IF and IOPL, bit 1 set). */
export const readEflags = (cpu: CpuState): number => eflagsOf(cpu);

/** Stores all of EFLAGS: OSZAPC as an explicit thunk, the rest as system bits. */
export function writeEflags(cpu: CpuState, value: number): void {
  setExplicitFlags(cpu, value);
  cpu.eflagsSys = ((value & ~ARITH_FLAGS) | 2) & ~(1 << 3 | 1 << 5 | 1 << 15) & 0x3fffff;
}

/** Sets or clears ZF only (lar, lsl, verr, verw, arpl). */
export function setZf(cpu: CpuState, on: boolean): void {
  const f = materializeFlags(cpu);
  setExplicitFlags(cpu, on ? f | ZF : f & ~ZF);
}

export const iopl = (cpu: CpuState): number => (cpu.eflagsSys >>> IOPL_SHIFT) & 3;
