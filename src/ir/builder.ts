/**
 * IrBuilder: the lifter's way of writing a Block.
 *
 * Each emit method appends one op and returns the temp it defines, so a
 * lifter reads like the SDM's pseudo-code:
 *
 *   const b = new IrBuilder(0x100000, mode);
 *   b.insn(0x100000, 2, 'add eax,ebx');
 *   const x = b.gpr(0), y = b.gpr(3);
 *   const r = b.bin('add', x, y);
 *   b.setFlags('add', 4, r, x, y);
 *   b.putGpr(0, r);
 *   const block = b.finish({ kind: 'jump', target: 0x100002 });
 *
 * The builder does no optimisation; passes do that, so dumps of the lifted
 * IR show exactly what the lifter said.
 */
import type {
  BinaryOpName, Block, Const, Exit, FlagCond, FlagKind, GuestSlot, HelperName,
  MemSize, Op, Temp, UnaryOpName, Value, VmmRoutine,
} from './types.js';

const constCache = new Map<number, Const>();

/** A constant value (int32-normalised; shared objects, they are immutable). */
export function constant(value: number): Const {
  const v = value | 0;
  let c = constCache.get(v);
  if (c === undefined) {
    c = { kind: 'const', value: v };
    if (constCache.size < 4096) constCache.set(v, c);
  }
  return c;
}

export function gprSlot(reg: number): GuestSlot {
  return GPR_SLOTS[reg & 7]!;
}
const GPR_SLOTS: readonly GuestSlot[] = Array.from({ length: 8 }, (_, reg) => ({ kind: 'gpr', reg }) as const);
export const EFLAGS_SYS_SLOT: GuestSlot = { kind: 'eflagsSys' };
export const segBaseSlot = (seg: number): GuestSlot => SEG_BASE_SLOTS[seg]!;
const SEG_BASE_SLOTS: readonly GuestSlot[] = Array.from({ length: 6 }, (_, seg) => ({ kind: 'segBase', seg }) as const);
export const segSelSlot = (seg: number): GuestSlot => SEG_SEL_SLOTS[seg]!;
const SEG_SEL_SLOTS: readonly GuestSlot[] = Array.from({ length: 6 }, (_, seg) => ({ kind: 'segSel', seg }) as const);
export const segFirstSlot = (seg: number): GuestSlot => SEG_FIRST_SLOTS[seg]!;
const SEG_FIRST_SLOTS: readonly GuestSlot[] = Array.from({ length: 6 }, (_, seg) => ({ kind: 'segFirst', seg }) as const);
export const segSpanSlot = (seg: number): GuestSlot => SEG_SPAN_SLOTS[seg]!;
const SEG_SPAN_SLOTS: readonly GuestSlot[] = Array.from({ length: 6 }, (_, seg) => ({ kind: 'segSpan', seg }) as const);

export class IrBuilder {
  readonly ops: Op[] = [];
  private temps = 0;
  private insns = 0;
  private firstAddress: number;
  private endAddress: number;

  /** Segment registers (bit per register) the block accesses memory through: Block.segmentsUsed. */
  segmentsUsed = 0;

  constructor(readonly address: number, readonly mode: number) {
    this.firstAddress = address;
    this.endAddress = address;
  }

  tmp(): Temp {
    return { kind: 'tmp', id: this.temps++ };
  }

  c(value: number): Const {
    return constant(value);
  }

  /** Marks the start of a guest instruction. */
  insn(address: number, length: number, text: string): void {
    this.ops.push({ op: 'insn', address, length, text });
    this.insns++;
    this.endAddress = (address + length) >>> 0;
  }

  get(slot: GuestSlot): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'get', dst, slot });
    return dst;
  }

  gpr(reg: number): Temp {
    return this.get(gprSlot(reg));
  }

  put(slot: GuestSlot, src: Value): void {
    this.ops.push({ op: 'put', slot, src });
  }

  putGpr(reg: number, src: Value): void {
    this.put(gprSlot(reg), src);
  }

  mov(src: Value): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'mov', dst, src });
    return dst;
  }

  unary(name: UnaryOpName, a: Value): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'unary', name, dst, a });
    return dst;
  }

  bin(name: BinaryOpName, a: Value, b: Value): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'binary', name, dst, a, b });
    return dst;
  }

  select(cond: Value, a: Value, b: Value): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'select', dst, cond, a, b });
    return dst;
  }

  load(size: MemSize, addr: Value): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'load', dst, size, addr });
    return dst;
  }

  store(size: MemSize, addr: Value, src: Value): void {
    this.ops.push({ op: 'store', size, addr, src });
  }

  setFlags(kind: FlagKind, size: MemSize, res: Value, a: Value = constant(0), b: Value = constant(0),
    aux: Value = constant(0), guard: Value | null = null): void {
    this.ops.push({ op: 'flags.set', kind, size, res, a, b, aux, guard });
  }

  flag(cond: FlagCond): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'flags.get', dst, cond });
    return dst;
  }

  flagsAll(): Temp {
    const dst = this.tmp();
    this.ops.push({ op: 'flags.all', dst });
    return dst;
  }

  helper(name: HelperName, args: readonly Value[], results: 1 | 2 = 1): [Temp, Temp | null] {
    const dst = this.tmp();
    const dst2 = results === 2 ? this.tmp() : null;
    this.ops.push({ op: 'helper', name, dst, dst2, args });
    return [dst, dst2];
  }

  emulate(routine: VmmRoutine, args: readonly Value[], next: number, hasResult = false): Temp | null {
    const dst = hasResult ? this.tmp() : null;
    this.ops.push({ op: 'emulate', routine, args, dst, next: next >>> 0 });
    return dst;
  }

  raise(vector: number, errorCode: number | null = null, cond: Value | null = null): void {
    this.ops.push({ op: 'raise', vector, errorCode, cond });
  }

  /** Side exit to `target` when cond != 0 (see the exitIf op). */
  exitIf(cond: Value, target: number): void {
    this.ops.push({ op: 'exitIf', cond, target: target >>> 0 });
  }

  finish(exit: Exit): Block {
    return {
      address: this.firstAddress,
      mode: this.mode,
      ops: this.ops,
      exit,
      tempCount: this.temps,
      guestLength: (this.endAddress - this.firstAddress) >>> 0,
      guestInsns: this.insns,
      segmentsUsed: this.segmentsUsed,
    };
  }
}
