/**
 * The decoder's private view of the isa tables: everything decode.ts reads
 * per instruction, packed into dense typed arrays indexed by form id.
 *
 * isa-tables.ts builds DecoderForm objects and candidate lists (shared with
 * the assembler, the lifter and `btvm isa`). Reading those per instruction
 * means chasing pointers into ~270-byte form objects and frozen arrays
 * (whose element loads V8's optimising compiler leaves to a generic stub).
 * Built once, on the first decode, from the same tables:
 *
 *   slot[map*2048 + opcode*8 + reg]  form id + 1 when the slot's row holds
 *                                    whatever the prefixes/mod/sizes are,
 *                                    SLOT_CONDITIONAL when it depends on
 *                                    them (form-select.ts resolves and
 *                                    memoises), 0 when no row exists
 *   plain[slot*2 + (mod = 11)]       a conditional slot's row in the plain
 *                                    state (no 66/F2/F3, 32-bit sizes),
 *                                    filled on first use
 *   info[id]     mandatory prefix, rep mode, lockable, ignoresMod, operand
 *                count, shared-operand kind (static-operands.ts)
 *   ops[id*3+i]  operand i: kind, size code, memory size, register class
 *                and number (operand-specs.ts), one int each
 *   mnemonic[id], cls[id], forms[id]  what the DecodedInsn carries
 */
import type { DecoderForm } from './form.js';
import type { InsnClass, Operand } from './insn.js';
import type { IsaTables } from './isa-tables.js';
import { OpKind, SZ_P, SZ_V } from './operand-specs.js';
import { classifyStatic } from './static-operands.js';

export const SLOT_CONDITIONAL = -1;

/** info[id] bit fields. */
export const I_PFX_MASK = 7; // form.pfx (PFX_*)
export const I_REP_SHIFT = 3; // 0 none, 1 rep, 2 repe
export const I_LOCKABLE = 1 << 5;
export const I_IGNORES_MOD = 1 << 6;
export const I_STATIC_SHIFT = 8; // STATIC_* (2 bits)
export const I_NOPS_SHIFT = 10; // operand count (2 bits)
export const I_SHAPE_SHIFT = 12; // SHAPE_* (3 bits)

/**
 * Operand lists the decoder builds without its general per-operand loop,
 * covering most instructions of real code (mov/lea/test/alu Gv,Ev and Ev,Gv,
 * alu Ev,Ib, push/call Ev, jcc/call/jmp): E here means an E or M operand
 * whose memory size is its register size.
 */
export const SHAPE_GENERIC = 0;
export const SHAPE_G_E = 1;
export const SHAPE_E_G = 2;
export const SHAPE_E_IMM = 3; // E, then I or Ibs
export const SHAPE_J = 4;
export const SHAPE_E = 5;
export const REP_NONE = 0;
export const REP_REP = 1;
export const REP_REPE = 2;

/** ops[] fields: kind bits 0-4, size + 4 bits 5-14, memSize bits 15-24, regClass bits 25-27, num bits 28-30. */
export const OP_KIND_MASK = 31;
export const OP_SIZE_SHIFT = 5;
export const OP_SIZE_BIAS = 4;
export const OP_MEMSIZE_SHIFT = 15;
export const OP_CLASS_SHIFT = 25;
export const OP_NUM_SHIFT = 28;
export const MAX_OPERANDS = 3;

/** Capacity: isa/ has ~1100 forms; building fails loudly if it ever outgrows this. */
export const MAX_FORMS = 4096;
/** map*2048 + opcode*8 + reg over four maps (one-byte, 0F, 0F38, 0F3A). */
export const SLOT_COUNT = 4 * 2048;

export interface DecodeIndex {
  readonly forms: (DecoderForm | null)[];
  readonly mnemonic: string[];
  readonly cls: InsnClass[];
  readonly info: Int32Array;
  readonly ops: Int32Array;
  /** Per operand: its size resolved at operand size 2 (bits 0-15) and 4 (bits 16-31). */
  readonly opSizes: Int32Array;
  readonly slot: Int16Array;
  /**
   * Conditional slots without 66/F2/F3 at 32-bit operand and address size:
   * [slot*2 + (mod = 11)] → form id + 1, -1 when rm still matters or no row
   * applies (then selectConditional decides), 0 not yet computed.
   */
  readonly plain: Int16Array;
  /** map*256 + opcode → 0 undefined, 1 no ModRM, 2 ModRM (a copy of IsaTables.modrmNeed). */
  readonly modrmNeed: Uint8Array;
  /** Candidate lists per slot (unfrozen copy), for the conditional slots. */
  readonly cands: (readonly DecoderForm[] | null)[];
  /** Conditional slots: stateKey → form id + 1, -1 for no row, 0 not yet computed. */
  readonly memo: (Int16Array | null)[];
  /** Shared operand arrays per form (static-operands.ts), allocated on first use. */
  readonly staticOps: ((readonly Operand[] | null)[] | null)[];
}

