/**
 * The IA-32 page walk without PAE (SDM Vol. 3A, 4.3 and 4.6): CR3 → page
 * directory → page table → 4 KiB page, or page directory → 4 MiB page when
 * CR4.PSE and PDE.PS are both set.
 *
 * Rules implemented, as the SDM states them and QEMU's walker applies them:
 *   - An entry with P=0 faults (error code P=0). PDE.PS with CR4.PSE clear
 *     is ignored: the PDE references a page table (no reserved-bit fault).
 *   - A 4 MiB PDE's bits 21:13 are physical bits 39:32 (PSE-36) or reserved,
 *     as CPUID says (SDM Table 4-4: bits 21:(M-19) are reserved, M being 32
 *     without PSE-36 and min(40, MAXPHYADDR) with it). Our CPUID is QEMU
 *     qemu32's (state/cpu-model.ts): CPUID.01H:EDX.PSE-36 [bit 17] = 0, so M = 32
 *     and all of bits 21:13 are reserved; a 4 MiB page lies below 4 GiB.
 *     A reserved bit set → #PF with RSVD and P (SDM 4.7: reserved bits are
 *     checked only in present entries, so RSVD implies P; QEMU 7.2 reports
 *     RSVD without P, and treats bits 20:13 as PSE-36 even for qemu32).
 *     4 KiB entries of 32-bit paging have no reserved bits (bit 7 of a PTE
 *     is PAT, which CPUID advertises).
 *   - Rights combine over both levels: a user access (CPL 3) needs U/S=1 in
 *     both, a user write R/W=1 in both; a supervisor write needs R/W=1 in
 *     both only when CR0.WP is set; reads and fetches (no NX here) need
 *     nothing more than presence for the supervisor.
 *   - Accessed flags: a PDE that references a page table gets A as soon as
 *     the walk passes through it (even if the PTE then faults); the final
 *     entry gets A, and D on a write, only when the access is allowed.
 *   - Error code: P (the failing entry was present), W/R (a write), U/S
 *     (CPL 3), RSVD. CR2 is the caller's business.
 *
 * Tables are read from guest-physical memory through the machine map, so a
 * table pointer beyond RAM reads 0xFFFFFFFF (open bus) and produces either
 * a reserved-bit fault or a translation to a page without RAM — never a
 * host exception. Results are left in fields to avoid allocating per walk.
 */
import type { GuestPhysicalMemory } from '../memory/guest-physical-memory.js';
import { cpuidLeaf } from '../state/cpu-model.js';
import { Access, CR0_WP, CR4_PSE, PfError } from './mmu.js';

export const PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 0x20, PTE_D = 0x40, PDE_PS = 0x80;

const CPUID_PSE36 = 1 << 17, CPUID_PAE = 1 << 6;

/**
 * Reserved bits of a 4 MiB PDE for a CPU whose CPUID leaf 1 EDX is `edx`
 * and whose highest extended leaf is `maxExtended` (leaf 0x80000008 EAX[7:0]
 * = `physicalBits` when present): bits 21:(M-19) of SDM Table 4-4.
 */
export function largePageReservedMask(edx: number, maxExtended: number, physicalBits: number): number {
  if ((edx & CPUID_PSE36) === 0) return 0x003fe000; // M = 32: bits 21:13
  // MAXPHYADDR without leaf 0x80000008: 36 (PAE or PSE-36 is present here).
  const maxPhysical = maxExtended >>> 0 >= 0x80000008 ? physicalBits : (edx & (CPUID_PAE | CPUID_PSE36)) !== 0 ? 36 : 32;
  const m = Math.min(40, maxPhysical);
  return (0x003fffff & ~((1 << (m - 19)) - 1)) >>> 0;
}

/** What the walker treats as reserved in a 4 MiB PDE: derived from the CPUID the guest sees. */
export const PDE_LARGE_RESERVED = largePageReservedMask(cpuidLeaf(1, 0)[3], cpuidLeaf(0x80000000, 0)[0], cpuidLeaf(0x80000008, 0)[0] & 0xff);
/** PDE bits 20:13 that supply physical address bits 39:32 (zero without PSE-36). */
const PDE_PSE36_BITS = 0x001fe000 & ~PDE_LARGE_RESERVED;

