/**
 * The translator's view of guest code bytes: a CodeFetcher (what the lifter
 * reads through) over guest physical memory, plus the linear → physical
 * mapping the cache keys and invalidation ranges use.
 *
 * PhysicalCodeSpace: no MMU, linear = physical. MmuCodeSpace: fetches
 * through the MMU (Access.Exec at the current CPL; a page that faults ends
 * the bytes there, so the lifter emits #PF), and names code by its *machine*
 * address — the one-to-one image of the guest-physical address under the
 * machine map (identical without --scatter-memory). Cache keys, code-page
 * marks and invalidation ranges are then all machine addresses, which is
 * what the paged memory emitter's stores report: a store through any
 * virtual alias of a code page finds the translations of that page.
 */
import type { CodeFetcher } from '../lift/code-fetcher.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { CpuState } from '../state/state.js';
import { Access, Translation, type Mmu } from '../mmu/mmu.js';
import { TLB_MISS } from '../mmu/software-tlb.js';
import type { GuestPhysicalMemory } from '../memory/guest-physical-memory.js';

export interface CodeSpace extends CodeFetcher {
  /** Physical address of linear address `linear` (for cache keys and code pages). */
  physical(linear: number): number;
}

export class PhysicalCodeSpace implements CodeSpace {
  constructor(private readonly mem: PhysicalMemory) {}

  /**
   * Paging off: every linear address is fetchable. Beyond RAM the bus reads
   * all ones (as PhysicalMemory's data reads do), and addresses wrap at
   * 4 GiB, so code running off the end of RAM decodes 0xff bytes (#UD)
   * instead of looking unfetchable (which only paging can make it).
   */
  read(linear: number, into: Uint8Array): number {
    const pa = linear >>> 0;
    const size = this.mem.size, bytes = this.mem.bytes;
    if (pa + into.length <= size) {
      into.set(bytes.subarray(pa, pa + into.length));
      return into.length;
    }
    for (let i = 0; i < into.length; i++) {
      const at = (pa + i) >>> 0;
      into[i] = at < size ? bytes[at]! : 0xff;
    }
    return into.length;
  }

  physical(linear: number): number {
    return linear >>> 0;
  }
}

/** Where code whose fetch faults is filed: no machine address is this high (RAM <= 3.5 GiB). */
export const UNMAPPED_CODE = 0xffff_f000;

export class MmuCodeSpace implements CodeSpace {
  constructor(private readonly mmu: Mmu, private readonly cpu: CpuState, private readonly mem: GuestPhysicalMemory) {}

  read(linear: number, into: Uint8Array): number {
    const bytes = this.mem.machine.bytes;
    let done = 0;
    while (done < into.length) {
      const at = (linear + done) | 0;
      const m = this.machinePage(at);
      if (m === Translation.Fault) break;
      const n = Math.min(into.length - done, 4096 - (at & 0xfff));
      // No RAM behind the page: the bus reads all ones.
      if (m === Translation.Done) into.fill(0xff, done, done + n);
      else into.set(bytes.subarray(m + (at & 0xfff), m + (at & 0xfff) + n), done);
      done += n;
    }
    return done;
  }

  physical(linear: number): number {
    const m = this.machinePage(linear | 0);
    if (m >= 0) return m + (linear & 0xfff);
    return m === Translation.Fault ? UNMAPPED_CODE : (UNMAPPED_CODE | (linear & 0xfff)) >>> 0;
  }

  /**
   * Machine offset of the page of `linear` for a fetch, or a Translation
   * code. The software TLB answers first: its read entries are exactly the
   * pages readable (so executable: no NX) at the current privilege class,
   * already walked (A set) — most lookups then cost no walk. Machine
   * offsets reach 3.5 GiB: the answer is unsigned, formed without int32
   * bit operations (TLB entries are int32, negative from 2 GiB up).
   */
  private machinePage(linear: number): number {
    const hit = this.mmu.tlb.read[linear >>> 12]!;
    if (hit !== TLB_MISS) return hit >>> 0;
    const m = this.mmu.translate(linear, Access.Exec, this.cpu.cpl);
    return m >= 0 ? m - (m & 0xfff) : m;
  }
}
