/**
 * Operand specifiers: the Intel-SDM-style letters an isa/*.isa row writes
 * after the mnemonic ("Eb,Gb", "eAX,Iz", "ST,STi") and what each one means
 * to the decoder.
 *
 * The parser (isa-parser.ts) turns every operand name into an OperandSpec
 * once; the decoder (decode.ts) then switches on `kind` only, so adding an
 * operand letter means adding a row here and, if it is a new kind, one case
 * in decode.ts. Sizes are bytes, or one of the negative codes below that the
 * decoder resolves against the effective operand size.
 */
import { regClassIndex } from './register-operands.js';

/** How an operand is found in the instruction bytes. */
export const enum OpKind {
  /** ModRM r/m: a general register (mod=3) or memory. */
  E,
  /** ModRM r/m, memory only. */
  M,
  /** ModRM r/m, general register only (mod must be 3). */
  R,
  /** ModRM r/m as a general register whatever mod says (mov to/from crN, drN). */
  H,
  /** ModRM reg: general register. */
  G,
  /** ModRM reg: segment register. */
  S,
  /** VEX.vvvv: XMM/YMM register. */
  Vvvv,
  /** ModRM reg: control / debug register. */
  C,
  D,
  /** ModRM reg: 386/486 test register (mov tr6,eax). */
  T,
  /** Immediate, zero-extended (value as written). */
  I,
  /** Immediate byte sign-extended to the operand size. */
  Ibs,
  /** Relative branch displacement. */
  J,
  /** moffs: absolute offset of address size, no ModRM. */
  O,
  /** Far pointer immediate: offset (operand size) then selector. */
  A,
  /** General register from the low 3 bits of the opcode (+r rows). */
  Z,
  /** A fixed register (cls/num in the spec). */
  Fixed,
  /** The constant 1 of the shift-by-one forms. */
  One,
  /** String source ds:[esi] (segment overridable) and destination es:[edi]. */
  X,
  Y,
  /** xlat's ds:[ebx]. */
  Xlat,
  /** x87 stack register st(i) from ModRM rm. */
  STi,
  /** MMX register from ModRM reg / r/m-or-memory / r/m register only. */
  P,
  Q,
  N,
  /** XMM register from ModRM reg / r/m-or-memory / r/m register only. */
  V,
  W,
  U,
}

/** Size codes beyond plain byte counts. */
export const SZ_V = -1; // operand size: 2 or 4
export const SZ_P = -2; // far pointer: operand size + 2 (FWORD / DWORD)
export const SZ_A = -3; // bound's pair: 2 × operand size

export type SpecRegClass = 'gpr' | 'seg' | 'st' | 'xmm' | 'none';

export interface OperandSpec {
  readonly name: string;
  readonly kind: OpKind;
  /** Bytes, or SZ_V / SZ_P / SZ_A. For registers this is the register width. */
  readonly size: number;
  /**
   * For E operands whose memory form is narrower than the register form
   * (mov Ew,Sw and sldt: register of operand size, WORD in memory; pinsrw:
   * a 32-bit register, WORD in memory): the memory size, else 0 = `size`.
   */
  readonly memSize: number;
  /** Memory size objdump does not print (lea's M, fxsave's 512 bytes, sgdt's 6). */
  readonly hideSize: boolean;
  /** For Fixed: register class and number. */
  readonly cls: SpecRegClass;
  readonly num: number;
  /** `cls` as a register-operands.ts class index (RC_*), so the decoder needs no string lookup. */
  readonly regClass: number;
}

function spec(name: string, kind: OpKind, size: number, hideSize = false, cls: SpecRegClass = 'none', num = 0, memSize = 0): OperandSpec {
  return Object.freeze({ name, kind, size, memSize, hideSize, cls, num, regClass: regClassIndex(cls) });
}

