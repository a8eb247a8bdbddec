/**
 * LiftContext: the state of lifting one block, shared by every per-mnemonic
 * lifter.
 *
 * Its main job is keeping the precise-exception rule (ir/verify.ts) without
 * each lifter having to think about it: register writes (`setReg32`,
 * `writeReg`, `setEflagsSys`) and the flags thunk (`setFlags`) are held back
 * and emitted as `put`/`flags.set` only when the instruction ends
 * (`endInsn`), while loads, stores, raises and emulates are emitted at once.
 * Reads within the instruction see the pending values, so a lifter is
 * written as sequential SDM pseudo-code (pop ESP, pop [esp+4], xadd r,r all
 * come out right) and still every fault precedes every state write.
 *
 * Guest registers read once per instruction are cached in temps; the cache
 * is dropped after an `emulate`, since the VMM may change any register.
 *
 * Memory addresses come from `linear`, which also emits the segment checks
 * the mode word asks for (src/state/segment-access.ts): none for an open
 * (flat) segment, a #GP(0) for a write through a read-only one, and for a
 * limit-checked segment one compare of the access's first and last byte
 * against the window. Faults through SS are #SS(0). Like every fault they
 * precede the instruction's state writes, so EIP stays at the instruction.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import { EFLAGS_SYS_SLOT, IrBuilder, gprSlot, segBaseSlot, segFirstSlot, segSelSlot, segSpanSlot } from '../ir/builder.js';
import type {
  BinaryOpName, Exit, FlagCond, FlagKind, MemSize, Temp, UnaryOpName, Value, VmmRoutine,
} from '../ir/types.js';
import { CODE_LIMIT_DYNAMIC, codeLimitOfField } from '../state/code-limit.js';
import { codeLimitFieldOf, segClassOf } from '../state/mode.js';
import { SEG_OPEN, SEG_READ_ONLY_BIT, SEG_WINDOW_BIT } from '../state/segment-access.js';
import type { LiftMode } from './lift-mode.js';

export const ESP = 4;
const SEG_CS = 1, SEG_SS = 2;
const SS_FAULT = 12, GP_FAULT = 13;

/**
 * What a memory access does, for the segment checks: `none` names an
 * address without accessing it through the segment (invlpg).
 */
export type SegAccess = 'read' | 'write' | 'none';

/** A memory operand's address within one instruction, and the checks already emitted for it. */
interface OperandAddress {
  readonly offset: Value;
  readonly linear: Value;
  /** The widest access whose limit check was emitted (0: none yet). */
  rangeSize: number;
  writeChecked: boolean;
}

interface PendingFlags {
  kind: FlagKind;
  size: MemSize;
  res: Value;
  a: Value;
  b: Value;
  aux: Value;
  guard: Value | null;
}

/** A bug in a lifter (not a guest error): reported with the instruction it was lifting. */
export class LifterBugError extends Error {
  constructor(readonly address: number, readonly mnemonic: string, detail: string) {
    super(`lifter bug at 0x${(address >>> 0).toString(16)} (${mnemonic}): ${detail}`);
    this.name = 'LifterBugError';
  }
}

export class LiftContext {
  readonly b: IrBuilder;
  readonly stackSize: 2 | 4;
  readonly flat: boolean;
  /** Code fetch and near branch targets are checked against CS's limit (code-limit.ts). */
  readonly codeLimited: boolean;
  /** CS's limit when the mode word fixes it (unsigned), -1 when it is read at run time or unchecked. */
  readonly codeLimit: number;
  /** The instruction being lifted and the EIP after it. */
  insn!: DecodedInsn;
  next = 0;
  /** Set by a control lifter: the block's exit, and the block ends after this instruction. */
  exit: Exit | null = null;
  /** Set after an emulate that may change the mode or control flow: end with `dispatch next`. */
  endBlock = false;

