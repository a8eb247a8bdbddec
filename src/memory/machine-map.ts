/**
 * The guest-physical → machine map: which page of the host ArrayBuffer
 * backs each page of guest RAM.
 *
 * The guest believes its RAM starts at physical 0 and is contiguous; a
 * monitor is free to place each page anywhere (VMware's pmap). btvm's
 * machine memory is the one ArrayBuffer of PhysicalMemory, so the map is a
 * permutation of its pages: the identity by default, or a seeded shuffle
 * (`--scatter-memory`, and tests) that proves nothing above the MMU confuses
 * the two address spaces. Guest-physical pages at or beyond the end of RAM
 * have no machine page (-1): reads there return 0xFF, writes are dropped,
 * as on a bus where nothing decodes the address.
 */

import { MAX_RAM_BYTES } from './pc-memory-layout.js';

export const PAGE_SHIFT = 12;
export const PAGE_MASK = 0xfff;

/**
 * The most RAM a map covers. Machine byte offsets then reach 0xDFFFFFFF:
 * beyond int32, so they are formed as unsigned numbers (page * 4096 + offset,
 * or `>>> 0`), never with `<<` or `|` alone (mmu/software-tlb.ts says how the
 * TLB keeps them in int32 entries).
 */
export const MAX_MAPPED_RAM = MAX_RAM_BYTES;

export class MachineMap {
  /** Number of guest RAM pages (= machine pages). */
  readonly pages: number;
  /** Guest-physical page → machine page. */
  readonly toMachine: Int32Array;
  /** Machine page → guest-physical page (for the translation cache and debugging). */
  readonly toGuest: Int32Array;

  private constructor(ramBytes: number, permutation: Int32Array) {
    this.pages = ramBytes >>> PAGE_SHIFT;
    this.toMachine = permutation;
    this.toGuest = new Int32Array(this.pages);
    for (let g = 0; g < this.pages; g++) this.toGuest[permutation[g]!] = g;
  }

  /** Guest page g lives at machine page g. */
  static identity(ramBytes: number): MachineMap {
    checkSize(ramBytes);
    const p = new Int32Array(ramBytes >>> PAGE_SHIFT);
    for (let i = 0; i < p.length; i++) p[i] = i;
    return new MachineMap(ramBytes, p);
  }

  /** A permutation drawn from `seed` (xorshift32 driving Fisher–Yates): reproducible scattering. */
  static scattered(ramBytes: number, seed: number): MachineMap {
    checkSize(ramBytes);
    const p = new Int32Array(ramBytes >>> PAGE_SHIFT);
    for (let i = 0; i < p.length; i++) p[i] = i;
    let x = seed | 0 || 0x9e3779b9;
    for (let i = p.length - 1; i > 0; i--) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const j = (x >>> 0) % (i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return new MachineMap(ramBytes, p);
  }

  get isIdentity(): boolean {
    for (let i = 0; i < this.pages; i++) if (this.toMachine[i] !== i) return false;
    return true;
  }

  /** Machine page of guest-physical page `page` (0..2^20-1; also 2^20.. for PSE-36 addresses), or -1. */
  machinePage(page: number): number {
    return page >= 0 && page < this.pages ? this.toMachine[page]! : -1;
  }

  /** Machine byte offset of guest-physical address `physical` (a number up to 2^40), or -1 without RAM. */
  machineAddress(physical: number): number {
    const page = Math.floor(physical / 4096);
    if (page < 0 || page >= this.pages) return -1;
    return this.toMachine[page]! * 4096 + (physical & PAGE_MASK);
  }
}

function checkSize(ramBytes: number): void {
  if (!Number.isInteger(ramBytes) || ramBytes <= 0 || ramBytes % 4096 !== 0 || ramBytes > MAX_MAPPED_RAM) {
    throw new RangeError(`paged guest RAM must be a positive multiple of 4 KiB up to 3.5 GiB, got ${ramBytes}`);
  }
}
