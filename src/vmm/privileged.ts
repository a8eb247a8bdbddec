/**
 * Privileged and sensitive system instructions other than segment loads,
 * control transfers and port I/O: cli/sti, hlt, mov to/from control and
 * debug registers, clts, lmsw, smsw, descriptor-table registers
 * (lgdt/lidt/sgdt/sidt/lldt/sldt/ltr/str), TLB and cache maintenance, rdtsc.
 *
 * Each routine applies the architectural check at the guest's *virtual* CPL
 * (cpu.cpl) and throws GuestFault exactly when hardware would; the monitor
 * turns that into an exception at the instruction. Under --virt=trap the
 * instructions that do not fault when deprivileged (sgdt, sidt, sldt, str,
 * smsw) report the host's values, as on a CPU running the guest kernel in
 * ring 3: that is the leak classic trap-and-emulate cannot close.
 */
import { writeSupervisor } from './linear-memory.js';
import { VmmResult } from '../vmm-interface/interface.js';
import { ATTR_MASK, descBase, descLimit, descPresent, descType, fetchDescriptor, type Descriptor } from './descriptors.js';
import { UnsupportedGuestFeature, gp, np, ud } from './fault.js';
import { IF, iopl } from './lazy-flags.js';
import type { MonitorCore } from './monitor-core.js';

const EAX = 0, EDX = 2;

/** What a deprivileged guest sees of the host under --virt=trap (a typical 32-bit host kernel). */
export const TRAP_HOST_VIEW = {
  gdtBase: 0xc1b2c000, gdtLimit: 0xff,
  idtBase: 0xfffba000, idtLimit: 0x7ff,
  cr0: 0x8005003b, // PG AM WP NE ET TS MP PE
  ldtSel: 0, trSel: 0x80,
} as const;

export const CR0_PE = 1 << 0, CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4, CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1 << 31;
const CR0_WRITABLE = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;
export const CR4_TSD = 1 << 2, CR4_DE = 1 << 3, CR4_PAE = 1 << 5;
/** CR4 bits the qemu32 CPU model accepts (its CPUID has DE PSE PAE MCE PGE FXSR SSE, no VME): others #GP. */
const CR4_VALID = CR4_TSD | CR4_DE | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10);

export function requireRing0(m: MonitorCore): void {
  if (m.cpu.cpl !== 0) throw gp(0);
}

export function cli(m: MonitorCore): VmmResult {
  if (m.cpu.cpl > iopl(m.cpu)) throw gp(0);
  m.cpu.eflagsSys &= ~IF;
  return VmmResult.Continue;
}

export function sti(m: MonitorCore, next: number): VmmResult {
  if (m.cpu.cpl > iopl(m.cpu)) throw gp(0);
  // Interrupts stay blocked for one more instruction only when sti sets IF.
  if ((m.cpu.eflagsSys & IF) !== 0) return VmmResult.Continue;
  m.shadowEip = next;
  m.cpu.eflagsSys |= IF;
  if (!m.interruptWaiting()) return VmmResult.Continue;
  // An IRQ is deliverable after the next instruction: back to the dispatcher, which steps just that one.
  m.cpu.eip = next;
  return VmmResult.Leave;
}

export function hlt(m: MonitorCore, next: number): VmmResult {
  requireRing0(m);
  m.cpu.halted = true;
  m.cpu.eip = next;
  return VmmResult.Leave;
}