  private readonly regVal: (Value | null)[] = [null, null, null, null, null, null, null, null];
  private dirty = 0;
  private sysVal: Value | null = null;
  private sysDirty = false;
  private flags: PendingFlags | null = null;
  private readonly addrCache = new Map<object, OperandAddress>();

  constructor(address: number, readonly mode: LiftMode) {
    this.b = new IrBuilder(address >>> 0, mode.mode);
    this.stackSize = mode.stackSize ?? mode.codeSize;
    this.flat = mode.flatSegments;
    const field = codeLimitFieldOf(mode.mode);
    this.codeLimited = field !== 0;
    this.codeLimit = field === CODE_LIMIT_DYNAMIC ? -1 : codeLimitOfField(field);
  }

  beginInsn(insn: DecodedInsn, text: string): void {
    this.insn = insn;
    this.next = (insn.address + insn.length) >>> 0;
    this.regVal.fill(null);
    this.dirty = 0;
    this.sysVal = null;
    this.sysDirty = false;
    this.flags = null;
    this.addrCache.clear();
    this.b.insn(insn.address >>> 0, insn.length, text);
  }

  /** Emit the held-back state writes of the instruction: flags first, then registers. */
  endInsn(): void {
    const f = this.flags;
    if (f !== null) this.b.setFlags(f.kind, f.size, f.res, f.a, f.b, f.aux, f.guard);
    for (let r = 0; r < 8; r++) if (this.dirty & (1 << r)) this.b.putGpr(r, this.regVal[r]!);
    if (this.sysDirty) this.b.put(EFLAGS_SYS_SLOT, this.sysVal!);
    this.flags = null;
    this.dirty = 0;
    this.sysDirty = false;
  }

  bug(detail: string): never {
    throw new LifterBugError(this.insn.address, this.insn.mnemonic, detail);
  }

  // ---- values --------------------------------------------------------------

  c(v: number): Value {
    return this.b.c(v);
  }

  op(name: BinaryOpName, a: Value | number, b: Value | number): Temp {
    return this.b.bin(name, typeof a === 'number' ? this.b.c(a) : a, typeof b === 'number' ? this.b.c(b) : b);
  }

  un(name: UnaryOpName, a: Value): Temp {
    return this.b.unary(name, a);
  }

  select(cond: Value, a: Value | number, b: Value | number): Temp {
    return this.b.select(cond, typeof a === 'number' ? this.c(a) : a, typeof b === 'number' ? this.c(b) : b);
  }

  /** Truncate to `size` bytes (zero-extended). */
  mask(v: Value, size: number): Value {
    return size >= 4 ? v : this.op('and', v, size === 1 ? 0xff : 0xffff);
  }

  /** Sign-extend the low `size` bytes. */
  sext(v: Value, size: number): Value {
    return size >= 4 ? v : this.un(size === 1 ? 'sext8' : 'sext16', v);
  }

  // ---- registers -----------------------------------------------------------

  reg32(r: number): Value {
    let v = this.regVal[r];
    if (v == null) {
      v = this.b.get(gprSlot(r));
      this.regVal[r] = v;
    }
    return v;
  }

  setReg32(r: number, v: Value): void {
    this.regVal[r] = v;
    this.dirty |= 1 << r;
  }

  /** A general register of `size` bytes (gpr8 numbering for size 1), zero-extended. */
  readReg(num: number, size: number): Value {
    if (size === 4) return this.reg32(num);
    if (size === 2) return this.op('and', this.reg32(num), 0xffff);
    if (num < 4) return this.op('and', this.reg32(num), 0xff);
    return this.op('and', this.op('shr', this.reg32(num - 4), 8), 0xff);
  }

  /** Write the low `size` bytes of a general register, keeping the rest. */
  writeReg(num: number, size: number, v: Value): void {
    if (size === 4) return this.setReg32(num, v);
    if (size === 2) {
      const r = this.reg32(num);
      return this.setReg32(num, this.op('or', this.op('and', r, 0xffff0000), this.op('and', v, 0xffff)));
    }
    if (num < 4) {
      const r = this.reg32(num);
      return this.setReg32(num, this.op('or', this.op('and', r, ~0xff), this.op('and', v, 0xff)));
    }
    const r = this.reg32(num - 4);
    this.setReg32(num - 4, this.op('or', this.op('and', r, ~0xff00), this.op('shl', this.op('and', v, 0xff), 8)));
  }

