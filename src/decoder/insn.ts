/**
 * The decoded instruction: the one record every later stage reads.
 *
 * The decoder (decode.ts) turns guest bytes into a DecodedInsn; from then on
 * nothing looks at raw bytes again. The lifter, the disassembler, traces and
 * the assembler's round-trip tests all read this shape, so it is kept plain
 * and monomorphic: every instruction has the same fields, operands are small
 * objects of one shape each.
 *
 * Register numbering follows the hardware encoding everywhere:
 *   gpr32/16: 0 eax 1 ecx 2 edx 3 ebx 4 esp 5 ebp 6 esi 7 edi
 *   gpr8:     0 al 1 cl 2 dl 3 bl 4 ah 5 ch 6 dh 7 bh
 *   seg:      0 es 1 cs 2 ss 3 ds 4 fs 5 gs
 */

/** Coarse classes from isa/: they decide how the translator treats a form. */
export type InsnClass =
  | 'innocuous' // translated inline
  | 'control' // jumps, calls, returns, loops: end a block
  | 'sensitive' // unprivileged, but behaves differently by privilege (popf, pushf, sgdt, mov r,sreg…)
  | 'privileged' // faults outside ring 0 (hlt, lgdt, mov crN, cli/sti by IOPL…)
  | 'io' // in/out/ins/outs
  | 'fpu' // x87
  | 'simd'; // MMX, SSE*, and other vector forms

export type RegClass = 'gpr' | 'seg' | 'cr' | 'dr' | 'tr' | 'st' | 'mm' | 'xmm';

/** Sizes in bytes. 0 = no size (lea's memory operand, far pointers' unsized forms). */
/** 32 is a YMM register or YMMWORD (VEX.256 forms; the register class stays 'xmm'). */
export type OperandSize = 0 | 1 | 2 | 4 | 6 | 8 | 10 | 14 | 16 | 28 | 32 | 94 | 108 | 512;

export interface RegOperand {
  readonly kind: 'reg';
  readonly cls: RegClass;
  /** Encoding number within the class (see the table above for gpr8). */
  readonly num: number;
  readonly size: OperandSize;
}

export interface MemOperand {
  readonly kind: 'mem';
  readonly size: OperandSize;
  /** Effective segment register (0..5), default or overridden. */
  readonly seg: number;
  /** True when a segment-override prefix chose seg (the disassembler shows it). */
  readonly segOverride: boolean;
  /** gpr number or -1. With addrSize 2, base/index are 16-bit registers (bx, bp, si, di). */
  readonly base: number;
  readonly index: number;
  readonly scale: 1 | 2 | 4 | 8;
  /** Displacement, sign-extended to 32 bits and kept as an int32. */
  readonly disp: number;
  readonly addrSize: 2 | 4;
  /** moffs forms (a0-a3): an absolute offset, no ModRM. */
  readonly moffs: boolean;
}

export interface ImmOperand {
  readonly kind: 'imm';
  /** Size of the operand the immediate is used as (after sign extension). */
  readonly size: OperandSize;
  /** The value as an unsigned 32-bit number (sign-extended to size first where the form says so). */
  readonly value: number;
}

export interface RelOperand {
  readonly kind: 'rel';
  readonly size: OperandSize;
  /** Absolute target address, already wrapped to the operand size (16-bit jumps wrap at 64 KiB). */
  readonly target: number;
}

export interface FarOperand {
  readonly kind: 'far';
  readonly size: OperandSize;
  readonly selector: number;
  readonly offset: number;
}

export type Operand = RegOperand | MemOperand | ImmOperand | RelOperand | FarOperand;

/** Decode outcome. Only 'ok' instructions have a form and operands. */
export type DecodeStatus =
  | 'ok'
  | 'invalid' // undefined encoding: becomes #UD when executed
  | 'too-long' // more than 15 bytes: #GP when executed
  | 'truncated'; // the input ended inside the instruction

/** Repeat prefix as it applies to this instruction (none unless the form honours rep). */
export type RepKind = 0 | 'rep' | 'repe' | 'repne';

/** EFLAGS bits as the hardware lays them out; flag sets in DecodedInsn use these masks. */
export const enum Flag {
  CF = 1 << 0,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
}

/**
 * One encoding form as isa/ describes it (one row of an isa/*.isa file). The
 * decoder's tables hold these; the assembler searches them; the lifter's
 * registry is keyed by `mnemonic`. Extra fields the tables need may be added
 * by the ISA parser, but these are the ones other stages rely on.
 */
export interface IsaForm {
  /** Dense index over all forms, stable for one build of the tables. */
  readonly id: number;
  /** Mnemonic as objdump prints it in Intel syntax ('cwde', 'movzx', 'je'). */
  readonly mnemonic: string;
  readonly cls: InsnClass;
  /** Flag masks (Flag bits) per the Intel SDM. */
  readonly flagsRead: number;
  readonly flagsWritten: number;
  readonly flagsUndefined: number;
  /** Accepts a lock prefix (lock on any other form is #UD). */
  readonly lockable: boolean;
  /** How F3/F2 act on this form: 'rep' (ins/outs/movs/lods/stos), 'repe' (cmps/scas: F3=repe, F2=repne), or none. */
  readonly repMode: 'none' | 'rep' | 'repe';
  /** Where the row came from, for error messages and `btvm isa --dump`. */
  readonly file: string;
  readonly line: number;
}

/**
 * decode() returns these as DecodedRecord objects (decoded-record.ts):
 * address, length, form and operands are own fields, the rest are getters
 * over two packed integers. Read them freely; a spread ({ ...insn }) copies
 * only the own fields — use withLength() there for an edited copy.
 */
export interface DecodedInsn {
  /** Linear address of the first byte (prefixes included). */
  readonly address: number;
  /** Length in bytes, prefixes included; for 'truncated', the bytes available. */
  readonly length: number;
  readonly status: DecodeStatus;
  /** The matched row; null unless status is 'ok'. */
  readonly form: IsaForm | null;
  /** form.mnemonic, or '(bad)' as objdump says for undefined encodings. */
  readonly mnemonic: string;
  readonly cls: InsnClass;
  /** Effective operand and address size after 0x66/0x67 against the code segment's default. */
  readonly opSize: 2 | 4;
  readonly addrSize: 2 | 4;
  readonly lock: boolean;
  readonly rep: RepKind;
  /** Segment-override prefix (0..5), or -1. */
  readonly segOverride: number;
  /** Operands in Intel order (destination first). */
  readonly operands: readonly Operand[];
  /** Number of legacy prefix bytes before the opcode (the disassembler re-reads them in order). */
  readonly prefixLen: number;
  /** The ModRM byte, or -1. */
  readonly modrm: number;
  /** The SIB byte, or -1. */
  readonly sib: number;
  /** Bytes of memory displacement encoded (0, 1, 2, 4): [eax+0x0] differs from [eax]. */
  readonly dispSize: number;
  /**
   * A 9B (fwait) byte directly before this x87 instruction was decoded with
   * it, as objdump shows it (`9b df e0` = fstsw ax): execute fwait first.
   */
  readonly fwait: boolean;
}
