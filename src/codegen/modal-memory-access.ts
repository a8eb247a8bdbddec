/**
 * The memory emitter of a machine with an MMU: per region, the cheaper of
 * the two emitters that is correct for it.
 *
 * PagedMemoryEmitter is correct in every mode (with paging off the MMU
 * fills identity TLB entries), but its software-TLB lookup costs a load and
 * a branch more per access than PhysicalMemoryEmitter's bounds test, which
 * shows on memory-bound guests (fixtures/bench/sieve.elf runs about 25-40%
 * slower). So regions translated while CR0.PG is clear, on an identity
 * machine map, get the physical emitter; everything else gets the paged
 * one. CR0.PG is part of the translation mode word (state/mode.ts), and a
 * region is only ever translated for the mode the CPU is in (the
 * dispatcher translates on a miss under the current mode, and mov cr0
 * leaves translated code), so reading the CPU's CR0 while generating is
 * reading the region's mode.
 *
 * Both emitters' bindings are bound into every region (disjoint names, or
 * the same views of the same RAM under the same name), so one factory
 * signature serves both kinds of region.
 */
import type { MemSize } from '../ir/types.js';
import type { MemoryBindings, MemoryEmitter } from './memory-access.js';
import type { PagedMemoryEmitter } from './paged-memory-access.js';

export class ModalMemoryEmitter implements MemoryEmitter {
  private readonly compactForm: MemoryEmitter;

  constructor(
    private readonly physical: MemoryEmitter,
    private readonly paged: PagedMemoryEmitter,
    /** True when the region being generated must use the paged emitter (paging on, or scattered RAM). */
    private readonly needsPaging: () => boolean,
    /** What paged regions get: the paged emitter itself, or (for `compact`) its compact form. */
    private readonly pagedForm: MemoryEmitter = paged,
  ) {
    this.compactForm = pagedForm === paged ? new ModalMemoryEmitter(physical, paged, needsPaging, paged.compact) : this;
  }

  /**
   * The same choice with the paged emitter's compact form, for kernel code
   * only; itself when the region gets the physical emitter, whose inline
   * text is short already, and for user code (so a region's
   * RegionCode.compactMemory says whether calls were emitted). A kernel
   * runs thousands of regions a few hundred times each, mostly unoptimised,
   * where calls are cheaper; user programs are mostly short hot loops, where
   * the calls lasted until the hot recompile and cost more than they saved
   * (the Debian init's awk 1.27x, md5sum and gzip 1.33x wall, run side by
   * side with the inline build; its fork loop, mostly kernel, 0.58x).
   */
  get compact(): MemoryEmitter {
    return this.needsPaging() && !this.paged.forUser() ? this.compactForm : this;
  }

  private current(): MemoryEmitter {
    return this.needsPaging() ? this.pagedForm : this.physical;
  }

  load(size: MemSize, dst: string, addr: string, scratch: string, faultExit?: string): string {
    return this.current().load(size, dst, addr, scratch, faultExit);
  }

  store(size: MemSize, addr: string, value: string, scratch: string, faultExit?: string): string {
    return this.current().store(size, addr, value, scratch, faultExit);
  }

  /** The paged emitter's probe; nothing when paging is off (stores there cannot fault). */
  probeStore(size: MemSize, addr: string, scratch: string, faultExit?: string): string {
    return this.needsPaging() ? this.paged.probeStore(size, addr, scratch, faultExit) : '';
  }

  bindings(): MemoryBindings {
    const a = this.physical.bindings(), b = this.paged.bindings();
    const names = [...a.names], values = [...a.values];
    b.names.forEach((n, i) => {
      if (names.includes(n)) return; // U8/U16/I32: views of the same machine memory
      names.push(n);
      values.push(b.values[i]);
    });
    return { names, values };
  }
}
