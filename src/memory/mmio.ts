/**
 * Memory-mapped I/O windows in the guest-physical address space: the pages
 * above guest RAM where a device, not memory, answers (the local APIC at
 * 0xFEE00000 today).
 *
 * Guest RAM starts at 0 and is contiguous, so a guest-physical address
 * either has RAM behind it or it does not; only addresses without RAM are
 * looked up here, which keeps every fast path as it was: those pages never
 * get a software-TLB entry (the MMU finds no machine page for them), the
 * physical emitter's bounds test already sends them out of line, and the
 * slow paths — MmuCore's fills, MmuLinearMemory, SlowMemoryPath,
 * GuestPhysicalMemory — ask this map before answering "open bus" (reads all
 * ones, writes dropped). A window placed over RAM is never consulted: RAM
 * wins, which is the one place btvm differs from a PC, where the APIC
 * shadows whatever lies under it (no guest we run moves it there).
 *
 * An access that lies within one window reaches its device whole, with the
 * offset into the window and the size (1, 2 or 4); an access straddling a
 * window's edge is split into bytes, each answered by whoever owns it.
 * Lookups scan a short array: windows are few and accesses to them rare.
 * `openBus`, when set (-d guest_errors), hears of each access whose first
 * byte no window holds.
 */

export interface MmioDevice {
  /** Value of a `size`-byte read at `offset` in the window, unsigned. */
  mmioRead(offset: number, size: number): number;
  /**
   * A `size`-byte write at `offset`. Returns nonzero when the write may
   * have made an interrupt deliverable (an EOI, a TPR change, a self-IPI):
   * translated code then leaves its region after the instruction, so the
   * event service runs before the guest goes on.
   */
  mmioWrite(offset: number, size: number, value: number): number;
}

/** What an unmapped guest-physical byte reads as (an undriven bus floats high). */
const OPEN_BUS = 0xff;

export class MmioMap {
  private bases: number[] = [];
  private ends: number[] = [];
  private devices: MmioDevice[] = [];
  /** Told of each read (value null) or write whose first byte lies in no window; null: nobody listens. */
  openBus: ((pa: number, size: number, value: number | null) => void) | null = null;

  /** Maps `device` at [base, base+size), replacing any window it had. */
  map(device: MmioDevice, base: number, size: number): void {
    this.unmap(device);
    this.bases.push(base);
    this.ends.push(base + size);
    this.devices.push(device);
  }

  /** Removes `device`'s window, if it has one. */
  unmap(device: MmioDevice): void {
    const i = this.devices.indexOf(device);
    if (i < 0) return;
    this.bases.splice(i, 1);
    this.ends.splice(i, 1);
    this.devices.splice(i, 1);
  }

  /** Index of the window holding guest-physical `pa`, or -1. */
  private find(pa: number): number {
    const b = this.bases, e = this.ends;
    for (let i = 0; i < b.length; i++) if (pa >= b[i]! && pa < e[i]!) return i;
    return -1;
  }

  /** Whether any window covers `pa`. */
  covers(pa: number): boolean {
    return this.find(pa) >= 0;
  }

  /** A `size`-byte read at guest-physical `pa` (no RAM there), unsigned; all ones where nothing answers. */
  read(pa: number, size: number): number {
    const i = this.find(pa);
    if (i >= 0 && pa + size <= this.ends[i]!) return this.devices[i]!.mmioRead(pa - this.bases[i]!, size) >>> 0;
    if (i < 0) this.openBus?.(pa, size, null);
    let v = 0;
    for (let k = 0; k < size; k++) v |= this.readByte(pa + k) << (8 * k);
    return v >>> 0;
  }

  /** A `size`-byte write at guest-physical `pa`; nonzero when a device asks translated code to leave (see MmioDevice). */
  write(pa: number, size: number, value: number): number {
    const i = this.find(pa);
    if (i >= 0 && pa + size <= this.ends[i]!) return this.devices[i]!.mmioWrite(pa - this.bases[i]!, size, value);
    if (i < 0) this.openBus?.(pa, size, value);
    let leave = 0;
    for (let k = 0; k < size; k++) {
      const j = this.find(pa + k);
      if (j >= 0) leave |= this.devices[j]!.mmioWrite(pa + k - this.bases[j]!, 1, (value >>> (8 * k)) & 0xff);
    }
    return leave;
  }

  private readByte(pa: number): number {
    const j = this.find(pa);
    return j < 0 ? OPEN_BUS : this.devices[j]!.mmioRead(pa - this.bases[j]!, 1) & 0xff;
  }
}
