/**
 * Stack frames the VMM pushes and pops on the guest's behalf (pushf/popf,
 * far call/ret, int, iret, exception delivery), with the SS limit checks a
 * CPU makes.
 *
 * Every multi-value push or pop is checked as a whole before anything is
 * written or any register changed, so a #SS leaves the guest as it was
 * (precise exceptions). A 16-bit stack (SS.B=0) uses and updates only SP.
 */
import { SEG_SS, type CpuState } from '../state/state.js';
import { ATTR_DB, stackSize } from './descriptors.js';
import { GuestFault, Vector } from './fault.js';
import type { MonitorCore } from './monitor-core.js';

const ESP = 4;

/** A stack segment as the checks need it (the current SS, or a new one from the TSS). */
export interface StackSegment {
  base: number;
  limit: number;
  attr: number;
}

/**
 * Scratch for the hot paths (event delivery, iret, far call/ret), which
 * would otherwise allocate a few small arrays and objects per guest event:
 * FRAME holds values to push (FRAME[0] pushed first), POPPED what
 * readFrameInto/peekInto read (POPPED[0] is the top). Values are int32; a
 * caller wanting an unsigned EIP or offset applies >>> 0. Call-gate
 * parameters (at most 31) plus SS, ESP, CS, EIP fit.
 */
export const FRAME = new Int32Array(40);
export const POPPED = new Int32Array(40);
/** FRAME laid out as the stack will hold it, lowest address first. */
const FRAME_BYTES = new Uint8Array(40 * 4);
const CURRENT: StackSegment = { base: 0, limit: 0, attr: 0 };

/** The current SS's cache as a StackSegment: one shared object, valid until the next call. */
export function currentStack(cpu: CpuState): StackSegment {
  CURRENT.base = cpu.segBase[SEG_SS]!;
  CURRENT.limit = cpu.segLimit[SEG_SS]!;
  CURRENT.attr = cpu.segAttr[SEG_SS]!;
  return CURRENT;
}

/** Whether bytes [first, first+length) lie within the segment's limit (expand-up or expand-down). */
export function segmentRangeOk(seg: StackSegment, first: number, length: number): boolean {
  const last = first + length - 1;
  const expandDown = (seg.attr & (1 << 11)) === 0 && (seg.attr & (1 << 10)) !== 0;
  if (!expandDown) return last <= seg.limit >>> 0;
  const upper = (seg.attr & ATTR_DB) !== 0 ? 0xffffffff : 0xffff;
  return first > seg.limit >>> 0 && last <= upper;
}

/**
 * Writes the first `count` of `values` as consecutive pushes of `width`
 * bytes (values[0] pushed first, so it ends up highest) below `esp` on
 * `seg`; returns the new stack pointer. Throws #SS(faultCode) — nothing
 * written — if the frame does not fit.
 */
export function pushFrame(
  m: MonitorCore, seg: StackSegment, esp: number, big: boolean,
  values: ArrayLike<number>, count: number, width: 2 | 4, faultCode: number,
): number {
  const bytes = count * width;
  const mask = big ? 0xffffffff : 0xffff;
  const newSp = ((esp - bytes) & mask) >>> 0;
  if (!segmentRangeOk(seg, newSp, bytes)) throw new GuestFault(Vector.SS, faultCode & 0xffff);
  const mem = m.mem;
  if (newSp + bytes - 1 <= mask && bytes <= FRAME_BYTES.length) {
    // Not wrapping: the frame is one run of bytes, which the memory may store (and report) at once.
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      let at = (count - 1 - i) * width;
      FRAME_BYTES[at++] = v;
      FRAME_BYTES[at++] = v >>> 8;
      if (width === 4) {
        FRAME_BYTES[at++] = v >>> 16;
        FRAME_BYTES[at] = v >>> 24;
      }
    }
    if (mem.tryWriteBytes((seg.base + newSp) >>> 0, FRAME_BYTES, bytes)) return newSp;
  }
  for (let i = 0; i < count; i++) {
    const offset = ((newSp + (count - 1 - i) * width) & mask) >>> 0;
    mem.write((seg.base + offset) >>> 0, width, values[i]!);
  }
  return newSp;
}

/** Reads `count` values of `width` bytes from the top of `seg` at `esp` into `out` (out[0] is the top). */
export function readFrameInto(
  m: MonitorCore, seg: StackSegment, esp: number, big: boolean,
  count: number, width: 2 | 4, faultCode: number, out: Int32Array,
): void {
  const mask = big ? 0xffffffff : 0xffff;
  const sp = (esp & mask) >>> 0;
  if (!segmentRangeOk(seg, sp, count * width)) throw new GuestFault(Vector.SS, faultCode & 0xffff);
  const mem = m.mem;
  for (let i = 0; i < count; i++) out[i] = mem.read((seg.base + ((sp + i * width) & mask)) >>> 0, width);
}

/** Like readFrameInto, as a new array of unsigned values (tests, cold paths). */
export function readFrame(
  m: MonitorCore, seg: StackSegment, esp: number, big: boolean,
  count: number, width: 2 | 4, faultCode: number,
): number[] {
  const out = new Int32Array(count);
  readFrameInto(m, seg, esp, big, count, width, faultCode, out);
  return Array.from(out, (v) => v >>> 0);
}

/** Sets the stack pointer, only SP on a 16-bit stack. */
export function setStackPointer(cpu: CpuState, value: number, big: boolean): void {
  cpu.regs[ESP] = big ? value | 0 : (cpu.regs[ESP]! & ~0xffff) | (value & 0xffff);
}

/** Pushes on the current stack and commits ESP. */
export function push(m: MonitorCore, values: readonly number[], width: 2 | 4): void {
  const big = stackSize(m.cpu) === 4;
  const sp = pushFrame(m, currentStack(m.cpu), m.cpu.regs[ESP]!, big, values, values.length, width, 0);
  setStackPointer(m.cpu, sp, big);
}

/** Reads `count` values from the current stack into POPPED without moving ESP (callers commit after their checks). */
export function peekInto(m: MonitorCore, count: number, width: 2 | 4, skipBytes = 0): Int32Array {
  const big = stackSize(m.cpu) === 4;
  readFrameInto(m, currentStack(m.cpu), m.cpu.regs[ESP]! + skipBytes, big, count, width, 0, POPPED);
  return POPPED;
}

/** Like peekInto, as a new array of unsigned values. */
export function peek(m: MonitorCore, count: number, width: 2 | 4, skipBytes = 0): number[] {
  const big = stackSize(m.cpu) === 4;
  return readFrame(m, currentStack(m.cpu), m.cpu.regs[ESP]! + skipBytes, big, count, width, 0);
}

/** Moves ESP up by `bytes` (a pop committed). */
export function release(cpu: CpuState, bytes: number): void {
  const big = stackSize(cpu) === 4;
  setStackPointer(cpu, cpu.regs[ESP]! + bytes, big);
}
