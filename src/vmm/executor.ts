/**
 * The seam between the Machine and the translator's dispatcher.
 *
 * The machine owns the guest (memory, devices, CPU state, monitor, time);
 * the dispatcher (src/cpu/dispatcher.ts, written with codegen) owns running
 * translated code. The dispatcher runs regions from cpu.eip and calls
 * `events()` between them; when it answers false — the guest halted, the
 * run must end, or the host wants a turn — run() returns. The dispatcher
 * must also keep cpu.icount up to date (time under --icount derives from it)
 * and listen to `vmmMemory.onWrite` so the VMM's own writes (interrupt
 * frames, descriptor accessed bits) invalidate translated code like guest
 * stores do.
 *
 * The expected export is `createGuestExecutor(parts: ExecutorParts):
 * GuestExecutor` from src/cpu/dispatcher.ts. It is imported dynamically so
 * the VMM builds and its tests run before the translator exists; without it
 * `btvm run` fails with a one-line TranslatorUnavailableError.
 */
import type { CpuState } from '../cpu/state.js';
import type { Monitor } from './interface.js';
import type { LinearMemory } from './linear-memory.js';
import type { PhysicalMemory } from './memory/physical-memory.js';
import type { MonitorCore } from './monitor-core.js';

export interface ExecutorParts {
  readonly cpu: CpuState;
  readonly memory: PhysicalMemory;
  readonly monitor: Monitor;
  /** Monitor state: `end` (stop), `onTlbFlush` (set by the executor if it caches translations of addresses). */
  readonly core: MonitorCore;
  /** The VMM's memory view; the executor sets `onWrite` to invalidate code the VMM overwrote. */
  readonly vmmMemory: LinearMemory;
  /** Between regions: true = keep running, false = return from run(). */
  readonly events: () => boolean;
  /** QEMU-style -d categories the executor handles (in_asm, ir, opt, js, exec, …). */
  readonly debug: ReadonlySet<string>;
  /** Where debug dumps go (stderr or -D file). */
  readonly log: (text: string) => void;
  /** Translate one instruction per block. */
  readonly singleStep: boolean;
  /** Passes switched off with --no-opt. */
  readonly disabledPasses: ReadonlySet<string>;
}

export interface GuestExecutor {
  /** Runs translated code from cpu.eip until events() returns false. */
  run(): void;
  /** Counters for --stats (translations, cache hits, …). */
  stats?(): Readonly<Record<string, number>>;
}

export type ExecutorFactory = (parts: ExecutorParts) => GuestExecutor;

/** `btvm run` needs the translator and it is not there (yet). */
export class TranslatorUnavailableError extends Error {
  override readonly name = 'TranslatorUnavailableError';
}

/** The dispatcher's factory, loaded on demand. */
export async function loadTranslator(): Promise<ExecutorFactory> {
  const path = '../cpu/dispatcher.js';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw new TranslatorUnavailableError('the translator (src/cpu/dispatcher.ts) is not built into this btvm yet');
    }
    throw e;
  }
  const factory = mod['createGuestExecutor'];
  if (typeof factory !== 'function') {
    throw new TranslatorUnavailableError('src/cpu/dispatcher.ts does not export createGuestExecutor(parts)');
  }
  return factory as ExecutorFactory;
}
