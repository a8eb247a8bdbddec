/**
 * Guest linear memory for the VMM's own accesses when the MMU is in charge:
 * the same methods as vmm/linear-memory.ts's LinearMemory, translated
 * through Mmu.translate, so descriptor-table reads, interrupt frames and
 * string I/O see the guest's paging exactly as its instructions do.
 *
 * A translation that faults writes CR2 and throws GuestFault(#PF, error
 * code) — the emulation routines' way to report exceptions (vmm/fault.ts) —
 * before anything is written: a multi-byte access checks every page it
 * touches first. Accesses are made at cpu.cpl, except while
 * `implicitSupervisor` is set: the processor's own accesses to the GDT,
 * LDT, IDT and TSS, and the pushes onto an inner stack during a privilege
 * change, are supervisor accesses whatever the CPL (SDM Vol. 3A, 4.6). Every
 * write is reported to the MMU (a store into a guest page table must update
 * shadows) and then to `onWrite` with its guest-physical address.
 *
 * Interrupt and system-call delivery make several of these accesses per
 * event (gate, descriptors, TSS, frame), so an access within one page first
 * tries the software TLB half of its privilege class: an entry there means
 * the access is allowed, A (and for a write entry D) is already set and the
 * page is not write-traced, so a write hit tells only `onWrite`, not the
 * MMU. A miss translates and fills that half, as a miss from generated code
 * would. A page without RAM has no TLB entry; its accesses go to the MMIO
 * windows of guest-physical memory (memory/mmio.ts). TLB entries are int32
 * and negative for machine pages from 2 GiB up (mmu/software-tlb.ts), so a
 * hit is any entry but TLB_MISS and its index is formed unsigned.
 */
import type { CpuState } from '../state/state.js';
import { GuestFault } from './fault.js';
import type { DwordPair, WriteListener } from './linear-memory.js';
import { PAGE_MASK } from '../memory/machine-map.js';
import { Access, Translation, type Mmu } from '../mmu/mmu.js';
import type { GuestPhysicalMemory } from '../memory/guest-physical-memory.js';
import { TLB_MISS, type SoftwareTlb } from '../mmu/software-tlb.js';

export class MmuLinearMemory {
  /** Called after every write with the guest-physical address of each piece written. */
  onWrite: WriteListener | null = null;
  /** Set around the processor's implicit supervisor accesses (system tables, inner-stack pushes). */
  implicitSupervisor = false;
  /** Machine offsets (unsigned; -1: no RAM) of the (up to two) pages of the access being made. */
  private page0 = 0;
  private page1 = 0;
  private physical0 = 0;
  private physical1 = 0;

  private readonly tlb: SoftwareTlb;
  private readonly bytes: Uint8Array;
  private readonly toGuest: Int32Array;

  constructor(readonly mmu: Mmu, readonly cpu: CpuState, readonly phys: GuestPhysicalMemory) {
    this.tlb = mmu.tlb;
    this.bytes = phys.machine.bytes;
    this.toGuest = phys.map.toGuest;
  }

  read8(la: number): number {
    return this.read(la, 1);
  }
  read16(la: number): number {
    return this.read(la, 2);
  }
  /** Unsigned 32-bit value. */
  read32(la: number): number {
    return this.read(la, 4);
  }
  write8(la: number, v: number): void {
    this.write(la, 1, v);
  }
  write16(la: number, v: number): void {
    this.write(la, 2, v);
  }
  write32(la: number, v: number): void {
    this.write(la, 4, v);
  }

  /**
   * The TLB's machine page offset for `la` in the half of this access's
   * privilege class (implicit supervisor accesses use the supervisor half
   * whatever the CPL), int32, or TLB_MISS.
   */
  private tlbEntry(la: number, write: boolean): number {
    const tlb = this.tlb;
    const user = !this.implicitSupervisor && this.cpu.cpl === 3;
    const half = write ? (user ? tlb.userWrite : tlb.supervisorWrite) : user ? tlb.userRead : tlb.supervisorRead;
    return half[la >>> 12]!;
  }

  /** `size` is 1, 2 or 4 bytes; unsigned result. */
  read(la: number, size: number): number {
    const offset = la & PAGE_MASK;
    if (offset <= 4096 - size) {
      const hit = this.tlbEntry(la, false);
      if (hit !== TLB_MISS) {
        const b = this.bytes, at = (hit | offset) >>> 0;
        if (size === 4) return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
        return size === 2 ? b[at]! | (b[at + 1]! << 8) : b[at]!;
      }
    }
    const split = this.translateAll(la, size, Access.Read);
    // No RAM behind a page within one page: a device window or open bus, answered whole.
    if (split === size && this.page0 < 0) return this.phys.mmio.read(this.physical0, size);
    const bytes = this.phys.machine.bytes;
    // Shifts, not multiplications by 2 ** (8 * i): V8 calls out for a
    // variable-exponent power, which made this read ~400 ns and half of a
    // syscall round trip's host time (descriptor, gate and frame reads).
    let v = 0;
    for (let i = 0; i < size; i++) {
      const base = i < split ? this.page0 : this.page1;
      const at = (la + i) & PAGE_MASK;
      v |= (base >= 0 ? bytes[base + at]! : this.phys.mmio.read(this.physicalOf(i, split), 1)) << (8 * i);
    }
    return v >>> 0;
  }

