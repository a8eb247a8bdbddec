/**
 * The memory-management unit as the rest of btvm sees it: the one place
 * where a guest linear address becomes a machine byte offset.
 *
 * Three address spaces are involved:
 *   linear         what the guest's instructions compute (after segmentation)
 *   guest-physical what the guest's own page tables (CR3) say, or = linear
 *                  when CR0.PG is clear
 *   machine        the byte offset in the host ArrayBuffer that backs RAM
 *                  (machine-map.ts; need not be contiguous)
 *
 * Generated code never calls translate(): it indexes the software TLB's
 * arrays (software-tlb.ts) and calls fillRead/fillWrite on a miss
 * (codegen/paged-memory-access.ts). The VMM's own accesses (descriptor
 * tables, interrupt frames), the instruction fetcher and the translation
 * cache call translate(). Two implementations exist: ShadowMmu (shadow page
 * tables, write-traced guest page tables; default) and NestedMmu (a
 * two-dimensional walk on every TLB miss). Faults are stored in `fault`,
 * never thrown: the callers decide how to leave (generated code jumps to
 * its fault exit, the VMM throws its GuestFault).
 */
import type { SoftwareTlb } from './software-tlb.js';

/** What an access does, as the page walk distinguishes it (exec = read without NX). */
export const enum Access {
  Read = 0,
  Write = 1,
  Exec = 2,
}

/**
 * translate()'s and fill's answers other than a machine offset. translate()
 * returns offsets unsigned (>= 0, up to 3.5 GiB), so its callers test the
 * sign; fillRead/fillWrite return the page's offset as int32 — negative for
 * pages at 2 GiB and above — so generated code tells them apart by the low
 * bits (these codes are not page-aligned, no offset is anything else):
 * see isMachinePage.
 */
export const enum Translation {
  /** A guest-visible #PF: see Mmu.fault. */
  Fault = -1,
  /**
   * No fault, but the access cannot use a machine offset: for translate(),
   * the guest-physical address has no RAM (an MMIO window or open bus:
   * memory/mmio.ts); for fillRead/fillWrite, the MMU has performed the
   * access itself (page crossing, page without RAM, write-traced page) — a
   * read's value is in Mmu.slowValue.
   */
  Done = -2,
  /**
   * fillWrite only: done by the MMU, and the running region must be left
   * after the instruction: the store invalidated it (SMC), or went to a
   * device that may have made an interrupt deliverable.
   */
  DoneInvalidated = -3,
}

/** #PF error-code bits (SDM Vol. 3A, 4.7). */
export const enum PfError {
  Present = 1,
  Write = 2,
  User = 4,
  Reserved = 8,
}

/** The last guest-visible page fault, overwritten by the next one. */
export interface PageFaultInfo {
  /** Always 14 (#PF); kept so callers need not know the vector. */
  vector: number;
  errorCode: number;
  /** The linear address CR2 receives. */
  cr2: number;
}

/** Counters for --stats; every field only grows. */
export interface MmuStatistics {
  /** fillRead/fillWrite calls from generated code (TLB misses, page crossings, traced writes). */
  tlbMisses: number;
  /** Misses the guest's tables allowed but no shadow entry covered (ShadowMmu), or every successful walk (NestedMmu). */
  hiddenPageFaults: number;
  /** Page faults reported to the guest. */
  guestPageFaults: number;
  /** Guest stores into write-traced pages (guest page tables) performed by the slow path. */
  tracedWrites: number;
  /** Shadow entries or tables dropped because a traced write, invlpg or CR3 switch made them stale. */
  shadowFlushes: number;
  /** Whole-TLB clears, both privilege halves (CR3 write, paging mode or CR0.WP change); a privilege change is not one. */
  tlbFlushes: number;
  /** Guest page walks performed. */
  walks: number;
  /** Guest page-table entries read or written by those walks. */
  walkAccesses: number;
  /** Guest-physical → machine lookups (one per table access and one per final address). */
  mapLookups: number;
}

export const newStatistics = (): MmuStatistics => ({
  tlbMisses: 0, hiddenPageFaults: 0, guestPageFaults: 0, tracedWrites: 0, shadowFlushes: 0,
  tlbFlushes: 0, walks: 0, walkAccesses: 0, mapLookups: 0,
});

/** Called for a store into a machine page holding translations; 1 if `region` died (codegen's CodeWriteHook). */
export type MachineCodeWriteHook = (machineAddress: number, size: number, region: unknown) => number;

export interface Mmu {
  /** What generated code indexes: read and write machine page offsets by linear page per privilege class (int32; TLB_MISS = none). */
  readonly tlb: SoftwareTlb;
  readonly fault: PageFaultInfo;
  readonly statistics: MmuStatistics;
  /** Value of the last read performed by fillRead's slow path (Translation.Done). */
  slowValue: number;
  /** Guest-physical address of the last successful translate() (for the translation cache's keys). */
  lastPhysical: number;

  /**
   * Linear → machine offset (unsigned) for `access` at privilege `cpl`, setting A/D
   * bits as the hardware would; Translation.Fault (see `fault`; CR2 is not
   * written) or Translation.Done (no RAM there). Does not fill the TLB.
   */
  translate(linear: number, access: Access, cpl: number): number;
  /**
   * translate(), and on success also the TLB entries of the half of `cpl`
   * (whatever half is selected), as a miss from code at that CPL would
   * install them: the VMM's own accesses (descriptor tables, interrupt
   * frames) then hit the TLB the next time (mmu-linear-memory.ts).
   */
  translateAndFill(linear: number, access: Access, cpl: number): number;
  /**
   * Generated code's miss path for a `size`-byte read at `linear`: the
   * page's machine offset as int32 (now in the TLB), Translation.Fault (CR2 written,
   * `fault` holds the error code), or Translation.Done (value in slowValue).
   */
  fillRead(linear: number, size: number): number;
  /**
   * Miss path for a store of `value`: the page's machine offset as int32 (generated
   * code stores and checks SMC itself), Fault, or Done/DoneInvalidated when
   * the MMU performed the store (page crossing, unbacked, write-traced).
   */
  fillWrite(linear: number, size: number, value: number, region: unknown): number;
  /** 0 when a `size`-byte store at `linear` would not fault; else Fault (CR2 written), storing nothing. */
  probeWrite(linear: number, size: number): number;
  onCr3Write(): void;
  onInvlpg(linear: number): void;
  /** After CR0 or CR4 changed: paging on/off, WP, PSE. */
  onCr0Cr4Write(): void;
  /** After cpu.cpl changed (interrupt delivery, iret, far transfers, sysenter/sysexit): selects the TLB half, flushes nothing. */
  onCplChange(): void;
  /**
   * Something other than translated code wrote guest RAM at guest-physical
   * `physical` (the VMM, a loader, a device): keeps write-traced structures
   * coherent. Generated code's stores never need this.
   */
  onPhysicalWrite(physical: number, length: number): void;
}

/** Whether fillRead/fillWrite's answer `r` is a machine page offset (int32, page-aligned) rather than a Translation code. */
export const isMachinePage = (r: number): boolean => (r & 0xfff) === 0;

export const CR0_WP = 1 << 16;
export const CR0_PG = 1 << 31;
export const CR4_PSE = 1 << 4;
