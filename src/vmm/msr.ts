/**
 * Model-specific registers: the few a 32-bit kernel touches on the qemu32
 * model. SYSENTER_CS/ESP/EIP (0x174–0x176) feed sysenter/sysexit; the TSC
 * (0x10) reads the virtual time-stamp counter and a write moves it;
 * APIC_BASE (0x1B) reads the reset value of a bootstrap processor's local
 * APIC (btvm has no local APIC model, so writes are kept but do nothing).
 * Any other MSR is #GP(0), as on QEMU TCG. Only ring 0 may use rdmsr/wrmsr.
 */
import { VmmResult } from '../vmm-interface/interface.js';
import { gp } from './fault.js';
import type { MonitorCore } from './monitor-core.js';
import { requireRing0, tscNow } from './privileged.js';

const EAX = 0, ECX = 1, EDX = 2;

export const MSR_TSC = 0x10;
export const MSR_APIC_BASE = 0x1b;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;


export function rdmsr(m: MonitorCore): VmmResult {
  requireRing0(m);
  const cpu = m.cpu;
  let lo: number, hi = 0;
  switch (cpu.regs[ECX]! >>> 0) {
    case MSR_TSC: {
      const t = tscNow(m);
      lo = t % 0x1_0000_0000;
      hi = Math.floor(t / 0x1_0000_0000);
      break;
    }
    case MSR_APIC_BASE: lo = m.apicBase; break;
    case MSR_SYSENTER_CS: lo = cpu.sysenterCs; break;
    case MSR_SYSENTER_ESP: lo = cpu.sysenterEsp; break;
    case MSR_SYSENTER_EIP: lo = cpu.sysenterEip; break;
    default: throw gp(0);
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
  switch (cpu.regs[ECX]! >>> 0) {
    case MSR_TSC:
      m.tscOffset = hi * 0x1_0000_0000 + lo - Math.floor(m.clock.nowNs());
      break;
    case MSR_APIC_BASE: m.apicBase = lo; break;
    case MSR_SYSENTER_CS: cpu.sysenterCs = lo & 0xffff; break;
    case MSR_SYSENTER_ESP: cpu.sysenterEsp = lo | 0; break;
    case MSR_SYSENTER_EIP: cpu.sysenterEip = lo | 0; break;
    default: throw gp(0);
  }
  return VmmResult.Continue;
}
