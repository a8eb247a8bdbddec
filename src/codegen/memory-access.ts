/**
 * How generated code reaches guest memory: the JS emitted for `load` and
 * `store`, and the closure constants that code needs.
 *
 * This is the only file that knows how a linear address becomes a place in
 * the host ArrayBuffer. Today paging is off, so linear = physical and the
 * fast path indexes PhysicalMemory's buffer directly after one bounds check;
 * anything outside RAM (or straddling its end) takes PhysicalMemory's slow
 * path (reads 0xFF, drops writes). With paging, a software-TLB emitter
 * implementing the same MemoryEmitter interface (linear page → machine
 * offset arrays, a miss calling the MMU, which may deliver #PF and make the
 * access leave the region) replaces this one without the rest of codegen
 * changing.
 *
 * Stores also watch for self-modifying code: a per-4-KiB-page byte array
 * (cache/code-pages.ts) says which physical pages hold translated code; a
 * store that touches one calls the cache's invalidation, which answers
 * whether the running region itself died. The emitted code ORs that answer
 * into the local `inv`, which the block emitter tests at the end of the
 * instruction (state is then complete) to leave the region with EIP at the
 * next instruction.
 *
 * Aligned accesses use Int32Array/Uint16Array (measured in
 * bench/memory-access.bench.ts); unaligned ones use the little-endian
 * DataView accessors, which V8 inlines.
 */
import type { MemSize } from '../ir/types.js';
import type { PhysicalMemory } from '../vmm/memory/physical-memory.js';

/** Names the emitted memory code expects in scope, with the values to bind them to. */
export interface MemoryBindings {
  readonly names: readonly string[];
  readonly values: readonly unknown[];
}

export interface MemoryEmitter {
  /** Statements that define `const dst` as the zero-extended value at linear `addr` (a JS int32 expression). */
  load(size: MemSize, dst: string, addr: string, scratch: string): string;
  /** Statements that store `value` (int32 expression) at `addr` and note code-page hits in `inv`. */
  store(size: MemSize, addr: string, value: string, scratch: string): string;
  /** Closure constants (the code above refers to them by name). */
  bindings(): MemoryBindings;
}

/** Called on a store into a page holding translations: invalidates what it overlaps; 1 if `region` died. */
export type CodeWriteHook = (address: number, size: number, region: unknown) => number;

/** Paging off: linear = physical, direct typed-array access with a bounds check. */
export class PhysicalMemoryEmitter implements MemoryEmitter {
  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly i32: Int32Array;

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly codePages: Uint8Array,
    private readonly codeWrite: CodeWriteHook,
    /** Use Int32Array/Uint16Array for aligned accesses (else DataView throughout). */
    private readonly alignedFastPath = true,
  ) {
    const buf = mem.bytes.buffer;
    this.u8 = mem.bytes;
    this.u16 = new Uint16Array(buf, mem.bytes.byteOffset, mem.size >>> 1);
    this.i32 = new Int32Array(buf, mem.bytes.byteOffset, mem.size >>> 2);
  }

  bindings(): MemoryBindings {
    return {
      names: ['U8', 'U16', 'I32', 'DV', 'MEM', 'CP', 'SMC', 'LIM1', 'LIM2', 'LIM4'],
      values: [this.u8, this.u16, this.i32, this.mem.view, this.mem, this.codePages, this.codeWrite,
        this.mem.size - 1, this.mem.size - 2, this.mem.size - 4],
    };
  }

  load(size: MemSize, dst: string, addr: string, m: string): string {
    const head = `const ${m} = ${addr} >>> 0;\n`;
    switch (size) {
      case 1:
        return head + `const ${dst} = ${m} <= LIM1 ? U8[${m}] : MEM.read8(${m});`;
      case 2:
        return head + `const ${dst} = ${m} <= LIM2 ? ${this.aligned(m, 1, `U16[${m} >>> 1]`, `DV.getUint16(${m}, true)`)} : MEM.read16(${m});`;
      case 4:
        return head + `const ${dst} = ${m} <= LIM4 ? ${this.aligned(m, 3, `I32[${m} >>> 2]`, `DV.getInt32(${m}, true)`)} : MEM.read32(${m}) | 0;`;
    }
  }

  store(size: MemSize, addr: string, value: string, m: string): string {
    const head = `const ${m} = ${addr} >>> 0;\n`;
    let write: string;
    switch (size) {
      case 1:
        write = `if (${m} <= LIM1) U8[${m}] = ${value}; else MEM.write8(${m}, ${value});`;
        break;
      case 2:
        write = `if (${m} <= LIM2) ${this.alignedStmt(m, 1, `U16[${m} >>> 1] = ${value};`, `DV.setUint16(${m}, ${value}, true);`)} else MEM.write16(${m}, ${value});`;
        break;
      case 4:
        write = `if (${m} <= LIM4) ${this.alignedStmt(m, 3, `I32[${m} >>> 2] = ${value};`, `DV.setInt32(${m}, ${value}, true);`)} else MEM.write32(${m}, ${value});`;
        break;
    }
    // Both ends' pages: a store may straddle into a page that holds code.
    const pages = size === 1 ? `CP[${m} >>> 12]` : `(CP[${m} >>> 12] | CP[((${m} + ${size - 1}) >>> 0) >>> 12])`;
    return `${head}${write}\nif (${pages} !== 0) inv |= SMC(${m}, ${size}, REGION);`;
  }

  private aligned(m: string, mask: number, fast: string, slow: string): string {
    return this.alignedFastPath ? `((${m} & ${mask}) === 0 ? ${fast} : ${slow})` : slow;
  }

  private alignedStmt(m: string, mask: number, fast: string, slow: string): string {
    return this.alignedFastPath ? `{ if ((${m} & ${mask}) === 0) ${fast} else ${slow} }` : `{ ${slow} }`;
  }
}
