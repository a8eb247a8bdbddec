/**
 * The local APIC of the one virtual CPU (xAPIC, memory-mapped), and the
 * CPU's view of its interrupt inputs: fixed interrupts the APIC accepted,
 * and the 8259's INTR coming in on LINT0 as ExtINT (the "virtual wire").
 *
 * Registers (SDM Vol. 3A, 11.4–11.6, 11.8; offsets in the 4 KiB window at
 * IA32_APIC_BASE, 0xFEE00000 by default):
 *   0x020 ID          bits 31:24 (0 for the BSP)
 *   0x030 version     0x00050014: version 0x14, max LVT entry 5 (six LVTs)
 *   0x080 TPR         bits 7:0
 *   0x090 APR         reads 0 (QEMU models no arbitration)
 *   0x0A0 PPR         max(TPR, class of the highest in-service vector)
 *   0x0B0 EOI         write: the highest in-service vector ends
 *   0x0D0 LDR, 0x0E0 DFR   logical destination and model (bits 27:0 of DFR read 1)
 *   0x0F0 SVR         bits 8:0: software enable (bit 8), spurious vector
 *   0x100–0x170 ISR, 0x180–0x1F0 TMR, 0x200–0x270 IRR: 256 bits each
 *   0x280 ESR         a write latches the errors seen since the last write
 *   0x300/0x310 ICR   a low write sends the IPI; only this CPU exists, so an
 *                     IPI reaches it when addressed to it (shorthand self,
 *                     all-including-self, or its physical/logical destination),
 *                     in fixed or lowest-priority mode; delivery is immediate,
 *                     so the delivery-status bit (12) always reads idle
 *   0x320 LVT timer (one-shot, periodic; TSC-deadline is not advertised),
 *   0x330 thermal, 0x340 performance counters, 0x350 LINT0, 0x360 LINT1,
 *   0x370 error
 *   0x380 initial count, 0x390 current count, 0x3E0 divide configuration
 * Reserved bits read 0 and ignore writes. As in QEMU, accesses narrower than
 * 4 bytes read 0 and are ignored, the low 4 bits of the offset are ignored,
 * and an undefined register sets ESR's illegal-register-address bit (7).
 * -d guest_errors logs those accesses and writes to read-only registers;
 * -d unimp logs IPIs of the delivery modes not modelled (NMI, INIT, SIPI, …).
 *
 * Interrupt acceptance (SDM 11.8.3–11.8.5): an accepted fixed interrupt
 * sets its IRR bit; the CPU is interrupted when the highest IRR vector's
 * priority class (vector >> 4) is above PPR's; taking it moves the bit to
 * the ISR; an EOI clears the highest ISR bit. The 8259 comes first, as in
 * QEMU (ExtINT ignores priorities): when its INTR is up and LINT0 is
 * unmasked (or the APIC is globally disabled), the CPU takes the 8259's
 * vector through the usual INTA.
 *
 * The timer counts the bus clock, 1 GHz as in QEMU (one count per ns at
 * divide-by-1), divided by 2, 4, …, 128 or 1; an initial count of N fires
 * N+1 counts after it is written, and every N+1 counts in periodic mode
 * (QEMU's timing, which the fixture transcripts were recorded with). Like
 * the PIT, nothing runs on its own: state is computed from the clock when
 * read, and the event service asks nextEventNs() and calls update().
 *
 * The state at boot is what a QEMU guest finds after SeaBIOS (read under
 * qemu-system-i386 7.2 by fixtures/system/apic.c): APIC enabled (SVR
 * 0x1FF), LINT0 = ExtINT level (0x8700) so the 8259 keeps working, LINT1 =
 * NMI level (0x8400), and the ICR holding the INIT/SIPI broadcast SeaBIOS
 * sends to count CPUs (0x000C4610). IA32_APIC_BASE (MSR 0x1B) moves or
 * disables the window; once its global-enable bit is cleared the APIC stays
 * off until reset, and software enable is cleared with it (as QEMU does).
 */
import { GuestLog } from '../guest-log.js';
import type { MmioDevice, MmioMap } from '../../memory/mmio.js';
import type { Clock } from './clock.js';

export const APIC_DEFAULT_BASE = 0xfee00000;
/** IA32_APIC_BASE bits: bootstrap processor, global enable. */
export const APIC_BASE_BSP = 1 << 8;
export const APIC_BASE_ENABLE = 1 << 11;
export const APIC_WINDOW_SIZE = 0x1000;
export const APIC_VERSION = 0x0005_0014;
/** Timer input clock before the divider: 1 GHz, QEMU's. */
export const APIC_BUS_HZ = 1_000_000_000;

