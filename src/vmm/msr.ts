/**
 * rdmsr and wrmsr: the model-specific registers as QEMU 7.2's TCG answers
 * them on the qemu32 model, which is what a Linux 6.1 686 kernel booted
 * under qemu-system-i386 sees (sources: QEMU's helper_rdmsr/helper_wrmsr in
 * target/i386/tcg/sysemu/misc_helper.c, and every value below read on
 * qemu-system-i386 7.2 by fixtures/system/msr.c, whose transcript btvm
 * matches). Only ring 0 may use them (#GP(0) otherwise, SDM Vol. 2B).
 *
 * QEMU 7.2's TCG raises #GP for no MSR number: one it does not model reads
 * 0 and ignores writes. So do we; that is why Linux logs no "unchecked MSR
 * access" under QEMU, and the probes it makes land here:
 *
 *   0x10       TSC: the virtual time-stamp counter; a write moves it. (QEMU
 *              7.2 TCG reads 0 and ignores writes here; we keep the SDM's.)
 *   0x1B       IA32_APIC_BASE: the local APIC's (local-apic.ts): 0xFEE00900
 *              at reset; moves or disables its window
 *   0x34       SMI_COUNT: 0 (no SMM here; QEMU counts SeaBIOS's SMIs)
 *   0x35       CORE_THREAD_COUNT: 0x00010001, one core of one thread
 *   0x3A       FEATURE_CONTROL: reads 0 (VMX is not advertised), writes ignored
 *   0x8B       IA32_BIOS_SIGN_ID (microcode revision): 0x1_00000000 as QEMU's
 *              default ucode_rev; writes (Linux writes 0 before cpuid 1) ignored
 *   0x140      MISC_FEATURES_ENABLES (Linux's CPUID-faulting probe): 0, ignored
 *   0x174–176  SYSENTER_CS/ESP/EIP: kept (CS as 16 bits), used by sysenter
 *   0x179      MCG_CAP: 0 (qemu32 advertises MCE but not MCA: no banks, no
 *              MCG_CTL), so 0x17B MCG_CTL and the banks at 0x400 read 0
 *   0x17A      MCG_STATUS: kept
 *   0x186/187  PERFEVTSEL0/1: 0, ignored (no #GP: Linux's perf probe passes)
 *   0x198      PERF_STATUS: 0x400_000003E8, QEMU's constant
 *   0x1A0      MISC_ENABLE: 1 (fast strings) at reset, kept
 *   0x277      PAT: 0x0007040600070406 at reset, kept unchecked (as QEMU)
 *   0xFE       MTRRCAP: 0 — qemu32 does not advertise MTRR; the MTRRs
 *              themselves (0x200–0x20F, 0x250, 0x258/259, 0x268–26F, 0x2FF)
 *              keep what is written, as in QEMU
 *   0xC0000080 EFER: 0; qemu32 advertises none of SCE/LME/NXE, so writes
 *              change nothing
 *   0xC0000081 STAR, 0xC0010117 VM_HSAVE_PA, 0xD90 BNDCFGS: kept
 *   0x6E1      PKRS: kept; a value with high bits set is #GP(0)
 *
 * Any other MSR is one the model does not have: real CPUs raise #GP, QEMU
 * and btvm read 0 and ignore the write, and -d guest_errors logs the access.
 */
import { VmmResult } from '../vmm-interface/interface.js';
import { gp } from './fault.js';
import type { MonitorCore } from './monitor-core.js';
import { requireRing0, tscNow } from './privileged.js';

const EAX = 0, ECX = 1, EDX = 2;

export const MSR_TSC = 0x10;
export const MSR_APIC_BASE = 0x1b;
export const MSR_CORE_THREAD_COUNT = 0x35;
export const MSR_UCODE_REV = 0x8b;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;
export const MSR_MCG_STATUS = 0x17a;
export const MSR_PERF_STATUS = 0x198;
export const MSR_MISC_ENABLE = 0x1a0;
export const MSR_PAT = 0x277;
export const MSR_MTRR_DEF_TYPE = 0x2ff;
export const MSR_PKRS = 0x6e1;
export const MSR_BNDCFGS = 0xd90;
export const MSR_STAR = 0xc0000081;
export const MSR_VM_HSAVE_PA = 0xc0010117;