export function movToCr(m: MonitorCore, next: number, cr: number, value: number): VmmResult {
  requireRing0(m);
  const cpu = m.cpu;
  switch (cr) {
    case 0: {
      const v = ((value & CR0_WRITABLE) | CR0_ET) >>> 0;
      if ((v & CR0_PG) !== 0 && (v & CR0_PE) === 0) throw gp(0);
      if ((v & CR0_NW) !== 0 && (v & CR0_CD) === 0) throw gp(0);
      if ((v & CR0_PE) === 0) throw new UnsupportedGuestFeature('real mode (mov cr0 clearing PE)', cpu.eip);
      if ((v & CR0_PG) !== 0 && m.mmu === null) throw new UnsupportedGuestFeature('paging (mov cr0 setting PG on a monitor without an MMU)', cpu.eip);
      if ((v & CR0_PG) !== 0 && (cpu.cr4 & CR4_PAE) !== 0) throw new UnsupportedGuestFeature('PAE paging (CR4.PAE with CR0.PG)', cpu.eip);
      cpu.cr0 = v | 0;
      m.mmu?.onCr0Cr4Write();
      m.onTlbFlush?.();
      cpu.eip = next;
      return VmmResult.Leave;
    }
    case 2:
      cpu.cr2 = value | 0;
      return VmmResult.Continue;
    case 3:
      cpu.cr3 = value & 0xfffff018;
      m.mmu?.onCr3Write();
      m.onTlbFlush?.();
      // The code after it may live at another physical page now: continue from a fresh lookup.
      cpu.eip = next;
      return VmmResult.Leave;
    case 4:
      if ((value & ~CR4_VALID) !== 0) throw gp(0);
      if ((value & CR4_PAE) !== 0 && (cpu.cr0 & CR0_PG) !== 0) throw new UnsupportedGuestFeature('PAE paging (setting CR4.PAE)', cpu.eip);
      cpu.cr4 = value | 0;
      m.mmu?.onCr0Cr4Write();
      m.onTlbFlush?.();
      cpu.eip = next;
      return VmmResult.Leave;
    default:
      throw ud();
  }
}

export function movFromCr(m: MonitorCore, cr: number): number {
  requireRing0(m);
  const cpu = m.cpu;
  switch (cr) {
    case 0: return cpu.cr0;
    case 2: return cpu.cr2;
    case 3: return cpu.cr3;
    case 4: return cpu.cr4;
    default: throw ud();
  }
}

/** DR4/DR5 alias DR6/DR7 unless CR4.DE, when they are #UD. */
function debugRegIndex(m: MonitorCore, dr: number): number {
  if (dr === 4 || dr === 5) {
    if ((m.cpu.cr4 & CR4_DE) !== 0) throw ud();
    return dr + 2;
  }
  return dr & 7;
}

/** Breakpoints in DR0–DR3/DR7 are stored but not armed (btvm raises no #DB for them). */
export function movToDr(m: MonitorCore, dr: number, value: number): VmmResult {
  requireRing0(m);
  const i = debugRegIndex(m, dr);
  let v = value | 0;
  if (i === 6) v = (v | 0xffff0ff0) & ~0x1000;
  else if (i === 7) v = (v | 0x400) & ~0xd800;
  m.cpu.dr[i] = v;
  return VmmResult.Continue;
}

export function movFromDr(m: MonitorCore, dr: number): number {
  requireRing0(m);
  const i = debugRegIndex(m, dr);
  const v = m.cpu.dr[i]!;
  if (i === 6) return v | 0xffff0ff0;
  if (i === 7) return v | 0x400;
  return v;
}

export function clts(m: MonitorCore): VmmResult {
  requireRing0(m);
  m.cpu.cr0 &= ~CR0_TS;
  return VmmResult.Continue;
}

/** lmsw loads PE MP EM TS; it can set PE but never clear it. */
export function lmsw(m: MonitorCore, value: number): VmmResult {
  requireRing0(m);
  m.cpu.cr0 = (m.cpu.cr0 & ~0xe) | (value & 0xf);
  return VmmResult.Continue;
}

/** smsw is not privileged: deprivileged hardware shows the host's CR0. */
export function smsw(m: MonitorCore): number {
  return m.virt === 'trap' ? TRAP_HOST_VIEW.cr0 | 0 : m.cpu.cr0;
}

/** lgdt/lidt: 16-bit limit then 32-bit base at `address`; a 16-bit operand size keeps 24 bits of base. */
export function loadTableRegister(m: MonitorCore, which: 'gdt' | 'idt', address: number, opSize: number): VmmResult {
  requireRing0(m);
  const limit = m.mem.read16(address);
  let base = m.mem.read32(address + 2);
  if (opSize === 2) base &= 0xffffff;
  if (which === 'gdt') {
    m.cpu.gdtBase = base | 0;
    m.cpu.gdtLimit = limit;
  } else {
    m.cpu.idtBase = base | 0;
    m.cpu.idtLimit = limit;
  }
  return VmmResult.Continue;
}

