/**
 * The object decode() returns for every instruction: a DecodedInsn (insn.ts)
 * with six fields instead of seventeen.
 *
 * decode() makes one of these per guest instruction, and building a
 * seventeen-field literal was a sixth of its time. Everything but the
 * address, length, row and operands fits in two small integers, so the
 * record stores those and answers the other DecodedInsn properties with
 * getters on the prototype (which V8 inlines where consumers read them).
 * Consumers see the same read-only DecodedInsn; mnemonic and cls come from
 * the row ('(bad)' and 'innocuous' when there is none).
 *
 * `bits` layout:
 *   0-1   status (STATUSES index)      7-9   segment override + 1
 *   2     16-bit operand size          10-13 legacy prefix bytes
 *   3     16-bit address size          14-16 displacement bytes
 *   4     lock                         17    fwait glued on
 *   5-6   rep (REP_KINDS index)
 * `modrmSib`: ModRM + 1 in bits 0-8, SIB + 1 in bits 9-17 (0 = none).
 */
import type { DecodedInsn, DecodeStatus, InsnClass, IsaForm, Operand, RepKind } from './insn.js';

export const STATUS_OK = 0;
export const STATUS_INVALID = 1;
export const STATUS_TOO_LONG = 2;
export const STATUS_TRUNCATED = 3;
const STATUSES: readonly DecodeStatus[] = ['ok', 'invalid', 'too-long', 'truncated'];

/** rep codes as stored in bits 5-6. */
export const REP_CODE_NONE = 0;
export const REP_CODE_REP = 1;
export const REP_CODE_REPE = 2;
export const REP_CODE_REPNE = 3;
const REP_KINDS: readonly RepKind[] = [0, 'rep', 'repe', 'repne'];

export const B_OPSIZE16 = 1 << 2;
export const B_ADDRSIZE16 = 1 << 3;
export const B_LOCK = 1 << 4;
export const B_REP_SHIFT = 5;
export const B_SEG_SHIFT = 7;
export const B_PREFIXLEN_SHIFT = 10;
export const B_DISPSIZE_SHIFT = 14;
export const B_FWAIT = 1 << 17;

/** `bits` for a result: every DecodedInsn field that is a small number or flag. */
export function packBits(
  status: number, opSize: number, addrSize: number, lock: boolean, repCode: number, segOverride: number, prefixLen: number,
  dispSize: number, fwait: boolean,
): number {
  return status | (opSize === 2 ? B_OPSIZE16 : 0) | (addrSize === 2 ? B_ADDRSIZE16 : 0) | (lock ? B_LOCK : 0) |
    (repCode << B_REP_SHIFT) | ((segOverride + 1) << B_SEG_SHIFT) | (prefixLen << B_PREFIXLEN_SHIFT) |
    (dispSize << B_DISPSIZE_SHIFT) | (fwait ? B_FWAIT : 0);
}

export class DecodedRecord implements DecodedInsn {
  // `declare`: no ES2022 class-field definitions, which would first define
  // each field as undefined and then assign it (one store per field instead,
  // and the map's field representations stay Smi where the values are).
  declare readonly address: number;
  declare readonly length: number;
  declare readonly form: IsaForm | null;
  declare readonly operands: readonly Operand[];
  /** Packed small fields (see the file comment). */
  declare readonly bits: number;
  /** ModRM + 1 | (SIB + 1) << 9. */
  declare readonly modrmSib: number;

  constructor(address: number, length: number, form: IsaForm | null, operands: readonly Operand[], bits: number, modrmSib: number) {
    this.address = address;
    this.length = length;
    this.form = form;
    this.operands = operands;
    this.bits = bits;
    this.modrmSib = modrmSib;
  }

  get status(): DecodeStatus {
    return STATUSES[this.bits & 3]!;
  }
  get mnemonic(): string {
    const f = this.form;
    return f === null ? '(bad)' : f.mnemonic;
  }
  get cls(): InsnClass {
    const f = this.form;
    return f === null ? 'innocuous' : f.cls;
  }
  get opSize(): 2 | 4 {
    return (this.bits & B_OPSIZE16) !== 0 ? 2 : 4;
  }
  get addrSize(): 2 | 4 {
    return (this.bits & B_ADDRSIZE16) !== 0 ? 2 : 4;
  }
  get lock(): boolean {
    return (this.bits & B_LOCK) !== 0;
  }
  get rep(): RepKind {
    return REP_KINDS[(this.bits >> B_REP_SHIFT) & 3]!;
  }
  get segOverride(): number {
    return ((this.bits >> B_SEG_SHIFT) & 7) - 1;
  }
  get prefixLen(): number {
    return (this.bits >> B_PREFIXLEN_SHIFT) & 15;
  }
  get dispSize(): number {
    return (this.bits >> B_DISPSIZE_SHIFT) & 7;
  }
  get fwait(): boolean {
    return (this.bits & B_FWAIT) !== 0;
  }
  get modrm(): number {
    return (this.modrmSib & 511) - 1;
  }
  get sib(): number {
    return (this.modrmSib >> 9) - 1;
  }
}

/**
 * A copy of `insn` with another length. Spreading a DecodedInsn copies only
 * the record's own fields, not the getters, so code that needs an edited
 * instruction (the assembler's round-trip check joins a split fwait) uses this.
 */
export function withLength(insn: DecodedInsn, length: number): DecodedInsn {
  const status = insn.status === 'ok' ? STATUS_OK : insn.status === 'invalid' ? STATUS_INVALID
    : insn.status === 'too-long' ? STATUS_TOO_LONG : STATUS_TRUNCATED;
  const rep = insn.rep === 0 ? REP_CODE_NONE : insn.rep === 'rep' ? REP_CODE_REP : insn.rep === 'repe' ? REP_CODE_REPE : REP_CODE_REPNE;
  const bits = packBits(status, insn.opSize, insn.addrSize, insn.lock, rep, insn.segOverride, insn.prefixLen, insn.dispSize, insn.fwait);
  return new DecodedRecord(insn.address, length, insn.form, insn.operands, bits, (insn.modrm + 1) | ((insn.sib + 1) << 9));
}
