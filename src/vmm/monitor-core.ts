/**
 * MonitorCore: the state the VMM keeps beside CpuState, shared by every
 * routine file (privileged.ts, io.ts, segments.ts, …).
 *
 * CpuState holds what the guest could observe architecturally (and the
 * halted flag the dispatcher reads); MonitorCore holds what only the monitor
 * needs: the one-instruction
 * interrupt shadow after sti / mov ss, the reason the run must end, the
 * virtualization mode, logging, and counters for --stats. Routine files are
 * plain functions over a MonitorCore, so each can be tested with a core built
 * by hand around a small PhysicalMemory.
 */
import type { CpuState } from '../state/state.js';
import type { Clock } from './devices/clock.js';
import type { PortBus } from './devices/port-bus.js';
import type { VmmMemory } from './linear-memory.js';
import type { Mmu } from '../mmu/mmu.js';
import { MsrFile } from './msr-file.js';
import { GuestLog } from './guest-log.js';
import type { RunEnd } from './run-end.js';
import { FpuState } from '../fpu/fpu-state.js';
import { X87Unit } from '../fpu/unit/x87-unit.js';
import { X87Cpu, X87Memory } from './x87-bindings.js';
import { SimdUnit } from '../simd/unit/simd-unit.js';
import { SimdState } from '../simd/unit/simd-state.js';
import { SimdCpu } from './simd-bindings.js';

/**
 * bt: binary translation — every sensitive instruction reaches the VMM and
 * sees virtual state. trap: classic trap-and-emulate on a deprivileged CPU —
 * only instructions that fault outside ring 0 reach the VMM; pushf, popf,
 * sgdt, sidt, sldt, str and smsw behave as the real (host) CPU makes them.
 */
export type VirtMode = 'bt' | 'trap';

/** Debug log categories the VMM writes (QEMU -d names). */
export type LogSink = (category: 'int' | 'exec' | 'vmm', line: string) => void;

export interface MonitorStats {
  /** Emulate calls per routine index (VMM_ROUTINES order). */
  readonly routineCalls: Float64Array;
  exceptions: number;
  softwareInterrupts: number;
  externalInterrupts: number;
  /** Delivered events per vector (0–255), by kind, for --stats' breakdown. */
  readonly exceptionsByVector: Float64Array;
  readonly softwareByVector: Float64Array;
  readonly externalByVector: Float64Array;
}

export class MonitorCore {
  /** EIP of the instruction in an interrupt shadow (after sti / mov ss), or -1. */
  shadowEip = -1;
  /** Set once the run must end; the dispatcher stops at the next boundary. */
  end: RunEnd | null = null;
  /** Logging for -d int (null: off). */
  log: LogSink | null = null;
  /** -d guest_errors and -d unimp (unknown MSRs here; the bus and devices hold the same object). */
  guestLog = GuestLog.silent;
  /** Called when cached address translations become stale (mov cr3, invlpg, cr0 writes). */
  onTlbFlush: (() => void) | null = null;
  /**
   * Code at this linear address could not be fetched whole (a #PF on
   * fetch): the executor drops translations made from its readable part.
   */
  onFetchFault: ((linear: number) => void) | null = null;
  /** The machine's MMU (paging); null for monitors built without one (routine tests: identity, PG refused). */
  mmu: Mmu | null = null;
  /**
   * Set by the event service when an interrupt was deliverable but the
   * interrupt shadow held it back: the executor must run exactly one more
   * instruction and check again (not a whole region).
   */
  interruptShadowed = false;
  /**
   * Whether the interrupt controller has a request waiting (set by the
   * machine). Port writes consult it: an EOI or an unmask can make an IRQ
   * deliverable at once, and translated code must then return to the
   * dispatcher instead of running on to the end of its region.
   */
  interruptWaiting: () => boolean = () => false;
  /**
   * Set while the host cannot take more of the guest's output (console or
   * log past its bound, e.g. stdout into a pipe nobody reads): the executor
   * returns to the machine at the next boundary and the machine waits for
   * the host to drain before the guest runs on. Port writes and rep string
   * I/O leave as soon as it is set.
   */
  hostBlocked = false;
  /** TSC value at clock time 0 (wrmsr 0x10 moves it). */
  tscOffset = 0;
  /** IA32_APIC_BASE of a monitor without a local APIC (routine tests): BSP flag, global enable, default base. */
  apicBase = 0xfee00900;
  /** The local APIC, which owns IA32_APIC_BASE (MSR 0x1B) when present (set by the machine). */
  localApic: { readBaseMsr(): number; writeBaseMsr(value: number): void } | null = null;
  /** The MSRs that keep a written value (msr.ts). */
  readonly msrFile = new MsrFile();
  /** Number of events logged, for -d int's running index. */
  eventCount = 0;
  readonly stats: MonitorStats;
  /** The x87 FPU (its state and the unit that executes x87 instructions: vmm/x87.ts). */
  readonly x87: X87Unit;
  /** The SIMD unit: XMM registers and MXCSR, MMX on the x87's registers (vmm/simd.ts). */
  readonly simd: SimdUnit;
  /** Pulses an IRQ line of the interrupt controller (set by the machine): FERR# is IRQ13. */
  raiseIrq: ((irq: number) => void) | null = null;

  constructor(
    readonly cpu: CpuState,
    readonly mem: VmmMemory,
    readonly bus: PortBus,
    readonly clock: Clock,
    readonly virt: VirtMode = 'bt',
    routineCount = 64,
  ) {
    this.stats = {
      routineCalls: new Float64Array(routineCount), exceptions: 0, softwareInterrupts: 0, externalInterrupts: 0,
      exceptionsByVector: new Float64Array(256), softwareByVector: new Float64Array(256), externalByVector: new Float64Array(256),
    };
    this.x87 = new X87Unit(new FpuState(), new X87Memory(mem), new X87Cpu(cpu));
    this.simd = new SimdUnit(new SimdState(), this.x87, new SimdCpu(cpu));
  }

  requestEnd(end: RunEnd): void {
    if (this.end === null) this.end = end;
  }
}