  eflagsSys(): Value {
    if (this.sysVal === null) this.sysVal = this.b.get(EFLAGS_SYS_SLOT);
    return this.sysVal;
  }

  setEflagsSys(v: Value): void {
    this.sysVal = v;
    this.sysDirty = true;
  }

  /** DF as 0/1. */
  df(): Value {
    return this.op('and', this.op('shr', this.eflagsSys(), 10), 1);
  }

  segSel(seg: number): Value {
    return this.b.get(segSelSlot(seg));
  }

  /**
   * Linear address of seg:offset for an access of `size` bytes, after the
   * segment checks the mode asks for (no base at all when all bases are zero).
   */
  linear(seg: number, offset: Value, size: number, access: SegAccess): Value {
    this.b.segmentsUsed |= 1 << seg;
    if (access !== 'none') this.checkSegment(seg, offset, size, access === 'write', true);
    if (this.flat) return offset;
    return this.op('add', this.b.get(segBaseSlot(seg)), offset);
  }

  /**
   * `linear` for a memory operand (`key`) that an instruction may access
   * more than once (read-modify-write, cmpxchg): the address is computed
   * once per instruction, and a later access emits only the checks the
   * earlier ones did not (a write after a read of the same size checks
   * writability alone).
   */
  operandAddress(key: object, seg: number, offset: () => Value, size: number, access: SegAccess): Value {
    const known = this.addrCache.get(key);
    if (known === undefined) {
      const off = offset();
      const e: OperandAddress = {
        offset: off, linear: this.linear(seg, off, size, access),
        rangeSize: access === 'none' ? 0 : size, writeChecked: access === 'write',
      };
      this.addrCache.set(key, e);
      return e.linear;
    }
    if (access === 'none') return known.linear;
    const range = size > known.rangeSize;
    const write = access === 'write' && !known.writeChecked;
    if (range || write) this.checkSegment(seg, known.offset, size, write, range);
    if (range) known.rangeSize = size;
    if (write) known.writeChecked = true;
    return known.linear;
  }

  /**
   * The checks of one access (SDM vol. 3 §5.3, §5.5–5.6): a write through a
   * read-only class always faults; a windowed class faults unless offset
   * .. offset+size-1 lies inside [first, first+span) without wrapping.
   * With x = offset - first and y = x + size (mod 2^32): outside iff
   * y > span, or y < size (x + size wrapped past 2^32).
   */
  private checkSegment(seg: number, offset: Value, size: number, write: boolean, range: boolean): void {
    const cls = segClassOf(this.mode.mode, seg);
    if (cls === SEG_OPEN) return;
    const vector = seg === SEG_SS ? SS_FAULT : GP_FAULT;
    if (write && (cls & SEG_READ_ONLY_BIT) !== 0) {
      // Certain: a constant condition, which const-fold turns into the end of the block.
      this.raise(vector, 0, this.c(1));
      return;
    }
    if (!range || (cls & SEG_WINDOW_BIT) === 0) return;
    const x = this.op('sub', offset, this.b.get(segFirstSlot(seg)));
    const y = this.op('add', x, size);
    const outside = this.op('or', this.op('ltu', this.b.get(segSpanSlot(seg)), y), this.op('ltu', y, size));
    this.raise(vector, 0, outside);
  }

