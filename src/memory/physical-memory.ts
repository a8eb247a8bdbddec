/**
 * Guest physical memory: the RAM the guest sees at physical address 0.
 *
 * One ArrayBuffer backs all of guest RAM. The MMU/TLB layer above turns
 * linear addresses into physical ones and, on its fast path, indexes `bytes`
 * or `view` directly; these methods are the slow path generated code falls
 * back to (accesses that may straddle the end of RAM or hit holes) and what
 * loaders and devices use.
 *
 * Physical addresses at or beyond `size` are unbacked, as on a PC whose
 * address space above the top of RAM has nothing decoding it: reads return
 * 0xFF per byte (an undriven bus floats high) and writes are dropped. A
 * multi-byte access that straddles the end of RAM is split: the part inside
 * RAM is real, the rest behaves as unbacked. Addresses are taken modulo 2^32,
 * so a dword at 0xFFFFFFFE touches 0xFFFFFFFE, 0xFFFFFFFF, 0, 1 — the way a
 * 32-bit physical bus without A20 tricks would.
 *
 * Values are returned unsigned (read32 yields 0..0xFFFFFFFF); callers that
 * want int32 apply `|0`. None of the access methods allocate or throw.
 */

/** A loader or device tried to place data where no guest RAM exists. */
export class GuestMemoryError extends Error {
  override readonly name = 'GuestMemoryError';
  constructor(
    /** First guest physical address of the rejected range. */
    readonly address: number,
    /** Length of the rejected range in bytes. */
    readonly length: number,
    /** Size of guest RAM in bytes. */
    readonly ramSize: number,
  ) {
    super(
      `guest range 0x${address.toString(16)}..0x${(address + length).toString(16)} ` +
        `(${length} bytes) lies outside guest RAM of 0x${ramSize.toString(16)} bytes`,
    );
  }
}

export const PAGE_SIZE = 4096;

export class PhysicalMemory {
  /** RAM size in bytes; a multiple of 4 KiB. */
  readonly size: number;
  /** Byte view of all of RAM. */
  readonly bytes: Uint8Array;
  /** DataView over all of RAM; use little-endian accessors. */
  readonly view: DataView;

  /** `size` bytes of zeroed RAM, or a second view of `shared` (whose length must be `size`). */
  constructor(size: number, shared?: ArrayBuffer) {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || size > 0x1_0000_0000) {
      throw new RangeError(`guest RAM size must be a positive multiple of 4 KiB up to 4 GiB, got ${size}`);
    }
    if (shared !== undefined && shared.byteLength !== size) {
      throw new RangeError(`a buffer of ${shared.byteLength} bytes cannot be guest RAM of ${size}`);
    }
    this.size = size;
    const buffer = shared ?? new ArrayBuffer(size);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  read8(pa: number): number {
    pa = pa >>> 0;
    return pa < this.size ? this.bytes[pa]! : 0xff;
  }

  read16(pa: number): number {
    pa = pa >>> 0;
    // `size - 2` cannot underflow: size >= 4096.
    if (pa <= this.size - 2) return this.view.getUint16(pa, true);
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }

  read32(pa: number): number {
    pa = pa >>> 0;
    if (pa <= this.size - 4) return this.view.getUint32(pa, true);
    return (
      (this.read8(pa) | (this.read8(pa + 1) << 8) | (this.read8(pa + 2) << 16) | (this.read8(pa + 3) << 24)) >>> 0
    );
  }

  write8(pa: number, value: number): void {
    pa = pa >>> 0;
    if (pa < this.size) this.bytes[pa] = value;
  }

  write16(pa: number, value: number): void {
    pa = pa >>> 0;
    if (pa <= this.size - 2) {
      this.view.setUint16(pa, value, true);
      return;
    }
    this.write8(pa, value);
    this.write8(pa + 1, value >>> 8);
  }

  write32(pa: number, value: number): void {
    pa = pa >>> 0;
    if (pa <= this.size - 4) {
      this.view.setUint32(pa, value >>> 0, true);
      return;
    }
    this.write8(pa, value);
    this.write8(pa + 1, value >>> 8);
    this.write8(pa + 2, value >>> 16);
    this.write8(pa + 3, value >>> 24);
  }

  /** True when [pa, pa+length) lies entirely inside RAM (no wrap-around). */
  contains(pa: number, length: number): boolean {
    return Number.isInteger(pa) && Number.isInteger(length) && pa >= 0 && length >= 0 && pa + length <= this.size;
  }

  /** Copies `data` to guest RAM at `pa`; throws GuestMemoryError if any byte would fall outside RAM. */
  load(pa: number, data: Uint8Array): void {
    if (!this.contains(pa, data.length)) throw new GuestMemoryError(pa, data.length, this.size);
    this.bytes.set(data, pa);
  }

  /** Sets [pa, pa+length) to zero (a loader's bss); throws GuestMemoryError outside RAM. */
  fill(pa: number, length: number, value = 0): void {
    if (!this.contains(pa, length)) throw new GuestMemoryError(pa, length, this.size);
    this.bytes.fill(value, pa, pa + length);
  }

  /** Copies [pa, pa+length) out of guest RAM; throws GuestMemoryError outside RAM. */
  slice(pa: number, length: number): Uint8Array {
    if (!this.contains(pa, length)) throw new GuestMemoryError(pa, length, this.size);
    return this.bytes.slice(pa, pa + length);
  }
}
