/**
 * Segment descriptors: reading them from the GDT/LDT, decoding base, limit
 * and access rights, and loading a segment register's descriptor cache.
 *
 * Access rights are kept as LAR returns them — descriptor dword 1 masked with
 * 0x00F0FF00: type in bits 8–11, S 12, DPL 13–14, P 15, AVL 20, D/B 22, G 23
 * — which is also CpuState.segAttr's format, so a cache load is a copy.
 */
import { writeSupervisor, type VmmMemory } from './linear-memory.js';
import { SEG_CS, SEG_SS, type CpuState } from '../state/state.js';
import { gp } from './fault.js';
import type { MonitorCore } from './monitor-core.js';

export const ATTR_MASK = 0x00f0ff00;
export const ATTR_ACCESSED = 1 << 8;
export const ATTR_S = 1 << 12;
export const ATTR_P = 1 << 15;
export const ATTR_DB = 1 << 22;
export const ATTR_G = 1 << 23;

/** A descriptor as read from a table: its two dwords and where it lives. */
export interface Descriptor {
  readonly lo: number;
  readonly hi: number;
  /** Linear address of the 8-byte entry. */
  readonly address: number;
}

/**
 * A reusable place to read a descriptor into. The event and far-transfer
 * paths read one to three descriptors per guest event; giving each of them
 * a fixed slot (module-level, one per role) instead of a fresh object keeps
 * those paths free of allocation.
 */
export class DescriptorSlot implements Descriptor {
  lo = 0;
  hi = 0;
  address = 0;
}

export const descType = (hi: number): number => (hi >>> 8) & 0xf;
export const descDpl = (hi: number): number => (hi >>> 13) & 3;
export const descPresent = (hi: number): boolean => (hi & ATTR_P) !== 0;
/** S=1: code or data; S=0: system (TSS, LDT, gates). */
export const descIsCodeData = (hi: number): boolean => (hi & ATTR_S) !== 0;
export const descIsCode = (hi: number): boolean => (hi & ATTR_S) !== 0 && (hi & (1 << 11)) !== 0;
export const descIsData = (hi: number): boolean => (hi & ATTR_S) !== 0 && (hi & (1 << 11)) === 0;
export const codeConforming = (hi: number): boolean => (hi & (1 << 10)) !== 0;
export const codeReadable = (hi: number): boolean => (hi & (1 << 9)) !== 0;
export const dataWritable = (hi: number): boolean => (hi & (1 << 9)) !== 0;

export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
}

/** Byte-granular limit (G scales 4 KiB pages). */
export function descLimit(lo: number, hi: number): number {
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & ATTR_G) !== 0 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

/**
 * Reads the descriptor `selector` names into `into`; false (nothing read) if
 * it lies beyond its table's limit or the LDT is null.
 */
export function readDescriptor(m: MonitorCore, selector: number, into: DescriptorSlot): boolean {
  const cpu = m.cpu;
  const index = selector & 0xfff8;
  let base: number, limit: number;
  if ((selector & 4) !== 0) {
    if ((cpu.ldtSel & 0xfffc) === 0) return false;
    base = cpu.ldtBase;
    limit = cpu.ldtLimit;
  } else {
    base = cpu.gdtBase;
    limit = cpu.gdtLimit;
  }
  if (index + 7 > limit >>> 0) return false;
  readTableEntry(m.mem, (base + index) >>> 0, into);
  return true;
}

/**
 * Reads the 8-byte system-table entry (descriptor or gate) at linear
 * `address` into `into`, as one implicit supervisor access: one save and
 * restore of the flag for both dwords.
 */
export function readTableEntry(mem: VmmMemory, address: number, into: DescriptorSlot): void {
  const was = mem.implicitSupervisor;
  mem.implicitSupervisor = true;
  try {
    mem.readPair(address, into);
  } finally {
    mem.implicitSupervisor = was;
  }
  into.address = address;
}

/** Like readDescriptor, but a selector beyond its table is #GP(selector). */
export function readDescriptorOrGp(m: MonitorCore, selector: number, into: DescriptorSlot): DescriptorSlot {
  if (!readDescriptor(m, selector, into)) throw gp(selector & 0xfffc);
  return into;
}

/** Reads the descriptor `selector` names as a new object, or null beyond its table (cold paths: lldt, ltr, lar…). */
export function fetchDescriptor(m: MonitorCore, selector: number): Descriptor | null {
  const d = new DescriptorSlot();
  return readDescriptor(m, selector, d) ? d : null;
}

/** Like fetchDescriptor, but a selector beyond its table is #GP(selector). */
export function descriptorOrGp(m: MonitorCore, selector: number): Descriptor {
  return readDescriptorOrGp(m, selector, new DescriptorSlot());
}

/** Sets the accessed bit in memory, as the CPU does on every segment load. */
export function markAccessed(m: MonitorCore, d: Descriptor): void {
  if (descIsCodeData(d.hi) && (d.hi & ATTR_ACCESSED) === 0) writeSupervisor(m.mem, d.address + 5, 1, ((d.hi >>> 8) | 1) & 0xff);
}

/**
 * Loads segment register `seg`'s selector and cache from a descriptor.
 * Returns true when base, limit or D/B changed: translations made for the
 * old values may be wrong for the new ones, so the caller must leave to the
 * dispatcher.
 */
export function loadSegmentCache(cpu: CpuState, seg: number, selector: number, lo: number, hi: number): boolean {
  const base = descBase(lo, hi) | 0;
  // Limits compared as int32 (4 GiB is -1): a limit above 2^31 as a double would be boxed off the inlined path.
  const limit = descLimit(lo, hi) | 0;
  const attr = (hi & ATTR_MASK) | ATTR_ACCESSED;
  const changed =
    cpu.segBase[seg] !== base || (cpu.segLimit[seg]! | 0) !== limit || ((cpu.segAttr[seg]! ^ attr) & ATTR_DB) !== 0;
  cpu.segSel[seg] = selector;
  cpu.segBase[seg] = base;
  cpu.segLimit[seg] = limit;
  cpu.segAttr[seg] = attr;
  if (seg === SEG_CS) cpu.codeSize = (attr & ATTR_DB) !== 0 ? 4 : 2;
  return changed;
}

/** A null selector in DS/ES/FS/GS: the register becomes unusable (P=0 in the cache). */
export function loadNullSegment(cpu: CpuState, seg: number, selector: number): boolean {
  cpu.segSel[seg] = selector;
  cpu.segAttr[seg] = 0;
  return false;
}

/** Stack size from SS.B: 4 or 2 bytes. */
export const stackSize = (cpu: CpuState): 2 | 4 => ((cpu.segAttr[SEG_SS]! & ATTR_DB) !== 0 ? 4 : 2);