  /**
   * Code fetch up to (not including) offset `end` in CS: #GP(0) at the
   * current instruction unless end - 1 is within CS's limit. With the limit
   * in the mode word this is decided here — nothing, or an unconditional
   * raise that ends the block; with the dynamic field, a compare against
   * CS's window slots (first + span = limit + 1, segment-access.ts).
   */
  checkFetch(end: number): void {
    if (!this.codeLimited) return;
    if (end > 0xffffffff) return this.raise(GP_FAULT, 0); // wraps past 4 GiB: beyond any limit
    if (this.codeLimit >= 0) {
      if (end - 1 > this.codeLimit) this.raise(GP_FAULT, 0);
      return;
    }
    this.raise(GP_FAULT, 0, this.op('ltu', this.codeEnd(), end >>> 0));
  }

  /**
   * A near transfer to `target` (SDM JMP, Jcc, CALL, RET, LOOP pseudo-code:
   * "IF tempEIP is not within code segment limit THEN #GP(0)"), taken when
   * `taken` is nonzero (null: always): #GP(0) at the branch, before it
   * pushes or moves anything, when target > CS's limit. A static target
   * under a limit the mode word fixes is decided here.
   */
  checkBranchTarget(target: Value | number, taken: Value | null = null): void {
    if (!this.codeLimited) return;
    const limit = this.codeLimit;
    if (limit >= 0 && typeof target === 'number') {
      // Certain when taken: a constant condition, which const-fold turns into the end of the block.
      if (target >>> 0 > limit) this.raise(GP_FAULT, 0, taken ?? this.c(1));
      return;
    }
    const t = typeof target === 'number' ? this.c(target >>> 0) : target;
    const beyond = limit >= 0 ? this.op('ltu', this.c(limit), t) : this.op('leu', this.codeEnd(), t);
    this.raise(GP_FAULT, 0, taken === null ? beyond : this.op('and', taken, beyond));
  }

  /** CS's limit + 1 read at run time (no wrap: a checked CS is below 4 GiB). */
  private codeEnd(): Value {
    return this.op('add', this.b.get(segFirstSlot(SEG_CS)), this.b.get(segSpanSlot(SEG_CS)));
  }

  // ---- flags ---------------------------------------------------------------

  setFlags(kind: FlagKind, size: MemSize, res: Value, a: Value = this.c(0), b: Value = this.c(0),
    aux: Value = this.c(0), guard: Value | null = null): void {
    this.flags = { kind, size, res, a, b, aux, guard };
  }

  /** The explicit-kind thunk: `bits` are OSZAPC as EFLAGS bits. */
  setFlagsExplicit(bits: Value, guard: Value | null = null): void {
    this.setFlags('explicit', 4, bits, this.c(0), this.c(0), this.c(0), guard);
  }

  flag(cond: FlagCond): Temp {
    if (this.flags !== null) this.bug(`flags.get ${cond} after flags.set in one instruction`);
    return this.b.flag(cond);
  }

  flagsAll(): Temp {
    if (this.flags !== null) this.bug('flags.all after flags.set in one instruction');
    return this.b.flagsAll();
  }

  // ---- faulting ops ----------------------------------------------------------

  load(size: MemSize, addr: Value): Temp {
    return this.b.load(size, addr);
  }

  store(size: MemSize, addr: Value, v: Value): void {
    this.b.store(size, addr, v);
  }

  raise(vector: number, errorCode: number | null = null, cond: Value | null = null): void {
    this.b.raise(vector, errorCode, cond);
  }

  /**
   * Call the VMM. Must come before any state write of the instruction (the
   * VMM sees the state as of the instruction's start); afterwards every
   * cached register is reloaded.
   */
  emulate(routine: VmmRoutine, args: readonly (Value | number)[], hasResult = false): Temp | null {
    if (this.dirty !== 0 || this.sysDirty || this.flags !== null) this.bug(`emulate ${routine} after a state write`);
    if (args.length > 3) this.bug(`emulate ${routine} with more than 3 arguments`);
    const vals = args.map((a) => (typeof a === 'number' ? this.c(a) : a));
    const t = this.b.emulate(routine, vals, this.next, hasResult);
    this.regVal.fill(null);
    this.sysVal = null;
    return t;
  }
}