const table: OperandSpec[] = [
  spec('Eb', OpKind.E, 1), spec('Ew', OpKind.E, 2), spec('Ed', OpKind.E, 4), spec('Ev', OpKind.E, SZ_V),
  spec('Ewv', OpKind.E, SZ_V, false, 'none', 0, 2), spec('Edw', OpKind.E, 4, false, 'none', 0, 2),
  spec('Edb', OpKind.E, 4, false, 'none', 0, 1),
  spec('M', OpKind.M, 0, true), spec('Mb', OpKind.M, 1), spec('Mw', OpKind.M, 2), spec('Md', OpKind.M, 4),
  spec('Mq', OpKind.M, 8), spec('Mt', OpKind.M, 10), spec('Mx', OpKind.M, 16), spec('Mv', OpKind.M, SZ_V),
  spec('Mp', OpKind.M, SZ_P), spec('Ma', OpKind.M, SZ_A),
  // Hidden-size memory blocks: the size is real (the lifter needs it) but objdump prints none.
  spec('Ms', OpKind.M, 6, true), spec('Me', OpKind.M, 28, true), spec('Mf', OpKind.M, 108, true),
  spec('Mew', OpKind.M, 14, true), spec('Mfw', OpKind.M, 94, true),
  spec('Mz', OpKind.M, 512, true),
  spec('Rd', OpKind.R, 4), spec('Rv', OpKind.R, SZ_V), spec('Hd', OpKind.H, 4),
  spec('Gb', OpKind.G, 1), spec('Gw', OpKind.G, 2), spec('Gd', OpKind.G, 4), spec('Gv', OpKind.G, SZ_V),
  spec('Sw', OpKind.S, 2), spec('Cd', OpKind.C, 4), spec('Dd', OpKind.D, 4), spec('Td', OpKind.T, 4),
  spec('Ib', OpKind.I, 1), spec('Iw', OpKind.I, 2), spec('Iz', OpKind.I, SZ_V), spec('Iv', OpKind.I, SZ_V),
  spec('Ibs', OpKind.Ibs, SZ_V),
  spec('Jb', OpKind.J, 1), spec('Jz', OpKind.J, SZ_V),
  spec('Ob', OpKind.O, 1), spec('Ov', OpKind.O, SZ_V),
  spec('Ap', OpKind.A, SZ_P),
  spec('Zb', OpKind.Z, 1), spec('Zv', OpKind.Z, SZ_V),
  spec('1', OpKind.One, 1),
  spec('Xb', OpKind.X, 1), spec('Xv', OpKind.X, SZ_V), spec('Yb', OpKind.Y, 1), spec('Yv', OpKind.Y, SZ_V),
  spec('Xlat', OpKind.Xlat, 1),
  spec('ST', OpKind.Fixed, 10, false, 'st', 0), spec('STi', OpKind.STi, 10),
  spec('Pq', OpKind.P, 8), spec('Qq', OpKind.Q, 8), spec('Qd', OpKind.Q, 4), spec('Nq', OpKind.N, 8),
  spec('Vx', OpKind.V, 16), spec('Wx', OpKind.W, 16), spec('Wq', OpKind.W, 8), spec('Wd', OpKind.W, 4),
  spec('Ww', OpKind.W, 2), spec('Wb', OpKind.W, 1), spec('Ux', OpKind.U, 16),
  spec('XMM0', OpKind.Fixed, 16, false, 'xmm', 0),
  spec('Vy', OpKind.V, 32), spec('Wy', OpKind.W, 32), spec('Uy', OpKind.U, 32), spec('Hx', OpKind.Vvvv, 16),
  spec('Hy', OpKind.Vvvv, 32), spec('My', OpKind.M, 32),
];

const gpr8 = ['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'];
const gpr16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI'];
const gpr32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'];
const gprV = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
const segs = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];
for (let i = 0; i < 8; i++) {
  table.push(spec(gpr8[i]!, OpKind.Fixed, 1, false, 'gpr', i));
  table.push(spec(gpr16[i]!, OpKind.Fixed, 2, false, 'gpr', i));
  table.push(spec(gpr32[i]!, OpKind.Fixed, 4, false, 'gpr', i));
  table.push(spec(gprV[i]!, OpKind.Fixed, SZ_V, false, 'gpr', i));
}
for (let i = 0; i < segs.length; i++) table.push(spec(segs[i]!, OpKind.Fixed, 2, false, 'seg', i));

/** Operand name → spec. Frozen: the tables are built once per process. */
export const OPERAND_SPECS: ReadonlyMap<string, OperandSpec> = new Map(table.map((s) => [s.name, s]));

/** Operand kinds whose value comes from ModRM.rm and can be memory. */
export function specUsesRmMemory(s: OperandSpec): boolean {
  return s.kind === OpKind.E || s.kind === OpKind.M || s.kind === OpKind.Q || s.kind === OpKind.W;
}

/** Operand kinds that need a ModRM byte. */
export function specNeedsModrm(s: OperandSpec): boolean {
  switch (s.kind) {
    case OpKind.E: case OpKind.M: case OpKind.R: case OpKind.H: case OpKind.G: case OpKind.S:
    case OpKind.C: case OpKind.D: case OpKind.T: case OpKind.STi: case OpKind.P: case OpKind.Q: case OpKind.N:
    case OpKind.V: case OpKind.W: case OpKind.U:
      return true;
    default:
      return false;
  }
}
