/**
 * Stack frames the VMM pushes and pops on the guest's behalf (pushf/popf,
 * far call/ret, int, iret, exception delivery), with the SS limit checks a
 * CPU makes.
 *
 * Every multi-value push or pop is checked as a whole before anything is
 * written or any register changed, so a #SS leaves the guest as it was
 * (precise exceptions). A 16-bit stack (SS.B=0) uses and updates only SP.
 */
import { SEG_SS, type CpuState } from '../cpu/state.js';
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

export function currentStack(cpu: CpuState): StackSegment {
  return { base: cpu.segBase[SEG_SS]!, limit: cpu.segLimit[SEG_SS]!, attr: cpu.segAttr[SEG_SS]! };
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
 * Writes `values` as consecutive pushes of `width` bytes (values[0] pushed
 * first, so it ends up highest) below `esp` on `seg`; returns the new stack
 * pointer. Throws #SS(faultCode) — nothing written — if the frame does not fit.
 */
export function pushFrame(
  m: MonitorCore, seg: StackSegment, esp: number, big: boolean,
  values: readonly number[], width: 2 | 4, faultCode: number,
): number {
  const bytes = values.length * width;
  const mask = big ? 0xffffffff : 0xffff;
  const newSp = ((esp - bytes) & mask) >>> 0;
  if (!segmentRangeOk(seg, newSp, bytes)) throw new GuestFault(Vector.SS, faultCode & 0xffff);
  for (let i = 0; i < values.length; i++) {
    const offset = ((newSp + (values.length - 1 - i) * width) & mask) >>> 0;
    m.mem.write((seg.base + offset) >>> 0, width, values[i]!);
  }
  return newSp;
}

/** Reads `count` values of `width` bytes from the top of `seg` at `esp` (values[0] is the top). */
export function readFrame(
  m: MonitorCore, seg: StackSegment, esp: number, big: boolean,
  count: number, width: 2 | 4, faultCode: number,
): number[] {
  const mask = big ? 0xffffffff : 0xffff;
  const sp = (esp & mask) >>> 0;
  if (!segmentRangeOk(seg, sp, count * width)) throw new GuestFault(Vector.SS, faultCode & 0xffff);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = m.mem.read((seg.base + ((sp + i * width) & mask)) >>> 0, width);
  return out;
}

/** Sets the stack pointer, only SP on a 16-bit stack. */
export function setStackPointer(cpu: CpuState, value: number, big: boolean): void {
  cpu.regs[ESP] = big ? value | 0 : (cpu.regs[ESP]! & ~0xffff) | (value & 0xffff);
}

/** Pushes on the current stack and commits ESP. */
export function push(m: MonitorCore, values: readonly number[], width: 2 | 4): void {
  const big = stackSize(m.cpu) === 4;
  const sp = pushFrame(m, currentStack(m.cpu), m.cpu.regs[ESP]!, big, values, width, 0);
  setStackPointer(m.cpu, sp, big);
}

/** Reads `count` values from the current stack without moving ESP (callers commit after their checks). */
export function peek(m: MonitorCore, count: number, width: 2 | 4, skipBytes = 0): number[] {
  const big = stackSize(m.cpu) === 4;
  return readFrame(m, currentStack(m.cpu), m.cpu.regs[ESP]! + skipBytes, big, count, width, 0);
}

/** Moves ESP up by `bytes` (a pop committed). */
export function release(cpu: CpuState, bytes: number): void {
  const big = stackSize(cpu) === 4;
  setStackPointer(cpu, cpu.regs[ESP]! + bytes, big);
}
