/**
 * The model-specific registers that hold a value (msr.ts is the rdmsr and
 * wrmsr routines over them): 64-bit values kept as two uint32 halves per
 * MSR number, with their values at reset.
 *
 * Which MSRs keep what is written, and what they hold at reset, is QEMU
 * 7.2's TCG (target/i386/tcg/sysemu/misc_helper.c, helper_rdmsr and
 * helper_wrmsr; values read under qemu-system-i386 by fixtures/system/msr.c):
 * PAT and MISC_ENABLE reset to the values below, every MTRR, MCG_STATUS and
 * STAR keep any value (QEMU checks nothing), the rest read 0.
 */

/** IA32_PAT at reset: WB, WT, UC-, UC in both halves (SDM Vol. 3A, 13.12.4). */
export const PAT_RESET = [0x00070406, 0x00070406] as const;
/** IA32_MISC_ENABLE at reset under QEMU: fast-string operations enabled (bit 0). */
export const MISC_ENABLE_RESET = 1;

export class MsrFile {
  private readonly lo = new Map<number, number>();
  private readonly hi = new Map<number, number>();

  constructor() {
    this.set(0x277, PAT_RESET[0], PAT_RESET[1]);
    this.set(0x1a0, MISC_ENABLE_RESET, 0);
  }

  /** Low half of MSR `msr` (0 if never written). */
  low(msr: number): number {
    return this.lo.get(msr) ?? 0;
  }

  /** High half of MSR `msr` (0 if never written). */
  high(msr: number): number {
    return this.hi.get(msr) ?? 0;
  }

  set(msr: number, low: number, high: number): void {
    this.lo.set(msr, low >>> 0);
    this.hi.set(msr, high >>> 0);
  }
}