/** MSRs listed above that read 0 or a constant and ignore writes: part of the model, so not logged as unknown. */
function readsZero(msr: number): boolean {
  switch (msr) {
    case 0x34: case 0x3a: case 0x140: case 0x179: case 0x17b: case 0x186: case 0x187: case 0xfe: case 0xc0000080:
    // Answered by rdmsr's switch; a write to these read-only ones is ignored, as QEMU's.
    case MSR_CORE_THREAD_COUNT: case MSR_UCODE_REV: case MSR_PERF_STATUS:
      return true;
  }
  return msr >= 0x400 && msr <= 0x47f; // machine-check banks (none: MCG_CAP is 0)
}

/** MSRs that keep any 64-bit value written (MsrFile holds them). */
function isKept(msr: number): boolean {
  switch (msr) {
    case MSR_MCG_STATUS: case MSR_MISC_ENABLE: case MSR_PAT: case MSR_MTRR_DEF_TYPE: case MSR_PKRS:
    case MSR_BNDCFGS: case MSR_STAR: case MSR_VM_HSAVE_PA: case 0x250: case 0x258: case 0x259:
      return true;
  }
  // Variable-range MTRR base/mask pairs, and the 4 KiB fixed-range MTRRs.
  return (msr >= 0x200 && msr <= 0x20f) || (msr >= 0x268 && msr <= 0x26f);
}

export function rdmsr(m: MonitorCore): VmmResult {
  requireRing0(m);
  const cpu = m.cpu;
  const msr = cpu.regs[ECX]! >>> 0;
  let lo = 0, hi = 0;
  switch (msr) {
    case MSR_TSC: {
      const t = tscNow(m);
      lo = t % 0x1_0000_0000;
      hi = Math.floor(t / 0x1_0000_0000);
      break;
    }
    case MSR_APIC_BASE: lo = m.localApic?.readBaseMsr() ?? m.apicBase; break;
    case MSR_CORE_THREAD_COUNT: lo = 0x00010001; break;
    case MSR_UCODE_REV: hi = 1; break;
    case MSR_SYSENTER_CS: lo = cpu.sysenterCs; break;
    case MSR_SYSENTER_ESP: lo = cpu.sysenterEsp; break;
    case MSR_SYSENTER_EIP: lo = cpu.sysenterEip; break;
    case MSR_PERF_STATUS: lo = 1000; hi = 4 << 8; break;
    default:
      if (isKept(msr)) {
        lo = m.msrFile.low(msr);
        hi = m.msrFile.high(msr);
      } else if (!readsZero(msr)) {
        m.guestLog.unknownMsr(msr, null);
      }
  }
  cpu.regs[EAX] = lo | 0;
  cpu.regs[EDX] = hi | 0;
  return VmmResult.Continue;
}

export function wrmsr(m: MonitorCore): VmmResult {
  requireRing0(m);
  const cpu = m.cpu;
  const lo = cpu.regs[EAX]! >>> 0;
  const hi = cpu.regs[EDX]! >>> 0;
  const msr = cpu.regs[ECX]! >>> 0;
  switch (msr) {
    case MSR_TSC:
      m.tscOffset = hi * 0x1_0000_0000 + lo - Math.floor(m.clock.nowNs());
      break;
    case MSR_APIC_BASE:
      if (m.localApic !== null) m.localApic.writeBaseMsr(lo);
      else m.apicBase = lo;
      break;
    case MSR_SYSENTER_CS: cpu.sysenterCs = lo & 0xffff; break;
    case MSR_SYSENTER_ESP: cpu.sysenterEsp = lo | 0; break;
    case MSR_SYSENTER_EIP: cpu.sysenterEip = lo | 0; break;
    case MSR_PKRS:
      if (hi !== 0) {
        m.guestLog.error('wrmsr', `PKRS (0x6e1) value 0x${hi.toString(16)}:${lo.toString(16).padStart(8, '0')} sets reserved bits: #GP(0)`);
        throw gp(0);
      }
      m.msrFile.set(msr, lo, 0);
      break;
    default:
      if (isKept(msr)) m.msrFile.set(msr, lo, hi);
      else if (!readsZero(msr)) m.guestLog.unknownMsr(msr, { hi, lo });
  }
  return VmmResult.Continue;
}
