/**
 * What the SIMD unit needs from the CPU beyond the x87 unit it shares
 * (whose FpuMemory port it uses for guest memory): the general registers
 * (movd r32, pmovmskb, cvtss2si… and maskmov's EDI is the lifter's) and
 * EFLAGS for comiss/ucomiss. The VMM binds it (vmm/simd-bindings.ts); the
 * monitor has written the guest registers back to CpuState before the
 * unit runs and reloads them after, so these are plain reads and writes.
 */
export interface SimdCpuLink {
  /** 32-bit general register n (0 eax … 7 edi). */
  gpr(n: number): number;
  setGpr(n: number, v: number): void;
  /** ZF, PF, CF as given (EFLAGS bit positions); OF, SF and AF cleared. */
  setCompareFlags(zfPfCf: number): void;
}
