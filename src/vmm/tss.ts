/**
 * The task-state segment as far as btvm uses it: the inner-level stack
 * pointers (SS0:ESP0 …) for privilege changes on interrupts and call gates,
 * and the I/O permission bitmap (io.ts). Hardware task switches, which save
 * and load a whole task's state here, are task-switch.ts.
 *
 * TR's cache holds the TSS's base, limit and type: 9/11 are a 32-bit TSS
 * (available/busy), 1/3 a 16-bit one.
 */
import { readSupervisor } from './linear-memory.js';
import {
  ATTR_DB, ATTR_MASK, DescriptorSlot, descBase, descDpl, descIsData, descLimit, descPresent, dataWritable, readDescriptor,
  readTableEntry,
} from './descriptors.js';
import type { StackSegment } from './stack.js';
import { GuestFault, Vector, ts } from './fault.js';
import type { MonitorCore } from './monitor-core.js';

export const tssIs32 = (trAttr: number): boolean => (((trAttr >>> 8) & 0xf) | 2) === 11;

/** An inner stack from the TSS: the new SS selector, ESP, SS's descriptor, and that descriptor as a stack. */
export interface InnerStack {
  ss: number;
  esp: number;
  readonly desc: DescriptorSlot;
  /** Base, limit and rights of the new SS, for pushing the frame before SS is loaded (stack.ts pushFrame). */
  readonly seg: StackSegment;
  /** The new SS's B bit: a 32-bit stack pointer. */
  big: boolean;
}

/** innerStack's answer: one shared object (a privilege change reads one inner stack, then commits it). */
const INNER: InnerStack = { ss: 0, esp: 0, desc: new DescriptorSlot(), seg: { base: 0, limit: 0, attr: 0 }, big: true };
/** A 32-bit TSS's ESPn:SSn as read. */
const PAIR = new DescriptorSlot();

/**
 * SS:ESP for privilege level `dpl` from the current TSS, with the new SS's
 * descriptor checked as the SDM's interrupt and call-gate pseudo-code does.
 * `ext` is the EXT bit for error codes. The result is valid until the next
 * call.
 */
export function innerStack(m: MonitorCore, dpl: number, ext: number): InnerStack {
  const cpu = m.cpu;
  const is32 = tssIs32(cpu.trAttr);
  const at = is32 ? 4 + dpl * 8 : 2 + dpl * 4;
  const size = is32 ? 6 : 4;
  if ((cpu.trSel & 0xfffc) === 0 || at + size - 1 > cpu.trLimit >>> 0) throw ts((cpu.trSel & 0xfffc) | ext);
  const slot = (cpu.trBase + at) >>> 0;
  let esp: number, ss: number;
  if (is32 && (slot & 0xfff) <= 4096 - 8) {
    // ESPn and SSn as one 8-byte read; within one page it touches nothing the two reads would not.
    readTableEntry(m.mem, slot, PAIR);
    esp = PAIR.lo >>> 0;
    ss = PAIR.hi & 0xffff;
  } else {
    esp = readSupervisor(m.mem, slot, is32 ? 4 : 2);
    ss = readSupervisor(m.mem, slot + (is32 ? 4 : 2), 2);
  }
  if ((ss & 0xfffc) === 0) throw ts(ext);
  const desc = INNER.desc;
  if (!readDescriptor(m, ss, desc)) throw ts((ss & 0xfffc) | ext);
  if ((ss & 3) !== dpl || descDpl(desc.hi) !== dpl || !descIsData(desc.hi) || !dataWritable(desc.hi)) {
    throw ts((ss & 0xfffc) | ext);
  }
  if (!descPresent(desc.hi)) throw new GuestFault(Vector.SS, (ss & 0xfffc) | ext);
  INNER.ss = ss;
  INNER.esp = esp;
  const seg = INNER.seg;
  seg.base = descBase(desc.lo, desc.hi);
  seg.limit = descLimit(desc.lo, desc.hi);
  seg.attr = desc.hi & ATTR_MASK;
  INNER.big = (desc.hi & ATTR_DB) !== 0;
  return INNER;
}