/** Does a translation with combined rights `rights` (PTE_RW | PTE_US bits) allow this access? */
export function rightsAllow(rights: number, access: Access, cpl: number, cr0: number): boolean {
  if (cpl === 3) {
    if ((rights & PTE_US) === 0) return false;
    return access !== Access.Write || (rights & PTE_RW) !== 0;
  }
  return access !== Access.Write || (rights & PTE_RW) !== 0 || (cr0 & CR0_WP) === 0;
}

export class PageWalker {
  /** Guest-physical address of the translated byte (may exceed 2^32 through PSE-36 bits). */
  physical = 0;
  /** Guest-physical page number of the translated byte (physical / 4096). */
  physicalPage = 0;
  /** PTE_RW | PTE_US as combined over the levels, PTE_D of the final entry, PDE_PS for a 4 MiB page. */
  flags = 0;
  /** #PF error code when walk() returned false. */
  errorCode = 0;
  /** Guest-physical address of the PDE used, and of the PTE (-1 for a 4 MiB page). */
  pdeAddress = 0;
  pteAddress = -1;
  /** Table entries read and written by the last walk. */
  accesses = 0;

  constructor(readonly mem: GuestPhysicalMemory) {}

  /**
   * Walks for `access` at `cpl`; true on success (results in the fields).
   * With `commit` false the walk sets no A/D bits (a probe: tests, debuggers).
   */
  walk(linear: number, access: Access, cpl: number, cr0: number, cr3: number, cr4: number, commit = true): boolean {
    const mem = this.mem;
    const write = access === Access.Write;
    const userBit = cpl === 3 ? PfError.User : 0;
    const writeBit = write ? PfError.Write : 0;
    const pdeAddress = ((cr3 & 0xfffff000) | ((linear >>> 20) & 0xffc)) >>> 0;
    this.pdeAddress = pdeAddress;
    this.pteAddress = -1;
    const pde = mem.read32(pdeAddress);
    let accesses = 1;
    if ((pde & PTE_P) === 0) {
      this.accesses = accesses;
      this.errorCode = writeBit | userBit;
      return false;
    }
    if ((pde & PDE_PS) !== 0 && (cr4 & CR4_PSE) !== 0) {
      this.accesses = accesses;
      if ((pde & PDE_LARGE_RESERVED) !== 0) {
        this.errorCode = PfError.Present | PfError.Reserved | writeBit | userBit;
        return false;
      }
      const rights = pde & (PTE_RW | PTE_US);
      if (!rightsAllow(rights, access, cpl, cr0)) {
        this.errorCode = PfError.Present | writeBit | userBit;
        return false;
      }
      const set = write ? PTE_A | PTE_D : PTE_A;
      if (commit && (pde & set) !== set) {
        mem.write32(pdeAddress, pde | set);
        this.accesses = accesses + 1;
      }
      // Bits 31:22 of the frame, and 39:32 from PDE bits 20:13 when PSE-36 is advertised.
      const high = (pde & PDE_PSE36_BITS) >>> 13;
      this.physicalPage = high * 0x100000 + ((pde >>> 12) & 0xffc00) + ((linear >>> 12) & 0x3ff);
      this.physical = this.physicalPage * 4096 + (linear & 0xfff);
      this.flags = rights | PDE_PS | ((commit ? pde | set : pde) & PTE_D);
      return true;
    }
    if (commit && (pde & PTE_A) === 0) {
      mem.write32(pdeAddress, pde | PTE_A);
      accesses++;
    }
    const pteAddress = ((pde & 0xfffff000) | ((linear >>> 10) & 0xffc)) >>> 0;
    this.pteAddress = pteAddress;
    const pte = mem.read32(pteAddress);
    accesses++;
    if ((pte & PTE_P) === 0) {
      this.accesses = accesses;
      this.errorCode = writeBit | userBit;
      return false;
    }
    const rights = pde & pte & (PTE_RW | PTE_US);
    if (!rightsAllow(rights, access, cpl, cr0)) {
      this.accesses = accesses;
      this.errorCode = PfError.Present | writeBit | userBit;
      return false;
    }
    const set = write ? PTE_A | PTE_D : PTE_A;
    let final = pte;
    if (commit && (pte & set) !== set) {
      final = pte | set;
      mem.write32(pteAddress, final);
      accesses++;
    }
    this.accesses = accesses;
    this.physicalPage = pte >>> 12;
    this.physical = ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0;
    this.flags = rights | (final & PTE_D);
    return true;
  }
}
