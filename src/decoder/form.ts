/**
 * DecoderForm: an IsaForm (insn.ts) plus what the decoder needs to match and
 * decode it. Built by isa-parser.ts from one isa row, indexed by
 * isa-tables.ts, read by decode.ts and disasm.ts.
 */
import type { IsaForm } from './insn.js';
import type { OperandSpec } from './operand-specs.js';

/** Opcode maps: one-byte, 0F, 0F 38, 0F 3A. */
export const MAP_ONE = 0;
export const MAP_0F = 1;
export const MAP_0F38 = 2;
export const MAP_0F3A = 3;
export const MAP_NAMES = ['one-byte', '0f', '0f38', '0f3a'] as const;

/** Mandatory prefix codes (pfx). 9B is fwait glued to the x87 control forms (fstcw, finit…). */
export const PFX_ANY = 0;
export const PFX_66 = 1;
export const PFX_F3 = 2;
export const PFX_F2 = 3;
export const PFX_9B = 4;

/** ModRM mod constraint. */
export const MOD_ANY = 0;
export const MOD_MEM = 1;
export const MOD_REG = 2;

export interface DecoderForm extends IsaForm {
  readonly map: number;
  readonly opcode: number;
  readonly pfx: number;
  readonly hasModrm: boolean;
  /** ModRM.reg required (group row /0../7 or a fixed ModRM byte), or -1. */
  readonly reg: number;
  /** ModRM.rm required (fixed ModRM byte), or -1. */
  readonly rm: number;
  readonly mod: number;
  /** Row valid only at this operand / address size (o16/o32, a16/a32), or 0. */
  readonly osz: 0 | 2 | 4;
  readonly asz: 0 | 2 | 4;
  readonly ops: readonly OperandSpec[];
  /** True when some constraint beyond opcode (+reg) must be checked. */
  readonly constrained: boolean;
  /** 0x66 changes this form (operand-size dependent operands or an o16/o32 row). */
  readonly usesOpSize: boolean;
  /** An F2 prefix shows as `bnd` (MPX branch forms). */
  readonly bnd: boolean;
  /** A 3E prefix shows as `notrack` (CET indirect branches). */
  readonly notrack: boolean;
  /** A VEX-encoded row (C4/C5): looked up in the VEX tables, pfx is VEX.pp. */
  readonly vex: boolean;
  /** VEX.L and VEX.W required (0 or 1), or -1 when ignored. */
  readonly vexL: number;
  readonly vexW: number;
  /** ModRM.rm is a register whatever mod says (mov crN/drN): no SIB or displacement follows. */
  readonly ignoresMod: boolean;
  /** Encoding text of the row, for `btvm isa --dump`. */
  readonly encoding: string;
  readonly operandText: string;
}

/**
 * The parser makes every DecoderForm here; the snapshot loader
 * (isa-snapshot.ts) builds its literal with the same fields in the same
 * order. V8 then gives all forms one hidden class whichever way the tables
 * were loaded, so property reads on them stay monomorphic.
 */
export function newDecoderForm(f: DecoderForm): DecoderForm {
  return {
    id: f.id, mnemonic: f.mnemonic, cls: f.cls, flagsRead: f.flagsRead, flagsWritten: f.flagsWritten,
    flagsUndefined: f.flagsUndefined, lockable: f.lockable, repMode: f.repMode, file: f.file, line: f.line,
    map: f.map, opcode: f.opcode, pfx: f.pfx, hasModrm: f.hasModrm, reg: f.reg, rm: f.rm, mod: f.mod,
    osz: f.osz, asz: f.asz, ops: f.ops, constrained: f.constrained, usesOpSize: f.usesOpSize,
    vex: f.vex, vexL: f.vexL, vexW: f.vexW, bnd: f.bnd, notrack: f.notrack, ignoresMod: f.ignoresMod,
    encoding: f.encoding, operandText: f.operandText,
  };
}

/** The fields of a DecoderForm in newDecoderForm's order (the snapshot stores values in this order). */
export const DECODER_FORM_FIELDS = [
  'id', 'mnemonic', 'cls', 'flagsRead', 'flagsWritten', 'flagsUndefined', 'lockable', 'repMode', 'file', 'line',
  'map', 'opcode', 'pfx', 'hasModrm', 'reg', 'rm', 'mod', 'osz', 'asz', 'ops', 'constrained', 'usesOpSize',
  'vex', 'vexL', 'vexW', 'bnd', 'notrack', 'ignoresMod', 'encoding', 'operandText',
] as const satisfies readonly (keyof DecoderForm)[];