/** sgdt/sidt store the full 32-bit base for either operand size (SDM: IA-32 processors zero nothing). */
export function storeTableRegister(m: MonitorCore, which: 'gdt' | 'idt', address: number): VmmResult {
  const cpu = m.cpu;
  const trap = m.virt === 'trap';
  const base = which === 'gdt' ? (trap ? TRAP_HOST_VIEW.gdtBase : cpu.gdtBase) : trap ? TRAP_HOST_VIEW.idtBase : cpu.idtBase;
  const limit = which === 'gdt' ? (trap ? TRAP_HOST_VIEW.gdtLimit : cpu.gdtLimit) : trap ? TRAP_HOST_VIEW.idtLimit : cpu.idtLimit;
  m.mem.write16(address, limit);
  m.mem.write32(address + 2, base);
  return VmmResult.Continue;
}

const LDT_TYPE = 2, TSS16_AVAILABLE = 1, TSS32_AVAILABLE = 9;

/**
 * The descriptor lldt/ltr load, checked in the SDM's order: #GP(selector)
 * for a selector into the LDT, past the GDT's limit, or naming anything but
 * a system descriptor of type `typeA` or `typeB`; then #NP(selector) if it
 * is not present.
 */
function gdtSystemDescriptor(m: MonitorCore, selector: number, typeA: number, typeB: number): Descriptor {
  if ((selector & 4) !== 0) throw gp(selector & 0xfffc);
  const d = fetchDescriptor(m, selector);
  const type = d === null ? -1 : descType(d.hi);
  if (d === null || (d.hi & (1 << 12)) !== 0 || (type !== typeA && type !== typeB)) throw gp(selector & 0xfffc);
  if (!descPresent(d.hi)) throw np(selector & 0xfffc);
  return d;
}

export function lldt(m: MonitorCore, selector: number): VmmResult {
  requireRing0(m);
  const cpu = m.cpu;
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) {
    cpu.ldtSel = selector;
    cpu.ldtBase = 0;
    cpu.ldtLimit = 0;
    return VmmResult.Continue;
  }
  const d = gdtSystemDescriptor(m, selector, LDT_TYPE, LDT_TYPE);
  cpu.ldtSel = selector;
  cpu.ldtBase = descBase(d.lo, d.hi) | 0;
  cpu.ldtLimit = descLimit(d.lo, d.hi);
  return VmmResult.Continue;
}

export function ltr(m: MonitorCore, selector: number): VmmResult {
  requireRing0(m);
  const cpu = m.cpu;
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) throw gp(0);
  const d = gdtSystemDescriptor(m, selector, TSS16_AVAILABLE, TSS32_AVAILABLE);
  // Mark the TSS busy in the GDT, as the CPU does.
  writeSupervisor(m.mem, d.address + 5, 1, ((d.hi >>> 8) | 2) & 0xff);
  cpu.trSel = selector;
  cpu.trBase = descBase(d.lo, d.hi) | 0;
  cpu.trLimit = descLimit(d.lo, d.hi);
  cpu.trAttr = (d.hi | 0x200) & ATTR_MASK;
  return VmmResult.Continue;
}

export const sldt = (m: MonitorCore): number => (m.virt === 'trap' ? TRAP_HOST_VIEW.ldtSel : m.cpu.ldtSel);
export const str = (m: MonitorCore): number => (m.virt === 'trap' ? TRAP_HOST_VIEW.trSel : m.cpu.trSel);

/** invlpg, invd, wbinvd: ring 0 only; no caches to maintain, but cached translations go. */
/** invlpg (flushTlb, `linear` its operand's address), invd, wbinvd. */
export function cacheControl(m: MonitorCore, flushTlb: boolean, linear = 0): VmmResult {
  requireRing0(m);
  if (flushTlb) {
    m.mmu?.onInvlpg(linear | 0);
    m.onTlbFlush?.();
  }
  return VmmResult.Continue;
}

/** The time-stamp counter runs at 1 GHz of virtual time (one tick per virtual nanosecond). */
export function tscNow(m: MonitorCore): number {
  return Math.floor(m.clock.nowNs()) + m.tscOffset;
}

export function rdtsc(m: MonitorCore): VmmResult {
  if ((m.cpu.cr4 & CR4_TSD) !== 0 && m.cpu.cpl !== 0) throw gp(0);
  const t = tscNow(m);
  m.cpu.regs[EAX] = t % 0x1_0000_0000 | 0;
  m.cpu.regs[EDX] = Math.floor(t / 0x1_0000_0000) | 0;
  return VmmResult.Continue;
}
