/**
 * What the x87 unit needs from the rest of the machine, as two small
 * interfaces the VMM binds: guest memory by linear address, and the few
 * pieces of CPU state x87 instructions touch (EFLAGS for fcmovcc/fcomi, AX
 * for fnstsw ax, segment selectors for the FPU's instruction and data
 * pointers).
 *
 * Faults: a memory access that must fault (#PF, #GP from a check the memory
 * layer makes) throws whatever typed fault the memory layer uses (the VMM's
 * GuestFault); the unit never catches it. The unit performs every read, and
 * `checkWrite` for every store, before it changes any FPU state or writes
 * anything, so a throw leaves the FPU and memory as they were before the
 * instruction: the fault is precise.
 */

export interface FpuMemory {
  /** Unsigned 8/16/32-bit reads at a linear address; may throw the memory layer's fault. */
  read8(la: number): number;
  read16(la: number): number;
  read32(la: number): number;
  write8(la: number, v: number): void;
  write16(la: number, v: number): void;
  write32(la: number, v: number): void;
  /**
   * Throws the fault a write of `length` bytes at `la` would raise (page not
   * present or read-only, in every page the range touches), else returns
   * and the writes that follow cannot fault.
   */
  checkWrite(la: number, length: number): void;
}

/** EFLAGS bits the x87 reads and writes. */
export const EFLAGS_CF = 0x001;
export const EFLAGS_PF = 0x004;
export const EFLAGS_AF = 0x010;
export const EFLAGS_ZF = 0x040;
export const EFLAGS_SF = 0x080;
export const EFLAGS_OF = 0x800;

export interface FpuCpuLink {
  /** EFLAGS as the guest would see it now; fcmovcc reads CF, ZF and PF. */
  eflags(): number;
  /** fcomi/fucomi and the p forms: ZF, PF, CF as given (EFLAGS_* bits); OF, SF and AF cleared. */
  setCompareFlags(zfPfCf: number): void;
  /** fnstsw ax. */
  setAx(v: number): void;
  /** The selector in segment register `seg` (0 es 1 cs 2 ss 3 ds 4 fs 5 gs), for FCS and FDS. */
  selector(seg: number): number;
}