/**
 * Empty, fixed-capacity arrays. decode.ts holds them in module constants
 * (V8 then embeds each typed array's address in the optimised code) and
 * fills them on the first decode with fillDecodeIndex().
 */
export function newDecodeIndex(): DecodeIndex {
  return {
    forms: new Array<DecoderForm | null>(MAX_FORMS).fill(null),
    mnemonic: new Array<string>(MAX_FORMS).fill('(bad)'),
    cls: new Array<InsnClass>(MAX_FORMS).fill('innocuous'),
    info: new Int32Array(MAX_FORMS),
    ops: new Int32Array(MAX_FORMS * MAX_OPERANDS),
    opSizes: new Int32Array(MAX_FORMS * MAX_OPERANDS),
    slot: new Int16Array(SLOT_COUNT),
    plain: new Int16Array(SLOT_COUNT * 2),
    modrmNeed: new Uint8Array(4 * 256),
    cands: new Array<readonly DecoderForm[] | null>(SLOT_COUNT).fill(null),
    memo: new Array<Int16Array | null>(SLOT_COUNT).fill(null),
    staticOps: new Array<(readonly Operand[] | null)[] | null>(MAX_FORMS).fill(null),
  };
}

/** 1 = E (or M with its register size in memory), 2 = G, 3 = I/Ibs, 4 = J, 0 = anything else. */
function shapeLetter(f: DecoderForm, i: number): number {
  const s = f.ops[i]!;
  const k = s.kind;
  return (k === OpKind.E || k === OpKind.M) && s.memSize === 0 ? 1 : k === OpKind.G ? 2 : k === OpKind.I || k === OpKind.Ibs ? 3
    : k === OpKind.J ? 4 : 0;
}

function shapeOf(f: DecoderForm): number {
  const n = f.ops.length;
  const a = n > 0 ? shapeLetter(f, 0) : 0;
  const b = n > 1 ? shapeLetter(f, 1) : 0;
  if (n === 1) return a === 1 ? SHAPE_E : a === 4 ? SHAPE_J : SHAPE_GENERIC;
  if (n !== 2) return SHAPE_GENERIC;
  return a === 2 && b === 1 ? SHAPE_G_E : a === 1 && b === 2 ? SHAPE_E_G : a === 1 && b === 3 ? SHAPE_E_IMM : SHAPE_GENERIC;
}

/** An operand-spec size at an operand size: SZ_V is the operand size, SZ_P a far pointer, SZ_A bound's pair. */
export function resolvedSize(s: number, opSize: 2 | 4): number {
  return s >= 0 ? s : s === SZ_V ? opSize : s === SZ_P ? opSize + 2 : opSize * 2;
}

/** The process-wide index, filled by decode.ts on its first call (fillDecodeIndex). */
export const DECODE_INDEX = newDecodeIndex();

function packOperand(f: DecoderForm, i: number): number {
  const s = f.ops[i]!;
  return s.kind | ((s.size + OP_SIZE_BIAS) << OP_SIZE_SHIFT) | (s.memSize << OP_MEMSIZE_SHIFT) |
    (s.regClass << OP_CLASS_SHIFT) | (s.num << OP_NUM_SHIFT);
}

export function fillDecodeIndex(ix: DecodeIndex, t: IsaTables): void {
  const n = t.forms.length;
  if (n > MAX_FORMS) throw new Error(`decode index: ${n} forms exceed the capacity of ${MAX_FORMS}`);
  if (t.cands.length !== SLOT_COUNT) throw new Error(`decode index: ${t.cands.length} slots, expected ${SLOT_COUNT}`);
  for (let id = 0; id < n; id++) {
    const f = t.forms[id]!;
    if (f.id !== id) throw new Error(`decode index: form ${f.file}:${f.line} has id ${f.id} at position ${id}`);
    const rep = f.repMode === 'rep' ? REP_REP : f.repMode === 'repe' ? REP_REPE : REP_NONE;
    ix.info[id] = f.pfx | (rep << I_REP_SHIFT) | (f.lockable ? I_LOCKABLE : 0) | (f.ignoresMod ? I_IGNORES_MOD : 0) |
      (classifyStatic(f) << I_STATIC_SHIFT) | (f.ops.length << I_NOPS_SHIFT) | (shapeOf(f) << I_SHAPE_SHIFT);
    for (let i = 0; i < f.ops.length; i++) {
      ix.ops[id * MAX_OPERANDS + i] = packOperand(f, i);
      ix.opSizes[id * MAX_OPERANDS + i] = resolvedSize(f.ops[i]!.size, 2) | (resolvedSize(f.ops[i]!.size, 4) << 16);
    }
    ix.forms[id] = f;
    ix.mnemonic[id] = f.mnemonic;
    ix.cls[id] = f.cls;
  }
  for (let i = 0; i < SLOT_COUNT; i++) {
    const list = t.cands[i];
    ix.slot[i] = list == null ? 0 : !list[0]!.constrained ? list[0]!.id + 1 : SLOT_CONDITIONAL;
    ix.cands[i] = list ?? null;
  }
  ix.modrmNeed.set(t.modrmNeed);
}
