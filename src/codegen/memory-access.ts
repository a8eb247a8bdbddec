/**
 * How generated code reaches guest memory: the JS emitted for `load` and
 * `store`, and the closure constants that code needs.
 *
 * This is the only file that knows how a linear address becomes a place in
 * the host ArrayBuffer. Today paging is off, so linear = physical. With
 * paging, a software-TLB emitter implementing the same MemoryEmitter
 * interface (linear page → machine offset arrays, a miss calling the MMU,
 * which may deliver #PF and make the access leave the region) replaces this
 * one without the rest of codegen changing.
 *
 * Fast paths, one test each (bench/memory-access.bench.ts measures them):
 *   load   aligned and below the end of RAM → one typed-array read; when
 *          the RAM size is a power of two (the default 128 MiB is), both
 *          conditions are one mask test: the address has no bit set above
 *          the RAM size and none below the access size (matmul, whose inner
 *          loop is two loads and a store: whole-process CPU 0.91× of the two
 *          compares, median of 5 A/B pairs; folding a store's alignment into
 *          its page-mark test the same way was 1.08×, so stores keep two)
 *   store  aligned and its page's mark is 0 → one typed-array write
 * The per-page mark array is shared with the translation cache
 * (cache/code-pages.ts): bit 0 says the page holds translated code, bit 1
 * (set here) that the page is not RAM. Everything else — unaligned, beyond
 * RAM, straddling its end, or a store into a code page — goes to an
 * out-of-line slow function (which also reaches the MMIO windows above RAM,
 * memory/mmio.ts). A slow store into a code page calls the cache's
 * invalidation, which answers whether the running region itself died; the
 * emitted code ORs that into the local `inv`, which the block emitter tests
 * at the end of the instruction (when its state is complete) to leave the
 * region with EIP at the next instruction.
 */
import type { MemSize } from '../ir/types.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { MmioMap } from '../memory/mmio.js';

/** Names the emitted memory code expects in scope, with the values to bind them to. */
export interface MemoryBindings {
  readonly names: readonly string[];
  readonly values: readonly unknown[];
}

export interface MemoryEmitter {
  /**
   * Statements that define `const dst` as the zero-extended value at linear
   * `addr` (a JS int32 expression). `faultExit` is what to run when the
   * access faults (an emitter with an MMU sets rv/re first): it leaves the
   * region with the state as before the instruction and EIP at it.
   */
  load(size: MemSize, dst: string, addr: string, scratch: string, faultExit?: string): string;
  /** Statements that store `value` (int32 expression) at `addr` and note code-page hits in `inv`. */
  store(size: MemSize, addr: string, value: string, scratch: string, faultExit?: string): string;
  /**
   * Statements that take `faultExit` unless a `size`-byte store at `addr`
   * would succeed, storing nothing: emitted before the first store of an
   * instruction that stores several times (store-probes.ts). Absent when
   * stores cannot fault (no MMU).
   */
  probeStore?(size: MemSize, addr: string, scratch: string, faultExit?: string): string;
  /** Closure constants (the code above refers to them by name). */
  bindings(): MemoryBindings;
  /**
   * A variant whose accesses are calls to shared functions: shorter source,
   * slower once optimised — for regions not yet hot (paged-memory-access.ts).
   * Same bindings. Absent when the inline form is short already.
   */
  readonly compact?: MemoryEmitter;
}

/** Called on a store into a page holding translations: invalidates what it overlaps; 1 if `region` died. */
export type CodeWriteHook = (address: number, size: number, region: unknown) => number;

/** The mark bit this emitter sets on pages that are not guest RAM. */
export const NOT_RAM_MARK = 2;

/**
 * Out-of-line accesses: everything the fast paths decline. Monomorphic,
 * allocation-free. An access that starts at or above the end of RAM goes
 * to the machine's MMIO windows (memory/mmio.ts: the local APIC); a store
 * there answers 1, like a store that invalidated the region, when the
 * device wants the region left so that the event service runs.
 */
