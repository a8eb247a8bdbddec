/**
 * Guest linear memory as the VMM's emulation routines see it: descriptor
 * tables, the TSS, and the stacks that exception delivery, far calls and iret
 * push to and pop from.
 *
 * Without paging a linear address is the physical address. Paging belongs to
 * the shadow MMU, which is a separate piece; until it exists, mov cr0 refuses
 * to turn paging on (UnsupportedGuestFeature), so identity is always right
 * here. Writes are reported through `onWrite` so that a translation cache can
 * drop translations of code the VMM overwrote (an interrupt frame pushed onto
 * a page that also holds code is self-modifying code like any other).
 */
import type { PhysicalMemory } from './memory/physical-memory.js';

export type WriteListener = (physicalAddress: number, length: number) => void;

export class LinearMemory {
  /** Called after every VMM write to guest memory; null when nobody listens. */
  onWrite: WriteListener | null = null;

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
}
