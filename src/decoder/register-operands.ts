/**
 * Shared register operands for the decoder.
 *
 * A register operand is fully described by (class, number, size), and
 * DecodedInsn is read-only for every consumer, so the decoder hands out one
 * frozen object per register instead of allocating one per instruction. The
 * objects are created on first use (start-up pays nothing for registers no
 * program names) and all have the shape { kind, cls, num, size }.
 */
import type { OperandSize, RegClass, RegOperand } from './insn.js';

/** Register classes as small integers (index into the pool). */
export const RC_GPR = 0;
export const RC_SEG = 1;
export const RC_CR = 2;
export const RC_DR = 3;
export const RC_TR = 4;
export const RC_ST = 5;
export const RC_MM = 6;
export const RC_XMM = 7;

const CLASS_NAMES: readonly RegClass[] = ['gpr', 'seg', 'cr', 'dr', 'tr', 'st', 'mm', 'xmm'];
const CLASS_INDEX: ReadonlyMap<string, number> = new Map(Object.entries({
  gpr: RC_GPR, seg: RC_SEG, cr: RC_CR, dr: RC_DR, tr: RC_TR, st: RC_ST, mm: RC_MM, xmm: RC_XMM,
}));

/**
 * Every OperandSize has a place (registers use 1..32, but a pool index must
 * never alias another class, whatever a row says).
 */
const MAX_SIZE = 512;
/**
 * The pool, indexed by regIndex(cls, num, size); decode.ts reads it directly
 * (`REG_POOL[i] ?? regOperand(…)`) so the hot path has no call to inline.
 */
export const REG_POOL: (RegOperand | undefined)[] = new Array(8 * (MAX_SIZE + 1) * 8).fill(undefined);
const pool = REG_POOL;

/** Pool index of (cls, num 0..7, size ≤ 512). */
export function regIndex(cls: number, num: number, size: number): number {
  return ((cls * (MAX_SIZE + 1) + size) << 3) | num;
}

function make(cls: number, num: number, size: OperandSize): RegOperand {
  return Object.freeze({ kind: 'reg', cls: CLASS_NAMES[cls]!, num, size });
}

/** The register operand (cls, num 0..7, size): shared and frozen. */
export function regOperand(cls: number, num: number, size: OperandSize): RegOperand {
  if (size > MAX_SIZE) return make(cls, num, size);
  const i = regIndex(cls, num, size);
  return pool[i] ?? (pool[i] = make(cls, num, size));
}

/** Class index of a RegClass name ('none' in an operand spec means gpr). */
export function regClassIndex(name: string): number {
  return CLASS_INDEX.get(name) ?? RC_GPR;
}
