/**
 * Guest RAM addressed by guest-physical address, through the machine map.
 *
 * PhysicalMemory (vmm/memory) is the machine memory: one ArrayBuffer. When
 * the machine map is the identity the two coincide and everyone may keep
 * using PhysicalMemory directly; when it scatters pages (--scatter-memory)
 * every guest-physical access — the page walker's table reads, the loader,
 * the VMM's accesses below the MMU — must come through this class. It has
 * PhysicalMemory's access methods and semantics: values unsigned, no
 * allocation, no throw; bytes without RAM go to the MMIO windows (mmio.ts),
 * and where no device answers read 0xFF and ignore writes; accesses that
 * straddle a page are split, since neighbouring guest pages need not be
 * neighbours in machine memory.
 */
import { GuestMemoryError, type PhysicalMemory } from './physical-memory.js';
import { MachineMap, PAGE_MASK, PAGE_SHIFT } from './machine-map.js';
import { MmioMap } from './mmio.js';

export class GuestPhysicalMemory {
  /** Guest RAM size in bytes. */
  readonly size: number;
  /** Devices answering guest-physical addresses without RAM. */
  readonly mmio = new MmioMap();

  constructor(readonly machine: PhysicalMemory, readonly map: MachineMap) {
    if (map.pages * 4096 !== machine.size) { // not <<: RAM of 2 GiB or more is beyond int32
      throw new RangeError(`machine map covers ${map.pages} pages but machine memory has ${machine.size >>> PAGE_SHIFT}`);
    }
    this.size = machine.size;
  }

  /** Machine offset of guest-physical `pa` (taken modulo 2^32), unsigned, or -1 beyond RAM. */
  machineOffset(pa: number): number {
    const page = pa >>> PAGE_SHIFT;
    return page < this.map.pages ? this.map.toMachine[page]! * 4096 + (pa & PAGE_MASK) : -1;
  }

  read8(pa: number): number {
    const m = this.machineOffset(pa);
    return m < 0 ? this.mmio.read(pa >>> 0, 1) : this.machine.bytes[m]!;
  }

  read16(pa: number): number {
    if ((pa & PAGE_MASK) <= 0xffe) {
      const m = this.machineOffset(pa);
      return m < 0 ? this.mmio.read(pa >>> 0, 2) : this.machine.view.getUint16(m, true);
    }
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }

  read32(pa: number): number {
    if ((pa & PAGE_MASK) <= 0xffc) {
      const m = this.machineOffset(pa);
      return m < 0 ? this.mmio.read(pa >>> 0, 4) : this.machine.view.getUint32(m, true);
    }
    return (this.read8(pa) | (this.read8(pa + 1) << 8) | (this.read8(pa + 2) << 16) | (this.read8(pa + 3) << 24)) >>> 0;
  }

  write8(pa: number, v: number): void {
    const m = this.machineOffset(pa);
    if (m >= 0) this.machine.bytes[m] = v;
    else this.mmio.write(pa >>> 0, 1, v & 0xff);
  }

  write16(pa: number, v: number): void {
    if ((pa & PAGE_MASK) <= 0xffe) {
      const m = this.machineOffset(pa);
      if (m >= 0) this.machine.view.setUint16(m, v, true);
      else this.mmio.write(pa >>> 0, 2, v & 0xffff);
      return;
    }
    this.write8(pa, v);
    this.write8(pa + 1, v >>> 8);
  }

  write32(pa: number, v: number): void {
    if ((pa & PAGE_MASK) <= 0xffc) {
      const m = this.machineOffset(pa);
      if (m >= 0) this.machine.view.setUint32(m, v >>> 0, true);
      else this.mmio.write(pa >>> 0, 4, v >>> 0);
      return;
    }
    for (let i = 0; i < 4; i++) this.write8(pa + i, v >>> (8 * i));
  }

  read(pa: number, size: number): number {
    return size === 1 ? this.read8(pa) : size === 2 ? this.read16(pa) : this.read32(pa);
  }

  write(pa: number, size: number, v: number): void {
    if (size === 1) this.write8(pa, v);
    else if (size === 2) this.write16(pa, v);
    else this.write32(pa, v);
  }

  /** A loader's copy into guest RAM; throws GuestMemoryError if any byte falls outside RAM. */
  load(pa: number, data: Uint8Array): void {
    if (!this.machine.contains(pa, data.length)) throw new GuestMemoryError(pa, data.length, this.size);
    for (let done = 0; done < data.length; ) {
      const at = pa + done;
      const n = Math.min(4096 - (at & PAGE_MASK), data.length - done);
      this.machine.bytes.set(data.subarray(done, done + n), this.machineOffset(at));
      done += n;
    }
  }

  /** Copies [pa, pa+length) out of guest RAM; throws GuestMemoryError outside RAM. */
  slice(pa: number, length: number): Uint8Array {
    if (!this.machine.contains(pa, length)) throw new GuestMemoryError(pa, length, this.size);
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const at = pa + done;
      const n = Math.min(4096 - (at & PAGE_MASK), length - done);
      const m = this.machineOffset(at);
      out.set(this.machine.bytes.subarray(m, m + n), done);
      done += n;
    }
    return out;
  }
}