const LVT_MASKED = 1 << 16;
const LVT_PERIODIC = 1 << 17;
const SVR_ENABLE = 1 << 8;
const ESR_ILLEGAL_REGISTER = 1 << 7;
/** Writable bits of each LVT (SDM Figure 11-8), timer first. */
const LVT_WRITABLE = [0x300ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff] as const;
const ICR_LOW_WRITABLE = 0x000ccfff;
const enum Lvt {
  Timer = 0,
  Thermal = 1,
  Performance = 2,
  Lint0 = 3,
  Lint1 = 4,
  Error = 5,
}
const enum DeliveryMode {
  Fixed = 0,
  LowestPriority = 1,
}

/** ICR bits 10:8, by the SDM's names. */
const IPI_MODES = ['fixed', 'lowest priority', 'SMI', 'reserved (3)', 'NMI', 'INIT', 'start-up', 'reserved (7)'] as const;

/** The 8259 pair as the APIC sees it on LINT0. */
export interface ExtIntSource {
  /** The vector INTA would return now, or -1 while INTR is low. */
  pendingVector(): number;
  /** INTA. */
  acknowledge(): number;
}

/** Highest set bit of a 256-bit register held as 8 words, or -1. */
function highest(words: Uint32Array): number {
  for (let i = 7; i >= 0; i--) {
    const w = words[i]!;
    if (w !== 0) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

export class LocalApic implements MmioDevice {
  /** IA32_APIC_BASE as rdmsr reads it. */
  private baseMsr = (APIC_DEFAULT_BASE | APIC_BASE_BSP | APIC_BASE_ENABLE) >>> 0;
  private id = 0;
  private tpr = 0;
  private ldr = 0;
  private dfrModel = 0xf;
  private svr = 0x1ff;
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  readonly irr = new Uint32Array(8);
  private esr = 0;
  /** Errors detected since the last ESR write. */
  private esrPending = 0;
  private icrLow = 0x000c4610;
  private icrHigh = 0;
  private readonly lvt = new Uint32Array([LVT_MASKED, LVT_MASKED, LVT_MASKED, 0x8700, 0x8400, LVT_MASKED]);
  private initialCount = 0;
  private divideConfig = 0;
  /** log2 of the divider (0 = divide by 1). */
  private countShift = 1;
  /** Clock time of the last initial-count write. */
  private loadNs = 0;
  /** Timer periods since loadNs already turned into interrupts (or skipped while masked). */
  private periodsReported = 0;

  constructor(
    private readonly clock: Clock,
    private readonly pic: ExtIntSource,
    private readonly mmio: MmioMap,
  ) {
    mmio.map(this, APIC_DEFAULT_BASE, APIC_WINDOW_SIZE);
  }

  // ---- IA32_APIC_BASE (MSR 0x1B) ----

  readBaseMsr(): number {
    return this.baseMsr;
  }

  /** wrmsr 0x1B: the base moves; BSP is read-only; global enable can only be cleared. */
  writeBaseMsr(value: number): void {
    const keep = this.baseMsr & (APIC_BASE_BSP | APIC_BASE_ENABLE);
    this.baseMsr = ((value & 0xfffff000) | keep) >>> 0;
    if ((value & APIC_BASE_ENABLE) === 0) {
      this.baseMsr = (this.baseMsr & ~APIC_BASE_ENABLE) >>> 0;
      this.svr &= ~SVR_ENABLE;
    }
    if (this.globallyEnabled) this.mmio.map(this, (this.baseMsr & 0xfffff000) >>> 0, APIC_WINDOW_SIZE);
    else this.mmio.unmap(this);
  }

  private get globallyEnabled(): boolean {
    return (this.baseMsr & APIC_BASE_ENABLE) !== 0;
  }

  private get softwareEnabled(): boolean {
    return (this.svr & SVR_ENABLE) !== 0;
  }

  // ---- what the CPU's interrupt logic asks ----

  /** Whether the 8259's INTR reaches the CPU: LINT0 unmasked, or the APIC globally disabled (QEMU's rule). */
  acceptsPic(): boolean {
    return !this.globallyEnabled || (this.lvt[Lvt.Lint0]! & LVT_MASKED) === 0;
  }

  /** Processor priority (SDM 11.8.3.1). */
  ppr(): number {
    const isrv = highest(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr : isrClass;
  }

  /** The accepted fixed vector the CPU would take now (priority above PPR), or -1. */
  private deliverableFixed(): number {
    if (!this.softwareEnabled) return -1;
    const v = highest(this.irr);
    if (v < 0) return -1;
    const ppr = this.ppr();
    return ppr !== 0 && (v & 0xf0) <= (ppr & 0xf0) ? -1 : v;
  }

  /** The vector the CPU would be interrupted with now (8259 first, then the APIC), or -1. */
  pendingVector(): number {
    if (this.acceptsPic()) {
      const v = this.pic.pendingVector();
      if (v >= 0) return v;
    }
    return this.deliverableFixed();
  }

  /** The CPU takes the interrupt pendingVector() named: INTA for the 8259, IRR → ISR for the APIC. */
  acknowledge(): number {
    if (this.acceptsPic() && this.pic.pendingVector() >= 0) return this.pic.acknowledge();
    const v = this.deliverableFixed();
    if (v < 0) return this.svr & 0xff; // nothing left: the spurious vector, ISR untouched
    this.irr[v >>> 5]! &= ~(1 << (v & 31));
    this.isr[v >>> 5]! |= 1 << (v & 31);
    return v;
  }

  /** An accepted fixed interrupt (edge): its IRR bit is set. */
  accept(vector: number, level = false): void {
    const w = vector >>> 5, bit = 1 << (vector & 31);
    this.irr[w]! |= bit;
    if (level) this.tmr[w]! |= bit;
    else this.tmr[w]! &= ~bit;
  }

  // ---- the timer ----

  /** Nanoseconds per timer period (initial count + 1 counts). */
  private periodNs(): number {
    return (this.initialCount + 1) * 2 ** this.countShift;
  }

  /** Whole timer periods elapsed since the count was loaded. */
  private periodsElapsed(): number {
    return Math.floor(Math.floor(this.clock.nowNs() - this.loadNs) / this.periodNs());
  }

  private timerArmed(): boolean {
    if (this.initialCount === 0 || (this.lvt[Lvt.Timer]! & LVT_MASKED) !== 0) return false;
    return (this.lvt[Lvt.Timer]! & LVT_PERIODIC) !== 0 || this.periodsReported === 0;
  }

  /** Clock time of the next timer interrupt not yet raised, or Infinity. May lie in the past (update() is due). */
  nextEventNs(): number {
    if (!this.timerArmed()) return Infinity;
    return this.loadNs + (this.periodsReported + 1) * this.periodNs();
  }

  /** Raises the timer interrupt if a period ended since the last call (several periods: one interrupt). */
  update(): void {
    if (!this.timerArmed()) return;
    const periods = this.periodsElapsed();
    if (periods <= this.periodsReported) return;
    this.periodsReported = (this.lvt[Lvt.Timer]! & LVT_PERIODIC) !== 0 ? periods : 1;
    this.accept(this.lvt[Lvt.Timer]! & 0xff);
  }

  /** Periods that ended while the timer could not interrupt are dropped, as QEMU re-arms from now. */
  private rearmTimer(): void {
    const periods = this.initialCount === 0 ? 0 : this.periodsElapsed();
    const periodic = (this.lvt[Lvt.Timer]! & LVT_PERIODIC) !== 0;
    this.periodsReported = periodic ? periods : Math.min(periods, 1);
  }

  currentCount(): number {
    const n = this.initialCount;
    if (n === 0) return 0;
    const d = Math.floor(Math.floor(this.clock.nowNs() - this.loadNs) / 2 ** this.countShift);
    if ((this.lvt[Lvt.Timer]! & LVT_PERIODIC) !== 0) return n - (d % (n + 1));
    return d >= n ? 0 : n - d;
  }

  // ---- MMIO ----

  /** -d guest_errors and -d unimp. */
  guestLog = GuestLog.silent;

  private badAccess(what: string, offset: number, size: number, value: number | null): void {
    if (!this.guestLog.errors) return;
    const written = value === null ? 'read' : `write 0x${(value >>> 0).toString(16)}`;
    this.guestLog.error('apic', `${what}: ${written} at 0x${(offset & 0xfff).toString(16).padStart(3, '0')} size ${size}, ${value === null ? 'reads 0' : 'ignored'}`);
  }

  mmioRead(offset: number, size: number): number {
    if (size < 4) {
      this.badAccess('access narrower than 32 bits', offset, size, null);
      return 0;
    }
    const index = (offset >>> 4) & 0xff;
    switch (index) {
      case 0x02: return (this.id << 24) >>> 0;
      case 0x03: return APIC_VERSION;
      case 0x08: return this.tpr;
      case 0x09: return 0;
      case 0x0a: return this.ppr();
      case 0x0b: return 0;
      case 0x0d: return (this.ldr << 24) >>> 0;
      case 0x0e: return ((this.dfrModel << 28) | 0x0fffffff) >>> 0;
      case 0x0f: return this.svr;
      case 0x28: return this.esr;
      case 0x30: return this.icrLow;
      case 0x31: return (this.icrHigh << 24) >>> 0;
      case 0x38: return this.initialCount;
      case 0x39: return this.currentCount();
      case 0x3e: return this.divideConfig;
    }
    if (index >= 0x10 && index <= 0x17) return this.isr[index & 7]!;
    if (index >= 0x18 && index <= 0x1f) return this.tmr[index & 7]!;
    if (index >= 0x20 && index <= 0x27) return this.irr[index & 7]!;
    if (index >= 0x32 && index <= 0x37) return this.lvt[index - 0x32]!;
    this.esrPending |= ESR_ILLEGAL_REGISTER;
    this.badAccess('undefined register', offset, size, null);
    return 0;
  }

  /** Nonzero when the write may let an interrupt through (the CPU must look again). */
  mmioWrite(offset: number, size: number, value: number): number {
    if (size < 4) {
      this.badAccess('access narrower than 32 bits', offset, size, value);
      return 0;
    }
    const index = (offset >>> 4) & 0xff;
    value >>>= 0;
    switch (index) {
      case 0x02: this.id = value >>> 24; return 0;
      case 0x08: this.tpr = value & 0xff; return 1;
      case 0x0b: this.eoi(); return 1;
      case 0x0d: this.ldr = value >>> 24; return 0;
      case 0x0e: this.dfrModel = value >>> 28; return 0;
      case 0x0f: this.svr = value & 0x1ff; return 1;
      case 0x28:
        this.esr = this.esrPending;
        this.esrPending = 0;
        return 0;
      case 0x30: this.icrLow = value & ICR_LOW_WRITABLE; return this.sendIpi();
      case 0x31: this.icrHigh = value >>> 24; return 0;
      case 0x38:
        this.initialCount = value;
        this.loadNs = this.clock.nowNs();
        this.periodsReported = 0;
        return 0;
      case 0x3e:
        this.divideConfig = value & 0xb;
        this.countShift = (((value & 3) | ((value >>> 1) & 4)) + 1) & 7;
        return 0;
      case 0x03: case 0x09: case 0x0a: case 0x39:
        this.badAccess('read-only register', offset, size, value);
        return 0;
    }
    if (index >= 0x10 && index <= 0x27) { // ISR, TMR, IRR
      this.badAccess('read-only register', offset, size, value);
      return 0;
    }
    if (index >= 0x32 && index <= 0x37) {
      const n = index - 0x32;
      // A period that ended under the old LVT interrupts under it.
      if (n === Lvt.Timer) this.update();
      this.lvt[n] = value & LVT_WRITABLE[n]!;
      if (n === Lvt.Timer) this.rearmTimer();
      return 1;
    }
    this.esrPending |= ESR_ILLEGAL_REGISTER;
    this.badAccess('undefined register', offset, size, value);
    return 0;
  }

  private eoi(): void {
    const v = highest(this.isr);
    if (v >= 0) this.isr[v >>> 5]! &= ~(1 << (v & 31));
  }

  /** Whether an IPI with the ICR's destination reaches this (the only) CPU. */
  private addressedToSelf(): boolean {
    switch ((this.icrLow >>> 18) & 3) {
      case 1: case 2: return true; // self, all including self
      case 3: return false; // all excluding self
    }
    const dest = this.icrHigh;
    if ((this.icrLow & (1 << 11)) === 0) return dest === 0xff || dest === this.id;
    // Logical: flat model matches any common bit; cluster model the cluster and a member bit.
    if (this.dfrModel === 0xf) return (dest & this.ldr) !== 0;
    return (dest & 0xf0) === (this.ldr & 0xf0) && (dest & this.ldr & 0x0f) !== 0;
  }

  /** ICR low written: deliver a fixed or lowest-priority IPI to this CPU if addressed; others have no target. */
  private sendIpi(): number {
    const mode = (this.icrLow >>> 8) & 7;
    if (mode !== DeliveryMode.Fixed && mode !== DeliveryMode.LowestPriority && this.guestLog.unimp) {
      this.guestLog.unimplemented('apic', `IPI delivery mode ${IPI_MODES[mode]} (ICR 0x${this.icrLow.toString(16)}): not delivered`);
    }
    if ((mode !== DeliveryMode.Fixed && mode !== DeliveryMode.LowestPriority) || !this.addressedToSelf()) return 0;
    this.accept(this.icrLow & 0xff, (this.icrLow & (1 << 15)) !== 0);
    return 1;
  }
}
