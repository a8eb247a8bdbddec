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
 */
import type { DecodedInsn } from '../decoder/insn.js';
import { EFLAGS_SYS_SLOT, IrBuilder, gprSlot, segBaseSlot, segSelSlot } from '../ir/builder.js';
import type {
  BinaryOpName, Exit, FlagCond, FlagKind, MemSize, Temp, UnaryOpName, Value, VmmRoutine,
} from '../ir/types.js';
import type { LiftMode } from './lift-mode.js';

export const ESP = 4;

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
  private readonly addrCache = new Map<object, Value>();

  constructor(address: number, readonly mode: LiftMode) {
    this.b = new IrBuilder(address >>> 0, mode.mode);
    this.stackSize = mode.stackSize ?? mode.codeSize;
    this.flat = mode.flatSegments;
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

  /** Linear address of seg:offset (no base at all under flat segments). */
  linear(seg: number, offset: Value): Value {
    if (this.flat) return offset;
    return this.op('add', this.b.get(segBaseSlot(seg)), offset);
  }

  /** Per-instruction cache of computed operand addresses (read-modify-write forms compute once). */
  cachedAddress(key: object, compute: () => Value): Value {
    let v = this.addrCache.get(key);
    if (v === undefined) {
      v = compute();
      this.addrCache.set(key, v);
    }
    return v;
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
