/**
 * The library's machine: a virtual PC that boots a guest image and runs it
 * by binary translation, with serial input and output as host streams, and
 * its registers, memory and statistics readable from the host.
 *
 * A thin façade over src/machine/machine.ts, which the `btvm run` command
 * uses too: this file turns library-shaped options (sizes as text or bytes,
 * output as chunks) into MachineOptions and results into plain records.
 * docs/api.md documents it; src/api/index.ts is the package root.
 */
import { parseMemorySize } from '../cli/commands/run.js';
import { buildRunReport, type RunReport } from '../cli/run-stats.js';
import { DEFAULT_MEMORY_BYTES, Machine, type GuestImage, type RunResult } from '../machine/machine.js';
import { looksLikeBzImage } from '../loader/linux-bzimage.js';
import { parseCpuModel } from '../state/cpu-features.js';
import type { MmuKind } from '../mmu/create-mmu.js';
import { readEflags } from '../vmm/lazy-flags.js';

export type { GuestImage, RunReport, RunResult };

export interface BtvmOptions {
  /** Guest RAM: bytes, or QEMU's -m text ('128M', '1G', '3.5G'); default 128 MiB, at most 3.5 GiB. */
  readonly memory?: number | string;
  /** Stop after this many guest instructions (the run's budget); default: run until the guest ends. */
  readonly maxInsns?: number;
  /** Virtual time from the instruction count, 2^shift ns each, for reproducible runs; default: host time. */
  readonly icountShift?: number;
  /** CPU model as QEMU's -cpu spells it; default the CLI's default model. */
  readonly cpu?: string;
  /** How guest paging is virtualized; default 'shadow'. */
  readonly mmu?: MmuKind;
  /** Receives COM1 output as the guest writes it (chunks of bytes); default: dropped. */
  readonly serialOutput?: (bytes: Uint8Array) => void;
  /** QEMU -d items (e.g. ['in_asm', 'int']) and where their text goes (default: dropped). */
  readonly debug?: readonly string[];
  readonly log?: (text: string) => void;
}

/** The general registers, eip and eflags, as unsigned 32-bit numbers. */
export interface Registers {
  eax: number; ecx: number; edx: number; ebx: number; esp: number; ebp: number; esi: number; edi: number;
  eip: number; eflags: number;
}

const REGISTER_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

/** A Linux bzImage or a Multiboot kernel (ELF or a.out kludge), told apart as QEMU does. */
export function kernelImage(bytes: Uint8Array, cmdline?: string): GuestImage {
  return looksLikeBzImage(bytes) ? { kind: 'linux', bytes, cmdline } : { kind: 'multiboot', bytes, cmdline };
}

/** A raw binary loaded at `loadAddress` and entered at `entry` (flat 32-bit protected mode). */
export function flatImage(bytes: Uint8Array, loadAddress: number, entry: number): GuestImage {
  return { kind: 'flat', bytes, loadAddress, entry };
}

export class Btvm {
  /** The machine underneath, for what this façade does not cover (its API may change between versions). */
  readonly machine: Machine;
  private last: RunResult | null = null;
  private pending: number[] = [];

  constructor(image: GuestImage, options: BtvmOptions = {}) {
    const out = options.serialOutput;
    // The UART hands over one byte at a time; the host gets them in chunks, once per microtask and at the end of a run.
    const serialOutput = out === undefined ? () => {} : (byte: number) => {
      if (this.pending.push(byte) === 1) queueMicrotask(() => this.flushSerial());
    };
    const memory = options.memory;
    this.machine = new Machine({
      image,
      memoryBytes: memory === undefined ? DEFAULT_MEMORY_BYTES : parseMemorySize(typeof memory === 'number' ? `${Math.floor(memory / 1024)}K` : memory),
      maxInsns: options.maxInsns,
      time: options.icountShift === undefined ? { kind: 'host' } : { kind: 'icount', shift: options.icountShift },
      cpu: options.cpu === undefined ? undefined : parseCpuModel(options.cpu),
      mmu: options.mmu,
      serialOutput,
      debug: new Set(options.debug ?? []),
      log: options.log ?? (() => {}),
    });
    this.output = out ?? (() => {});
  }

  private readonly output: (bytes: Uint8Array) => void;

  private flushSerial(): void {
    if (this.pending.length === 0) return;
    const chunk = Uint8Array.from(this.pending);
    this.pending = [];
    this.output(chunk);
  }

  /** Bytes for COM1's receiver, as if typed on the serial line. */
  sendSerial(bytes: Uint8Array | string): void {
    this.machine.receiveInput(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
  }

  /** Runs until the guest exits (isa-debug-exit, reset, halt with nothing to wake it) or the instruction budget ends. */
  async run(): Promise<RunResult> {
    this.last = await this.machine.run();
    this.flushSerial();
    return this.last;
  }

  registers(): Registers {
    const cpu = this.machine.cpu;
    const r = { eip: cpu.eip >>> 0, eflags: readEflags(cpu) >>> 0 } as Registers;
    REGISTER_NAMES.forEach((name, i) => (r[name] = cpu.regs[i]! >>> 0));
    return r;
  }

  /** A copy of guest-physical memory [address, address + length); throws GuestMemoryError outside RAM. */
  readMemory(address: number, length: number): Uint8Array {
    return this.machine.memory.slice(address, length);
  }

  /** What the last run did: instructions, translations, cache, VMM calls, exceptions (the CLI's --stats-json). */
  statistics(): RunReport {
    if (this.last === null) throw new Error('statistics() needs a finished run()');
    return buildRunReport(this.last);
  }
}
