/**
 * The Machine: one virtual PC, wired together and run.
 *
 * It creates guest RAM (PhysicalMemory), the PC devices (machine-devices.ts)
 * on virtual time, loads the kernel (Multiboot, Linux bzImage or a flat image), copies the
 * loader's BootState into a fresh CpuState, builds the monitor and asks the
 * translator for an executor. run() alternates between the executor (guest
 * code until the event service says stop) and the host: it sleeps or skips
 * time while the guest is halted, lets stdin arrive, pauses the guest while
 * the host cannot take more of its output, and ends when the monitor
 * records a RunEnd.
 */
import { GuestLog } from '../vmm/guest-log.js';
import { CpuState, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../state/state.js';
import type { BootState, SegmentRegisterState } from '../loader/boot-state.js';
import { loadFlat } from '../loader/flat.js';
import { loadMultiboot } from '../loader/multiboot.js';
import type { MultibootModule } from '../loader/multiboot-modules.js';
import { loadBzImage } from '../loader/linux-bzimage.js';
import { ATTR_DB, ATTR_G } from '../vmm/descriptors.js';
import { createMachineDevices, type MachineDevices } from '../vmm/devices/machine-devices.js';
import type { DmaMemory } from '../vmm/devices/fw-cfg.js';
import type { MmioMap } from '../memory/mmio.js';
import type { StopReason } from '../vmm/devices/vm-control.js';
import type { ByteSink, SerialLine } from '../vmm/devices/uart16550.js';
import { EventService } from '../vmm/events.js';
import type { ExecutorFactory, GuestExecutor } from '../exec/executor.js';
import type { DebugControl } from '../exec/dispatcher.js';
import { createGuestExecutor } from '../exec/guest-executor.js';
import type { CpuModel } from '../state/cpu-features.js';
import { writeEflags } from '../vmm/lazy-flags.js';
import { PhysicalMemory } from '../memory/physical-memory.js';
import { pcMemoryLayout, type PcMemoryLayout } from '../memory/pc-memory-layout.js';
import { MonitorCore, type LogSink, type VirtMode } from '../vmm/monitor-core.js';
import { VirtualMachineMonitor } from '../vmm/monitor.js';
import { VMM_ROUTINES } from '../vmm-interface/interface.js';
import type { MmuStatistics } from '../mmu/mmu.js';
import { createMmu, type MmuKind } from '../mmu/create-mmu.js';
import type { MachineMap } from '../memory/machine-map.js';
import type { MmuCore } from '../mmu/mmu-core.js';
import { MmuLinearMemory } from '../vmm/mmu-linear-memory.js';
import { exitStatusOf, type RunEnd } from '../vmm/run-end.js';
import { VirtualClock, type TimeMode } from '../vmm/virtual-clock.js';

export type GuestImage =
  | { readonly kind: 'multiboot'; readonly bytes: Uint8Array; readonly cmdline?: string; readonly modules?: readonly MultibootModule[] }
  | { readonly kind: 'linux'; readonly bytes: Uint8Array; readonly cmdline?: string; readonly initrd?: Uint8Array }
  | { readonly kind: 'flat'; readonly bytes: Uint8Array; readonly loadAddress: number; readonly entry: number };

export interface MachineOptions {
  readonly image: GuestImage;
  /**
   * Guest RAM in bytes, -m (default 128 MiB, like QEMU; at most 3.5 GiB).
   * From 3.5 GiB up, QEMU's layout puts all but 3 GiB at 4 GiB, where a
   * 32-bit guest cannot reach it: only `memory` (the part below) is backed.
   */
  readonly memoryBytes?: number;
  readonly time?: TimeMode;
  readonly maxInsns?: number;
  readonly virt?: VirtMode;
  /** COM1 output bytes (the console); a SerialLine adds flow control (the UART reads busy while it is). */
  readonly serialOutput: ByteSink | SerialLine;
  /** Runs translated code; default: the translator's guest executor (exec/guest-executor.ts). */
  readonly executor?: ExecutorFactory;
  readonly debug?: ReadonlySet<string>;
  /** Debug log (stderr or -D file); one call per line or dump. */
  readonly log?: (text: string) => void;
  readonly singleStep?: boolean;
  readonly disabledPasses?: ReadonlySet<string>;
  /** Which MMU virtualizes the guest's paging (`--mmu`; default shadow page tables). */
  readonly mmu?: MmuKind;
  /** Scatter guest-physical pages over machine memory with this seed (`--scatter-memory`). */
  readonly scatterSeed?: number;
  /** The CPU model (-cpu); default btvm32 (state/cpu-features.ts). */
  readonly cpu?: CpuModel;
}

export interface RunStats {
  instructions: number;
  hostMs: number;
  virtualNs: number;
  exceptions: number;
  softwareInterrupts: number;
  externalInterrupts: number;
  /** Emulate calls by routine name (only routines called at least once). */
  routineCalls: Record<string, number>;
  /** Delivered events by vector number (only vectors seen). */
  exceptionsByVector: Record<number, number>;
  softwareByVector: Record<number, number>;
  externalByVector: Record<number, number>;
  /** The MMU's counters, or null when the machine runs without one (paging not modelled). */
  mmu: Readonly<MmuStatistics> | null;
  executor: Readonly<Record<string, number>>;
}

/** What --stats reads from the MMU (`-d mmu` wraps the MMU itself: src/cli/mmu-event-log.ts). */
export interface InspectableMmu {
  readonly statistics: Readonly<MmuStatistics>;
}

/** Nonzero entries of a per-vector counter array. */
function byVector(counts: Float64Array): Record<number, number> {
  const out: Record<number, number> = {};
  counts.forEach((n, v) => {
    if (n > 0) out[v] = n;
  });
  return out;
}

export interface RunResult {
  exitStatus: number;
  reason: RunEnd;
  stats: RunStats;
}

export const DEFAULT_MEMORY_BYTES = 128 << 20;

/** Access rights (segAttr format) of a loader-described segment. */
function attrOf(s: SegmentRegisterState): number {
  return (s.access << 8) | (s.big ? ATTR_DB : 0) | (s.granularity4K ? ATTR_G : 0);
}

/** The CPU state a loader asked for. */
export function cpuFromBootState(boot: BootState): CpuState {
  const cpu = new CpuState();
  const r = cpu.regs;
  r[0] = boot.eax; r[1] = boot.ecx; r[2] = boot.edx; r[3] = boot.ebx;
  r[4] = boot.esp; r[5] = boot.ebp; r[6] = boot.esi; r[7] = boot.edi;
  cpu.eip = boot.eip >>> 0;
  writeEflags(cpu, boot.eflags);
  cpu.cr0 = boot.cr0 | 0;
  cpu.cr3 = boot.cr3 | 0;
  cpu.cr4 = boot.cr4 | 0;
  const segs: [number, SegmentRegisterState][] = [
    [SEG_ES, boot.es], [SEG_CS, boot.cs], [SEG_SS, boot.ss], [SEG_DS, boot.ds], [SEG_FS, boot.fs], [SEG_GS, boot.gs],
  ];
  for (const [seg, s] of segs) {
    cpu.segSel[seg] = s.selector;
    cpu.segBase[seg] = s.base | 0;
    cpu.segLimit[seg] = s.limit >>> 0;
    cpu.segAttr[seg] = attrOf(s);
  }
  cpu.codeSize = boot.cs.big ? 4 : 2;
  cpu.cpl = boot.cs.selector & 3;
  cpu.gdtBase = boot.gdtr.base | 0;
  cpu.gdtLimit = boot.gdtr.limit;
  cpu.idtBase = boot.idtr.base | 0;
  cpu.idtLimit = boot.idtr.limit;
  return cpu;
}

export class Machine {
  /** Guest RAM below 4 GiB (memory/pc-memory-layout.ts: all of -m up to 3.5 GiB exclusive). */
  readonly memory: PhysicalMemory;
  /** Where -m's RAM lies in the guest-physical address space. */
  readonly layout: PcMemoryLayout;
  readonly cpu: CpuState;
  readonly clock: VirtualClock;
  readonly devices: MachineDevices;
  readonly core: MonitorCore;
  readonly monitor: VirtualMachineMonitor;
  readonly events: EventService;
  /** The MMU's counters for --stats (null for a machine without one). */
  mmu: InspectableMmu | null = null;
  /** The MMU itself (shadow or nested): -d mmu wraps it, tests look inside it. */
  readonly pagingMmu: MmuCore;
  private readonly executor: GuestExecutor;
  private inputWaiter: (() => void) | null = null;
  /** A debugger's hold (src/debug/): while `paused`, run() waits instead of running the guest. */
  private debugHold: (DebugControl & { readonly paused: boolean }) | null = null;

  constructor(private readonly options: MachineOptions) {
    const layout = pcMemoryLayout(options.memoryBytes ?? DEFAULT_MEMORY_BYTES);
    this.layout = layout;
    this.memory = new PhysicalMemory(layout.belowFourGiB);
    const image = options.image;
    const ramAboveFourGiB = layout.aboveFourGiB;
    const loading = options.scatterSeed === undefined ? this.memory : new LoaderWrites(this.memory);
    const boot =
      image.kind === 'multiboot'
        ? loadMultiboot(loading, image.bytes, { cmdline: image.cmdline, modules: image.modules, ramAboveFourGiB })
        : image.kind === 'linux'
          ? loadBzImage(loading, image.bytes, { cmdline: image.cmdline, initrd: image.initrd, ramAboveFourGiB })
          : loadFlat(loading, image.bytes, image.loadAddress, image.entry);
    this.cpu = cpuFromBootState(boot);
    if (options.cpu !== undefined) this.cpu.model = options.cpu;
    const mmu = createMmu(this.cpu, this.memory, { kind: options.mmu ?? 'shadow', scatterSeed: options.scatterSeed });
    // The loader wrote guest-physical = machine; move each page to where the machine map puts it.
    if (loading instanceof LoaderWrites) scatterLoadedPages(this.memory, mmu.mem.map, loading.pages);
    this.pagingMmu = mmu;
    this.mmu = mmu;
    this.clock = new VirtualClock(this.cpu, options.time ?? { kind: 'host' });
    const debugLog = options.log;
    const guestLog = debugLog !== undefined && (options.debug?.has('guest_errors') || options.debug?.has('unimp'))
      ? new GuestLog(options.debug.has('guest_errors'), options.debug.has('unimp'), debugLog)
      : GuestLog.silent;
    const vm = { requestStop: (reason: StopReason) => this.core.requestEnd(runEndOf(reason)) };
    this.devices = createMachineDevices({
      serialOutput: options.serialOutput,
      clock: this.clock,
      vm,
      ramSize: this.memory.size,
      ramAboveFourGiB,
      memory: dmaMemory(mmu, () => linear),
      // Deterministic wall clock under --icount, so runs are reproducible.
      rtcStart: options.time?.kind === 'icount' ? new Date(Date.UTC(2000, 0, 1)) : undefined,
      guestLog,
    });
    const linear = new MmuLinearMemory(mmu, this.cpu, mmu.mem);
    this.core = new MonitorCore(this.cpu, linear, this.devices.bus, this.clock, options.virt ?? 'bt', VMM_ROUTINES.length);
    const log = options.log;
    if (log && options.debug?.has('int')) this.core.log = ((_c, line) => log(line + '\n')) as LogSink;
    this.core.mmu = mmu;
    this.core.guestLog = guestLog;
    this.core.localApic = this.devices.apic;
    this.monitor = new VirtualMachineMonitor(this.core);
    this.events = new EventService(this.core, this.devices.pic, this.devices.pit, this.clock, this.devices.apic);
    const interrupts = this.devices.apic ?? this.devices.pic;
    // FERR# (x87 errors with CR0.NE=0) as an edge on IRQ13 of the 8259, as QEMU's PC does.
    const ferrPic = this.devices.pic;
    this.core.raiseIrq = (irq) => {
      ferrPic.raiseIrq(irq);
      ferrPic.lowerIrq(irq);
    };
    this.core.interruptWaiting = () => interrupts.pendingVector() >= 0;
    this.events.maxInsns = options.maxInsns ?? Infinity;
    this.executor = (options.executor ?? createGuestExecutor)({
      cpu: this.cpu,
      memory: this.memory,
      monitor: this.monitor,
      core: this.core,
      vmmMemory: linear,
      mmu,
      events: () => this.events.service(),
      debug: options.debug ?? new Set(),
      log: options.log ?? (() => {}),
      singleStep: options.singleStep ?? false,
      disabledPasses: options.disabledPasses ?? new Set(),
      maxInsns: options.maxInsns ?? Infinity,
    });
  }

  /** Console input for the guest's COM1. */
  receiveInput(bytes: Uint8Array): void {
    this.devices.uart.receive(bytes);
    this.wakeInput();
  }

  /** Whether more console input may come; false once stdin has ended. */
  setInputOpen(open: boolean): void {
    this.events.inputOpen = open;
    this.wakeInput();
  }

  /**
   * The host can (false) or cannot (true) take more guest output: while it
   * cannot, the guest does not run (MonitorCore.hostBlocked).
   */
  setHostBlocked(blocked: boolean): void {
    this.core.hostBlocked = blocked;
    if (!blocked) this.wakeInput();
  }

  /** Ends the run from outside (the console's C-a x, a signal); a waiting run loop wakes at once. */
  stop(end: RunEnd): void {
    this.core.requestEnd(end);
    this.wakeInput();
  }

  /** Attaches a debugger (gdb stub, monitor), or detaches it with null. */
  attachDebugger(control: (DebugControl & { readonly paused: boolean }) | null): void {
    this.debugHold = control;
    this.executor.attachDebug?.(control);
  }

  /** A debugger changed its hold (resumed the guest): a waiting run loop looks again at once. */
  wake(): void {
    this.wakeInput();
  }

  /** Drops every translation (a debugger's watchpoints changed how code must reach memory). */
  flushTranslations(): void {
    this.executor.flushTranslations?.();
  }

  /** A debugger wrote guest memory at machine offset `machine`: translations of those bytes go. */
  codeWritten(machine: number, size: number): void {
    this.executor.codeWritten?.(machine, size);
  }

  private wakeInput(): void {
    const w = this.inputWaiter;
    this.inputWaiter = null;
    w?.();
  }

  /** Sleeps up to `ms` host milliseconds, waking early when input arrives. */
  private waitHost(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.inputWaiter = null;
        resolve();
      }, ms);
      this.inputWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async run(): Promise<RunResult> {
    const start = performance.now();
    const core = this.core;
    const cpu = this.cpu;
    while (core.end === null) {
      if (this.debugHold !== null && this.debugHold.paused) {
        await this.waitHost(100);
        continue;
      }
      if (core.hostBlocked) {
        // Time stands still for the guest until the host has drained its output.
        await this.waitHost(100);
        continue;
      }
      if (cpu.halted) {
        const action = this.events.idle();
        if (action.kind === 'sleep') await this.waitHost(Math.min(Math.max(action.ms, 0), 100));
        else if (action.kind === 'wait-input') await this.waitHost(100);
        continue;
      }
      this.events.newSlice();
      this.executor.run();
      // Give the host event loop a turn (stdin, timers) between slices.
      if (core.end === null && !cpu.halted) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { exitStatus: exitStatusOf(core.end), reason: core.end, stats: this.statistics(performance.now() - start) };
  }

  /** The run's counters so far (`--stats` at the end, the monitor's `info jit` during it). */
  statistics(hostMs: number): RunStats {
    const core = this.core, cpu = this.cpu;
    const s = core.stats;
    const routineCalls: Record<string, number> = {};
    VMM_ROUTINES.forEach((name, i) => {
      if (s.routineCalls[i]! > 0) routineCalls[name] = s.routineCalls[i]!;
    });
    return {
      instructions: cpu.icount,
      hostMs,
      virtualNs: this.clock.nowNs(),
      exceptions: s.exceptions,
      softwareInterrupts: s.softwareInterrupts,
      externalInterrupts: s.externalInterrupts,
      routineCalls,
      exceptionsByVector: byVector(s.exceptionsByVector),
      softwareByVector: byVector(s.softwareByVector),
      externalByVector: byVector(s.externalByVector),
      mmu: this.mmu === null ? null : { ...this.mmu.statistics },
      executor: this.executor.stats?.() ?? {},
    };
  }
}

/**
 * Guest RAM as a loader sees it when the machine map will scatter it: the
 * same bytes, with the pages the loader writes noted, so that only those
 * move afterwards. (Looking for them instead — every page that is not all
 * zeros — reads all of RAM, which commits it: 3 GiB of host memory at
 * -m 3584M, and 10 s.)
 */
class LoaderWrites extends PhysicalMemory {
  readonly pages = new Set<number>();

  constructor(memory: PhysicalMemory) {
    super(memory.size, memory.bytes.buffer as ArrayBuffer);
  }

  private note(pa: number, length: number): void {
    for (let p = Math.floor(pa / 4096), last = Math.floor((pa + length - 1) / 4096); p <= last; p++) this.pages.add(p);
  }

  override load(pa: number, data: Uint8Array): void {
    super.load(pa, data);
    this.note(pa, data.length);
  }
  override fill(pa: number, length: number, value = 0): void {
    super.fill(pa, length, value);
    this.note(pa, length);
  }
  override write8(pa: number, value: number): void {
    super.write8(pa, value);
    this.note(pa >>> 0, 1);
  }
  override write16(pa: number, value: number): void {
    super.write16(pa, value);
    this.note(pa >>> 0, 2);
  }
  override write32(pa: number, value: number): void {
    super.write32(pa, value);
    this.note(pa >>> 0, 4);
  }
}

/**
 * Rearranges machine memory after a loader that wrote guest-physical pages
 * `loaded` at the same machine pages: each moves to map.toMachine[g], and
 * what it leaves behind is zero again. Byte offsets are products, not
 * shifts: RAM may reach 3.5 GiB, beyond int32.
 */
function scatterLoadedPages(memory: PhysicalMemory, map: MachineMap, loaded: ReadonlySet<number>): void {
  const bytes = memory.bytes;
  const copies = new Map<number, Uint8Array>();
  for (const g of loaded) if (g < map.pages) copies.set(g, bytes.slice(g * 4096, (g + 1) * 4096));
  for (const g of copies.keys()) bytes.fill(0, g * 4096, (g + 1) * 4096);
  for (const [g, page] of copies) bytes.set(page, map.toMachine[g]! * 4096);
}

/**
 * Guest-physical memory as device DMA (fw_cfg) sees it: writes are reported
 * like the monitor's own, so shadowed page tables and translated code in
 * the range are dropped.
 */
function dmaMemory(mmu: MmuCore, vmm: () => MmuLinearMemory): DmaMemory & { readonly mmio: MmioMap } {
  const mem = mmu.mem;
  return {
    mmio: mem.mmio,
    read8: (pa) => mem.read8(pa),
    write8: (pa, v) => mem.write8(pa, v),
    written: (pa, length) => {
      mmu.onPhysicalWrite(pa, length);
      vmm().onWrite?.(pa, length);
    },
  };
}

function runEndOf(reason: StopReason): RunEnd {
  switch (reason.kind) {
    case 'exit':
      return { kind: 'exit', status: reason.status };
    case 'reset':
      return { kind: 'reset', detail: `reset (${reason.source})` };
    case 'poweroff':
      return { kind: 'reset', detail: `power-off (${reason.source})` };
  }
}
