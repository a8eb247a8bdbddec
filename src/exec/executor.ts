/**
 * The seam between the Machine and the translator's dispatcher.
 *
 * The machine owns the guest (memory, devices, CPU state, monitor, time);
 * the dispatcher (src/exec/dispatcher.ts, written with codegen) owns running
 * translated code. The dispatcher runs regions from cpu.eip and calls
 * `events()` between them; when it answers false — the guest halted, the
 * run must end, or the host wants a turn — run() returns. The dispatcher
 * must also keep cpu.icount up to date (time under --icount derives from it)
 * and listen to `vmmMemory.onWrite` so the VMM's own writes (interrupt
 * frames, descriptor accessed bits) invalidate translated code like guest
 * stores do.
 *
 * The implementation is createGuestExecutor (src/exec/guest-executor.ts);
 * tests may pass their own factory to the Machine.
 */
import type { CpuState } from '../state/state.js';
import type { DebugControl } from './dispatcher.js';
import type { Monitor } from '../vmm-interface/interface.js';
import type { VmmMemory } from '../vmm/linear-memory.js';
import type { MmuCore } from '../mmu/mmu-core.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { MonitorCore } from '../vmm/monitor-core.js';

export interface ExecutorParts {
  readonly cpu: CpuState;
  readonly memory: PhysicalMemory;
  readonly monitor: Monitor;
  /** Monitor state: `end` (stop), `onTlbFlush` (set by the executor if it caches translations of addresses). */
  readonly core: MonitorCore;
  /** The VMM's memory view; the executor sets `onWrite` to invalidate code the VMM overwrote. */
  readonly vmmMemory: VmmMemory;
  /**
   * The MMU, when the machine has one: generated code then reaches memory
   * through its software TLB and code is fetched through it. `vmmMemory`
   * then reports guest-physical addresses, which the executor maps to
   * machine addresses (mmu.mem) for the translation cache.
   */
  readonly mmu: MmuCore | null;
  /** Between regions: true = keep running, false = return from run(). */
  readonly events: () => boolean;
  /** QEMU-style -d categories the executor handles (in_asm, ir, opt, js, exec, …). */
  readonly debug: ReadonlySet<string>;
  /** Where debug dumps go (stderr or -D file). */
  readonly log: (text: string) => void;
  /** Translate one instruction per block. */
  readonly singleStep: boolean;
  /** Passes switched off with --no-opt (and 'locals': keep registers in CpuState). */
  readonly disabledPasses: ReadonlySet<string>;
  /** --max-insns: the dispatcher stops exactly there (Infinity: no limit). */
  readonly maxInsns: number;
}

export interface GuestExecutor {
  /** Runs translated code from cpu.eip until events() returns false. */
  run(): void;
  /** Counters for --stats (translations, cache hits, …). */
  stats?(): Readonly<Record<string, number>>;
  /** Attaches a debugger's hold on the run (src/debug/); null detaches it. */
  attachDebug?(control: DebugControl | null): void;
  /** Drops every translation (a debugger's watchpoints changed how code must reach memory). */
  flushTranslations?(): void;
  /** Bytes at machine offset `machine` were changed from outside the guest (a debugger's memory write). */
  codeWritten?(machine: number, size: number): void;
}

export type ExecutorFactory = (parts: ExecutorParts) => GuestExecutor;