export class SlowMemoryPath {
  private readonly ramEnd: number;

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly marks: Uint8Array,
    private readonly codeWrite: CodeWriteHook,
    private readonly mmio: MmioMap | null = null,
  ) {
    // Without windows, PhysicalMemory's own open-bus answer stands everywhere.
    this.ramEnd = mmio === null ? Infinity : mem.size;
  }

  load8(a: number): number {
    return a < this.ramEnd ? this.mem.read8(a) : this.mmio!.read(a, 1);
  }
  load16(a: number): number {
    return a < this.ramEnd ? this.mem.read16(a) : this.mmio!.read(a, 2);
  }
  load32(a: number): number {
    return (a < this.ramEnd ? this.mem.read32(a) : this.mmio!.read(a, 4)) | 0;
  }

  /** The store, then the code-page check over both ends of it; returns 1 if `region` must be left. */
  store8(a: number, v: number, region: unknown): number {
    if (a >= this.ramEnd) return this.mmio!.write(a, 1, v & 0xff) !== 0 ? 1 : 0;
    this.mem.write8(a, v);
    return this.marks[a >>> 12]! & 1 ? this.codeWrite(a, 1, region) : 0;
  }
  store16(a: number, v: number, region: unknown): number {
    if (a >= this.ramEnd) return this.mmio!.write(a, 2, v & 0xffff) !== 0 ? 1 : 0;
    this.mem.write16(a, v);
    return (this.marks[a >>> 12]! | this.marks[((a + 1) >>> 0) >>> 12]!) & 1 ? this.codeWrite(a, 2, region) : 0;
  }
  store32(a: number, v: number, region: unknown): number {
    if (a >= this.ramEnd) return this.mmio!.write(a, 4, v >>> 0) !== 0 ? 1 : 0;
    this.mem.write32(a, v);
    return (this.marks[a >>> 12]! | this.marks[((a + 3) >>> 0) >>> 12]!) & 1 ? this.codeWrite(a, 4, region) : 0;
  }
}

/** Paging off: linear = physical, direct typed-array access. */
export class PhysicalMemoryEmitter implements MemoryEmitter {
  private readonly u16: Uint16Array;
  private readonly i32: Int32Array;
  private readonly slow: SlowMemoryPath;
  /** RAM size is a power of two: loads test alignment and bounds with one mask (OUT2, OUT4). */
  private readonly maskable: boolean;

  constructor(
    private readonly mem: PhysicalMemory,
    /** Per-4-KiB-page marks shared with the cache (bit 0: code); this emitter adds NOT_RAM_MARK. */
    private readonly marks: Uint8Array,
    codeWrite: CodeWriteHook,
    /** Device windows above RAM (the machine's); none: beyond RAM is open bus. */
    mmio: MmioMap | null = null,
  ) {
    const buf = mem.bytes.buffer;
    this.u16 = new Uint16Array(buf, mem.bytes.byteOffset, mem.size >>> 1);
    this.i32 = new Int32Array(buf, mem.bytes.byteOffset, mem.size >>> 2);
    for (let p = mem.size >>> 12; p < marks.length; p++) marks[p] |= NOT_RAM_MARK;
    this.slow = new SlowMemoryPath(mem, marks, codeWrite, mmio);
    this.maskable = (mem.size & (mem.size - 1)) === 0;
  }

  bindings(): MemoryBindings {
    return {
      names: ['U8', 'U16', 'I32', 'PM', 'SLOW', 'LIM1', 'LIM2', 'LIM4', 'OUT2', 'OUT4'],
      values: [
        this.mem.bytes, this.u16, this.i32, this.marks, this.slow, this.mem.size - 1, this.mem.size - 2, this.mem.size - 4,
        ~(this.mem.size - 1) | 1, ~(this.mem.size - 1) | 3,
      ],
    };
  }

  load(size: MemSize, dst: string, addr: string, m: string): string {
    const head = `const ${m} = ${addr} >>> 0;\n`;
    switch (size) {
      case 1: return head + `const ${dst} = ${m} <= LIM1 ? U8[${m}] : SLOW.load8(${m});`;
      case 2: return head + `const ${dst} = ${this.maskable ? `(${m} & OUT2) === 0` : `(${m} & 1) === 0 && ${m} <= LIM2`} ? U16[${m} >>> 1] : SLOW.load16(${m});`;
      case 4: return head + `const ${dst} = ${this.maskable ? `(${m} & OUT4) === 0` : `(${m} & 3) === 0 && ${m} <= LIM4`} ? I32[${m} >>> 2] : SLOW.load32(${m});`;
    }
  }

  store(size: MemSize, addr: string, value: string, m: string): string {
    const head = `const ${m} = ${addr} >>> 0;\n`;
    switch (size) {
      case 1: return head + `if (PM[${m} >>> 12] === 0) U8[${m}] = ${value}; else inv |= SLOW.store8(${m}, ${value}, REGION);`;
      case 2: return head + `if ((${m} & 1) === 0 && PM[${m} >>> 12] === 0) U16[${m} >>> 1] = ${value}; else inv |= SLOW.store16(${m}, ${value}, REGION);`;
      case 4: return head + `if ((${m} & 3) === 0 && PM[${m} >>> 12] === 0) I32[${m} >>> 2] = ${value}; else inv |= SLOW.store32(${m}, ${value}, REGION);`;
    }
  }
}
