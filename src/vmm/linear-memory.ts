/**
 * Guest linear memory as the VMM's emulation routines see it: descriptor
 * tables, the TSS, and the stacks that exception delivery, far calls and iret
 * push to and pop from.
 *
 * LinearMemory is the identity view (linear = physical), for machines built
 * without an MMU (unit tests of single routines). A machine with an MMU
 * gives the monitor mmu/mmu-linear-memory.ts's MmuLinearMemory instead; both
 * satisfy VmmMemory, which is what the routines use. Writes are reported through `onWrite` so that a translation cache can
 * drop translations of code the VMM overwrote (an interrupt frame pushed onto
 * a page that also holds code is self-modifying code like any other).
 */
import type { PhysicalMemory } from '../memory/physical-memory.js';

export type WriteListener = (physicalAddress: number, length: number) => void;

/** The VMM's view of guest linear memory (LinearMemory, or MmuLinearMemory with paging). */
export interface VmmMemory {
  onWrite: WriteListener | null;
  /**
   * Set around the processor's implicit supervisor accesses (GDT/LDT/IDT/TSS,
   * pushes onto an inner stack): page protection then checks them as CPL 0.
   */
  implicitSupervisor: boolean;
  read8(la: number): number;
  read16(la: number): number;
  read32(la: number): number;
  write8(la: number, v: number): void;
  write16(la: number, v: number): void;
  write32(la: number, v: number): void;
  read(la: number, size: number): number;
  write(la: number, size: number, v: number): void;
  /**
   * The two dwords at `la` and `la + 4` into into.lo and into.hi (int32), as
   * one 8-byte access: a descriptor, a gate, a 32-bit TSS's ESPn:SSn. Every
   * page it touches is checked before anything is stored.
   */
  readPair(la: number, into: DwordPair): void;
  /**
   * Stores `length` bytes of `bytes` at `la` as one write if that can be done
   * at once (within one page, the page writable without a walk); false,
   * nothing written, if not: the caller then writes value by value.
   */
  tryWriteBytes(la: number, bytes: Uint8Array, length: number): boolean;
}

/** Where readPair leaves its two dwords. */
export interface DwordPair {
  lo: number;
  hi: number;
}

/** An implicit supervisor read (system tables): `size` bytes at `la`, unsigned. */
export function readSupervisor(mem: VmmMemory, la: number, size: number): number {
  const was = mem.implicitSupervisor;
  mem.implicitSupervisor = true;
  try {
    return mem.read(la, size);
  } finally {
    mem.implicitSupervisor = was;
  }
}

/** An implicit supervisor write (descriptor accessed/busy bits). */
export function writeSupervisor(mem: VmmMemory, la: number, size: number, v: number): void {
  const was = mem.implicitSupervisor;
  mem.implicitSupervisor = true;
  try {
    mem.write(la, size, v);
  } finally {
    mem.implicitSupervisor = was;
  }
}

/** Runs `body` as an implicit supervisor access (restoring the previous setting). */
export function asSupervisor<T>(mem: VmmMemory, body: () => T): T {
  const was = mem.implicitSupervisor;
  mem.implicitSupervisor = true;
  try {
    return body();
  } finally {
    mem.implicitSupervisor = was;
  }
}

export class LinearMemory implements VmmMemory {
  /** Called after every VMM write to guest memory; null when nobody listens. */
  onWrite: WriteListener | null = null;
  /** No paging here, so no page protection to bypass. */
  implicitSupervisor = false;

  constructor(readonly phys: PhysicalMemory) {}

  read8(la: number): number {
    return this.phys.read8(la >>> 0);
  }
  read16(la: number): number {
    return this.phys.read16(la >>> 0);
  }
  /** Unsigned 32-bit value. */
  read32(la: number): number {
    return this.phys.read32(la >>> 0);
  }
  write8(la: number, v: number): void {
    this.phys.write8(la >>> 0, v);
    if (this.onWrite !== null) this.onWrite(la >>> 0, 1);
  }
  write16(la: number, v: number): void {
    this.phys.write16(la >>> 0, v);
    if (this.onWrite !== null) this.onWrite(la >>> 0, 2);
  }
  write32(la: number, v: number): void {
    this.phys.write32(la >>> 0, v);
    if (this.onWrite !== null) this.onWrite(la >>> 0, 4);
  }
  read(la: number, size: number): number {
    return size === 1 ? this.read8(la) : size === 2 ? this.read16(la) : this.read32(la);
  }
  write(la: number, size: number, v: number): void {
    if (size === 1) this.write8(la, v);
    else if (size === 2) this.write16(la, v);
    else this.write32(la, v);
  }
  /** Identity memory has no fast path worth keeping: stores go value by value. */
  tryWriteBytes(_la: number, _bytes: Uint8Array, _length: number): boolean {
    return false;
  }
  readPair(la: number, into: DwordPair): void {
    into.lo = this.read32(la) | 0;
    into.hi = this.read32((la + 4) >>> 0) | 0;
  }
}