  readPair(la: number, into: DwordPair): void {
    const offset = la & PAGE_MASK;
    if (offset <= 4096 - 8) {
      const hit = this.tlbEntry(la, false);
      if (hit !== TLB_MISS) {
        const b = this.bytes, at = (hit | offset) >>> 0;
        into.lo = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
        into.hi = b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24);
        return;
      }
    }
    // A miss or a page-crossing pair: the second read may fault only after the first's page was
    // checked, and nothing is stored until both succeeded.
    const lo = this.read(la, 4) | 0;
    into.hi = this.read((la + 4) | 0, 4) | 0;
    into.lo = lo;
  }

  tryWriteBytes(la: number, bytes: Uint8Array, length: number): boolean {
    const offset = la & PAGE_MASK;
    if (offset > 4096 - length) return false;
    const hit = this.tlbEntry(la, true);
    if (hit === TLB_MISS) return false;
    // A loop, not set(subarray()): a subarray is a new view object per frame.
    const b = this.bytes, at = (hit | offset) >>> 0;
    for (let i = 0; i < length; i++) b[at + i] = bytes[i]!;
    if (this.onWrite !== null) this.onWrite(((this.toGuest[hit >>> 12]! << 12) | offset) >>> 0, length);
    return true;
  }

  write(la: number, size: number, v: number): void {
    const offset = la & PAGE_MASK;
    if (offset <= 4096 - size) {
      const hit = this.tlbEntry(la, true);
      if (hit !== TLB_MISS) {
        const b = this.bytes, at = (hit | offset) >>> 0;
        for (let i = 0; i < size; i++) b[at + i] = v >>> (8 * i);
        // Only the translation cache hears of it: a write entry means the page is not traced
        // (ShadowMmu drops a page's write entries when it starts tracing it), so the MMU has nothing to do.
        if (this.onWrite !== null) this.onWrite(((this.toGuest[hit >>> 12]! << 12) | offset) >>> 0, size);
        return;
      }
    }
    const split = this.translateAll(la, size, Access.Write);
    if (split === size && this.page0 < 0) {
      this.phys.mmio.write(this.physical0, size, v >>> 0);
      return;
    }
    const bytes = this.phys.machine.bytes;
    for (let i = 0; i < size; i++) {
      const base = i < split ? this.page0 : this.page1;
      if (base >= 0) bytes[base + ((la + i) & PAGE_MASK)] = v >>> (8 * i);
      else this.phys.mmio.write(this.physicalOf(i, split), 1, (v >>> (8 * i)) & 0xff);
    }
    this.written(this.physical0, split);
    if (split < size) this.written(this.physical1, size - split);
  }

  private written(physical: number, length: number): void {
    this.mmu.onPhysicalWrite(physical, length);
    if (this.onWrite !== null) this.onWrite(physical, length);
  }

  /** Guest-physical address of byte `i` of the access just translated, whose first `split` bytes lie in its first page. */
  private physicalOf(i: number, split: number): number {
    return i < split ? this.physical0 + i : this.physical1 + (i - split);
  }

  /** Translates every page of the access (faulting before any byte moves); returns how many bytes lie in the first. */
  private translateAll(la: number, size: number, access: Access): number {
    const cpl = this.implicitSupervisor ? 0 : this.cpu.cpl;
    const first = Math.min(size, 4096 - (la & PAGE_MASK));
    this.page0 = this.translatePage(la, access, cpl);
    this.physical0 = this.mmu.lastPhysical;
    if (first < size) {
      const next = (la + first) | 0;
      this.page1 = this.translatePage(next, access, cpl);
      this.physical1 = this.mmu.lastPhysical;
    }
    return first;
  }

  /** Machine offset (unsigned) of the page of `la`, or -1 without RAM there ("open bus" or a device). */
  private translatePage(la: number, access: Access, cpl: number): number {
    const m = this.mmu.translateAndFill(la, access, cpl);
    if (m === Translation.Fault) {
      this.cpu.cr2 = this.mmu.fault.cr2;
      throw new GuestFault(14, this.mmu.fault.errorCode);
    }
    return m === Translation.Done ? -1 : m - (m & PAGE_MASK);
  }
}
