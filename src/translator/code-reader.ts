/**
 * The translator's view of guest code bytes: a CodeFetcher (what the lifter
 * reads through) over guest physical memory, plus the linear → physical
 * mapping the cache keys and invalidation ranges use.
 *
 * Paging is off for now, so linear = physical. With paging, this is where a
 * page walk (without side effects; a miss means the lifter sees fewer bytes
 * and emits #PF) slots in.
 */
import type { CodeFetcher } from '../lift/code-fetcher.js';
import type { PhysicalMemory } from '../vmm/memory/physical-memory.js';

export interface CodeSpace extends CodeFetcher {
  /** Physical address of linear address `linear` (for cache keys and code pages). */
  physical(linear: number): number;
}

export class PhysicalCodeSpace implements CodeSpace {
  constructor(private readonly mem: PhysicalMemory) {}

  read(linear: number, into: Uint8Array): number {
    const pa = linear >>> 0;
    if (pa >= this.mem.size) return 0;
    const n = Math.min(into.length, this.mem.size - pa);
    into.set(this.mem.bytes.subarray(pa, pa + n));
    return n;
  }

  physical(linear: number): number {
    return linear >>> 0;
  }
}
