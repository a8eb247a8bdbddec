/**
 * What a SIMD instruction form is, as a row of a table: which encoding it
 * has, where its two operands come from, and the function that computes it.
 *
 * Each family of forms (integer, floating point, moves and shuffles, …)
 * exports its rows from its own file; the unit's dispatcher (unit/) indexes
 * all of them by encoding. Encodings the tables do not list raise #UD.
 *
 * Forms whose operands do not fit the A/B pattern (movd to a GPR with no
 * second operand, maskmovq's implicit EDI, fxsave, ldmxcsr, movhps's memory
 * half) are `special`: the unit handles them by name.
 */
import type { SimdRun } from './simd-scratch.js';

export const enum OpMap {
  /** 0F xx */
  M0F = 0,
  /** 0F 38 xx */
  M0F38 = 1,
  /** 0F 3A xx */
  M0F3A = 2,
}

export const enum Prefix {
  NONE = 0,
  P66 = 1,
  PF3 = 2,
  PF2 = 3,
}

/** Where an operand lives: an MMX register (aliased on the x87 file), an XMM register, or a 32-bit GPR. */
export const enum Reg {
  NONE = 0,
  MMX = 1,
  XMM = 2,
  GPR = 3,
}

export interface SimdForm {
  readonly mnemonic: string;
  readonly map: OpMap;
  readonly prefix: Prefix;
  readonly opcode: number;
  /** ModRM.reg for group opcodes (0F 71/72/73 shifts, 0F AE), else -1. */
  readonly reg: number;
  /** Operand A: the destination and first source, from ModRM.reg (ModRM.rm for the group opcodes). */
  readonly a: Reg;
  /** Operand B: the second source, from ModRM.rm when mod = 3. */
  readonly b: Reg;
  /** Bytes B reads from memory (0: register form only; the memory form is #UD). Loaded into B's low bytes. */
  readonly memBytes: number;
  /** Register form (mod = 3) allowed. */
  readonly regForm: boolean;
  /** A memory operand must be 16-byte aligned, else #GP(0). */
  readonly aligned: boolean;
  /** An immediate byte follows ModRM; it reaches `run` as `imm`. */
  readonly imm: boolean;
  /** Writes A back to its register (false: compares into EFLAGS, or a form that only sets state). */
  readonly writesA: boolean;
  /** Sets EFLAGS from `SimdScratch.eflags`. */
  readonly writesEflags: boolean;
  /** CPUID feature the form needs: 'mmx', 'sse', 'sse2', 'sse3' (the model's name for it). */
  readonly feature: string;
  /** The computation; undefined for `special` forms. */
  readonly run?: SimdRun;
  /** Handled by the unit by name (see above). */
  readonly special?: boolean;
}

/** A row's fields that most rows share, as `simdRow` fills them in. */
export type SimdRowFields = Partial<Omit<SimdForm, 'mnemonic' | 'opcode' | 'feature'>>;

/**
 * A row from its encoding, its feature and whatever differs from the common
 * case: 0F map, no prefix, no group, XMM operands, a 16-byte unaligned
 * memory form and a register form, no immediate, A written, EFLAGS not.
 * Each family adds its own defaults on top (integer rows are aligned, float
 * rows take their memory size from the lane width).
 */
export function simdRow(mnemonic: string, opcode: number, feature: string, f: SimdRowFields): SimdForm {
  return {
    mnemonic,
    map: f.map ?? OpMap.M0F,
    prefix: f.prefix ?? Prefix.NONE,
    opcode,
    reg: f.reg ?? -1,
    a: f.a ?? Reg.XMM,
    b: f.b ?? Reg.XMM,
    memBytes: f.memBytes ?? 16,
    regForm: f.regForm ?? true,
    aligned: f.aligned ?? false,
    imm: f.imm ?? false,
    writesA: f.writesA ?? true,
    writesEflags: f.writesEflags ?? false,
    feature,
    run: f.run,
    special: f.special,
  };
}
