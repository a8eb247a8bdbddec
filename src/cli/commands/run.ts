/**
 * `btvm run KERNEL` (or QEMU's `-kernel K -initrd F -append S`): boot a
 * Linux bzImage, a Multiboot kernel or a flat image on the virtual PC and
 * run it by binary translation until it exits.
 *
 * Guest COM1 output goes to stdout as the guest writes it, stdin feeds COM1's
 * receiver (a terminal in raw mode with QEMU's Ctrl-A keys: src/cli/console/),
 * and debug dumps (-d, as QEMU's) go to stderr or the -D file. Output the host
 * cannot take yet stays bounded: a busy UART, then a paused guest. The process exit status
 * is the guest's isa-debug-exit status, or one of the statuses below when the
 * run ends another way (see --help). Bad input is one line on stderr and
 * exit 2; nothing here ever prints a stack trace.
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { FlowOutput, type HostStream } from '../console/flow-output.js';
import { parseSerialBackend, SerialConsole, type SerialBackend } from '../console/serial-console.js';
import { MONITOR_BANNER, MONITOR_PROMPT } from '../console/monitor-line.js';
import type { RawModeTerminal } from '../console/terminal.js';
import { attachMmuEventLog } from '../mmu-event-log.js';
import { DEBUG_ITEMS, debugHelp, parseDebugList, parseQemuDfilter, parseTraceFilter, type TraceFilter } from '../debug-items.js';
import { describeFailure, UsageError } from '../failure.js';
import { buildRunReport, formatRunReport, runReportJson } from '../run-stats.js';
import { guestExecutorFactory } from '../../exec/guest-executor.js';
import { GdbListenError, GdbStub, parseGdbDevice } from '../../debug/gdb-stub.js';
import { MachineMonitor, registerMonitor, runMonitorCommand } from '../../debug/monitor.js';
import { formatCpuDump } from '../../vmm/cpu-dump.js';
import type { ExecutorFactory } from '../../exec/executor.js';
import { DEFAULT_MEMORY_BYTES, Machine, type GuestImage, type RunResult } from '../../machine/machine.js';
import { MAX_RAM_BYTES } from '../../memory/pc-memory-layout.js';
import { looksLikeBzImage } from '../../loader/linux-bzimage.js';
import { ElfFormatError, parseElf32 } from '../../loader/elf32.js';
import { indexFunctions, type FunctionRanges } from '../../loader/elf32-symbol-index.js';
import { printable } from '../../text/printable.js';
import { moduleFileName, splitModuleList } from '../../loader/multiboot-modules.js';
import type { VirtMode } from '../../vmm/monitor-core.js';
import { parseMmuKind, UnknownMmuKind, type MmuKind } from '../../mmu/create-mmu.js';
import { describeRunEnd, EXIT_STATUS_HALTED, EXIT_STATUS_INSN_LIMIT, EXIT_STATUS_UNSUPPORTED } from '../../vmm/run-end.js';
import type { TimeMode } from '../../vmm/virtual-clock.js';
import { CPU_MODEL_NAMES, CpuModelError, DEFAULT_CPU_MODEL, parseCpuModel, type CpuModel } from '../../state/cpu-features.js';

export const RUN_USAGE = `usage: btvm run KERNEL [options]
       btvm run -kernel KERNEL [-initrd FILE] [-append CMDLINE] [options]
       btvm run --flat FILE --load ADDR --entry ADDR [options]

Boots a Linux bzImage (32-bit boot protocol) or a Multiboot kernel (ELF or
a.out-kludge) on a virtual PC: COM1 on stdin/stdout, 8259 PICs, 8254 PIT,
CMOS RTC, isa-debug-exit at 0xf4. -kernel, -initrd and -append are spelled
as in qemu-system-i386 (one dash or two).

options:
  -m SIZE            guest RAM, 1M..3584M (default 128M; suffix K, M or G, as 3.5G; plain number = MiB);
                     from 3584M QEMU's layout: 3G below 4 GiB, the rest above (reported, unreachable)
  -cpu MODEL[,+F|-F...]
                     CPU model, as QEMU spells it (default ${DEFAULT_CPU_MODEL}: QEMU's qemu32 without PAE,
                     which btvm does not execute; btvm32 also drops MMX FXSR SSE SSE2 SSE3); -cpu help lists models
  -kernel KERNEL     the kernel (the same as giving KERNEL as an argument)
  -append CMDLINE    kernel command line (Linux: cmd_line_ptr; Multiboot: cmdline)
  -initrd FILE       Linux: the initial RAM disk; Multiboot: modules "FILE [ARGS],FILE [ARGS]"
                     (each module's command line is its item; ",," is a comma)
  --max-insns N      stop after N guest instructions
  -icount [shift=]N, --icount[=SHIFT]
                     virtual time = instructions x 2^SHIFT ns (SHIFT 0..10, --icount alone: 0):
                     reproducible runs, halted time skipped (QEMU's sleep=off); without it virtual
                     time follows host time (shift=auto refused)
  --virt=bt|trap     bt (default): binary translation, every sensitive instruction virtualized;
                     trap: model classic trap-and-emulate (pushf/popf/sgdt/sidt/smsw/str/sldt
                     behave as on a deprivileged CPU)
  -d ITEM,...        debug logs, as QEMU's: ${DEBUG_ITEMS.map(([n]) => n).join(', ')}, all
                     (-d help: one line on each)
  -D FILE            write debug logs to FILE instead of stderr (created when something is logged)
  -dfilter RANGES    per-block logs only for guest addresses in RANGES, as QEMU's: START+SIZE,
                     START-SIZE (the SIZE bytes ending at START) or START..END, comma-separated
  --trace-filter RANGES
                     the same in btvm's older syntax: LO-HI (inclusive), LO+LEN or ADDR
  --single-step      translate one instruction per block
  --mmu shadow|nested
                     how guest paging is virtualized: shadow page tables with write-traced guest
                     tables (default), or a model of nested paging (a two-level walk per TLB miss)
  --scatter-memory[=SEED]
                     place guest-physical pages at shuffled machine pages (seeded; default seed 1)
  --no-opt=PASS      switch an optimisation pass off (repeatable)
  --stats            print a table of run statistics on stderr at the end: instructions, regions,
                     translations, time translating vs executing, cache hit rate, chaining,
                     invalidations, flushes, VMM calls by kind, exceptions/interrupts by vector, MMU
  --stats-json FILE  write the same statistics as JSON to FILE (- : stdout)
  --flat FILE        a raw binary instead of KERNEL, with both of:
  --load ADDR          the address it is loaded at
  --entry ADDR         the address the guest starts at
  -serial stdio|null|file:PATH|tcp:[HOST]:PORT[,server][,wait|nowait]
                     COM1's host end (default stdio: output to stdout, input from stdin); tcp: a
                     socket with the same flow control. server listens (HOST default 127.0.0.1) and,
                     with wait (the default), starts the guest when a client connects; output with
                     no client is dropped; a client that leaves makes room for the next. Without
                     server btvm connects to HOST:PORT; when that peer goes, COM1 input ends
  -s                 gdb stub on tcp::1234 (shorthand for -gdb tcp::1234); 127.0.0.1 only
  -gdb tcp::PORT     gdb stub on PORT: gdb -ex 'target remote :PORT' (docs/debugging.md)
  -S                 do not start the guest until gdb (or the monitor's cont) continues it
  -monitor stdio     monitor commands on stdin (info registers|tlb|mem|jit, x, xp, stop, cont, quit);
                     COM1 output still goes to stdout, COM1 gets no input
  -nographic, -no-reboot, -display none
                     accepted for QEMU command lines; btvm always behaves so
  -h, --help         this text

console (-serial stdio):
  Output reaches stdout as the guest writes it. When stdout cannot take more
  (a pipe nobody reads), COM1 reads busy (LSR.THRE clear) and, past a few MiB
  pending, the guest pauses until it drains; the same holds for -d on stderr.
  When stdout's reader goes away (btvm run K | head), the run ends.
  When stdin is a terminal it is put in raw mode, as by qemu -nographic: keys
  go to the guest (Ctrl-C too) and Ctrl-A starts a command: C-a x quits
  (exit 0), C-a h lists the keys, C-a C-a sends C-a, C-a c switches between
  the guest and the monitor prompt (the -monitor commands; the guest runs on).
  The terminal is restored however the run ends.
  stdin from a pipe or file is read as it comes; its end closes the input.

exit status:
  (V<<1)|1   the guest wrote V to isa-debug-exit (port 0xf4), as qemu-system-i386
  0          triple fault / reset request (qemu -no-reboot exits 0 too); C-a x or a signal
  2          bad command line or kernel image
  ${EXIT_STATUS_HALTED}          the guest halted with nothing left to wake it (QEMU would hang)
  ${EXIT_STATUS_INSN_LIMIT}          --max-insns reached
  ${EXIT_STATUS_UNSUPPORTED}          the guest used a feature btvm does not model (PAE, task switch, v8086, …)
  70         internal error in btvm
`;


export interface RunIo {
  stdout: (bytes: Uint8Array) => void;
  stderr: (text: string) => void;
  /** Subscribes to console input; returns an unsubscribe function. */
  stdin?: (onData: (bytes: Uint8Array) => void, onEnd: () => void) => () => void;
  /** The streams behind stdout and stderr, for flow control; absent: every write is taken at once. */
  stdoutStream?: HostStream;
  stderrStream?: HostStream;
  /** stdin, when it is a terminal: raw mode and the Ctrl-A keys while the guest runs. */
  terminal?: RawModeTerminal;
}

export interface RunCommandOptions {
  io?: RunIo;
  /** Translator to use (tests); default: src/exec/dispatcher.ts. */
  executor?: ExecutorFactory;
}

interface ParsedRun {
  image: GuestImage;
  memoryBytes: number;
  maxInsns?: number;
  time: TimeMode;
  virt: VirtMode;
  debug: Set<string>;
  logFile?: string;
  traceFilter?: TraceFilter;
  singleStep: boolean;
  stats: boolean;
  statsJson?: string;
  disabledPasses: Set<string>;
  mmu: MmuKind;
  scatterSeed?: number;
  cpu: CpuModel;
  serial: SerialBackend;
  /** -s / -gdb tcp::PORT: the gdb stub's port; -S: hold the guest until gdb continues it. */
  gdbPort?: number;
  waitForGdb: boolean;
  /** -monitor stdio: monitor commands from stdin (COM1 then takes no input). */
  monitorStdio: boolean;
}

function parseNumber(option: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`${option} needs a value`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`bad ${option} value '${text}'`);
  return n;
}

function icountShift(option: string, shift: number): number {
  if (shift > 10) throw new UsageError(`${option} shift must be 0..10 (as QEMU's)`);
  return shift;
}

/**
 * QEMU's `-icount [shift=]N`: N alone is the shift (QEMU's implied key).
 * shift=auto adjusts the guest's speed to host time, which would make runs
 * irreproducible, the reason btvm has icount at all; align=on and rr are
 * refused likewise. btvm's icount always jumps a halted CPU to its next
 * timer deadline (src/vmm/events.ts), which is QEMU's sleep=off: sleep=on
 * (QEMU's default, where a sleeping guest's time follows the host's) is
 * refused when asked for by name, and sleep=off and align=off are accepted.
 */
function parseQemuIcount(text: string): TimeMode {
  let shift = 0;
  for (const [i, item] of text.split(',').entries()) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? (i === 0 ? 'shift' : item) : item.slice(0, eq);
    const v = eq < 0 ? item : item.slice(eq + 1);
    if (key === 'shift' && v === 'auto') throw new UsageError('-icount shift=auto: btvm has only fixed shifts (auto follows host time, so runs would not repeat)');
    if (key === 'shift') shift = icountShift('-icount', parseNumber('-icount shift', v));
    else if ((key === 'sleep' || key === 'align') && v === 'off') continue;
    else if (key === 'sleep' && v === 'on') throw new UsageError('-icount sleep=on: btvm\'s icount always skips halted time to the next timer (QEMU\'s sleep=off)');
    else throw new UsageError(`-icount ${text}: btvm takes only shift=N (0..10), sleep=off and align=off, not '${item}'`);
  }
  return { kind: 'icount', shift };
}

/** The largest -m: 3.5 GiB, QEMU's i386 PC's RAM below the PCI hole (memory/pc-memory-layout.ts). */
export const MAX_MEMORY_BYTES = MAX_RAM_BYTES;

/** QEMU's -m syntax: a number of MiB, or a number (decimals allowed: 3.5G) with a K/M/G suffix. */
export function parseMemorySize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(text.trim());
  if (m === null) throw new UsageError(`bad memory size '${text}'`);
  const unit = { '': 1 << 20, K: 1 << 10, M: 1 << 20, G: 1 << 30 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const bytes = Number(m[1]) * unit;
  if (bytes < 1 << 20 || bytes > MAX_MEMORY_BYTES) throw new UsageError(`memory size '${text}' must be between 1M and 3584M (3.5G)`);
  if (bytes % 4096 !== 0) throw new UsageError(`memory size '${text}' must be a multiple of 4K`);
  return bytes;
}

export function parseRunArgs(argv: readonly string[]): ParsedRun | 'help' | 'debug-help' {
  let kernel: string | undefined;
  let flat: string | undefined;
  let load: number | undefined;
  let entry: number | undefined;
  let cmdline: string | undefined;
  let initrd: string | undefined;
  const parsed: Omit<ParsedRun, 'image'> = {
    memoryBytes: DEFAULT_MEMORY_BYTES,
    time: { kind: 'host' },
    virt: 'bt',
    debug: new Set(),
    singleStep: false,
    stats: false,
    disabledPasses: new Set(),
    cpu: parseCpuModel(DEFAULT_CPU_MODEL),
    mmu: 'shadow',
    serial: { kind: 'stdio' },
    waitForGdb: false,
    monitorStdio: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    // QEMU's boot options take one dash or two; -m is QEMU's too.
    const spelled = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const name = /^--?(kernel|initrd|append|serial|nographic|no-reboot|display)$/.test(spelled) ? spelled.replace(/^--/, '-') : spelled;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '-h': case '--help': return 'help';
      case '-cpu': case '--cpu': {
        const v = value();
        if (v === undefined) throw new UsageError('-cpu needs a model (-cpu help lists them)');
        if (v === 'help') throw new UsageError(`CPU models: ${CPU_MODEL_NAMES.join(', ')} (qemu32: QEMU's default CPU without PAE; btvm32: qemu32 without MMX, FXSR, SSE, SSE2, SSE3)`);
        try { parsed.cpu = parseCpuModel(v); } catch (e) { throw e instanceof CpuModelError ? new UsageError(e.message) : e; }
        break;
      }
      case '-m': { const v = value(); if (v === undefined) throw new UsageError('-m needs a size'); parsed.memoryBytes = parseMemorySize(v); break; }
      case '--max-insns': parsed.maxInsns = parseNumber('--max-insns', value()); break;
      case '--icount': parsed.time = { kind: 'icount', shift: icountShift('--icount', inline === undefined ? 0 : parseNumber('--icount', inline)) }; break;
      case '-icount': { const v = value(); if (v === undefined) throw new UsageError('-icount needs shift=N or N (0..10)'); parsed.time = parseQemuIcount(v); break; }
      case '--virt': {
        const v = value();
        if (v !== 'bt' && v !== 'trap') throw new UsageError(`--virt must be bt or trap, not '${v ?? ''}'`);
        parsed.virt = v;
        break;
      }
      case '-d': {
        const v = value();
        if (v === undefined) throw new UsageError('-d needs a list of items (-d help lists them)');
        if (parseDebugList(v, parsed.debug) === 'help') return 'debug-help';
        break;
      }
      case '-D': { const v = value(); if (v === undefined) throw new UsageError('-D needs a file name'); parsed.logFile = v; break; }
      case '--single-step': case '--singlestep': parsed.singleStep = true; break;
      case '--trace-filter': { const v = value(); if (v === undefined) throw new UsageError('--trace-filter needs address ranges'); parsed.traceFilter = parseTraceFilter(v); break; }
      case '-dfilter': { const v = value(); if (v === undefined) throw new UsageError('-dfilter needs address ranges (START+SIZE, START-SIZE, START..END)'); parsed.traceFilter = parseQemuDfilter(v); break; }
      case '--stats': parsed.stats = true; break;
      case '--mmu': {
        const v = value();
        if (v === undefined) throw new UsageError('--mmu needs shadow or nested');
        try {
          parsed.mmu = parseMmuKind(v);
        } catch (e) {
          if (e instanceof UnknownMmuKind) throw new UsageError(e.message);
          throw e;
        }
        break;
      }
      case '--scatter-memory': parsed.scatterSeed = inline === undefined ? 1 : parseNumber('--scatter-memory', inline); break;
      case '--stats-json': { const v = value(); if (v === undefined) throw new UsageError('--stats-json needs a file name'); parsed.statsJson = v; break; }
      case '--no-opt': { const v = value(); if (v === undefined) throw new UsageError('--no-opt needs a pass name'); parsed.disabledPasses.add(v); break; }
      case '-append': cmdline = value(); if (cmdline === undefined) throw new UsageError('-append needs a command line'); break;
      case '-initrd': initrd = value(); if (initrd === undefined) throw new UsageError('-initrd needs a file'); break;
      case '-kernel': {
        const v = value();
        if (v === undefined) throw new UsageError('-kernel needs a file');
        if (kernel !== undefined) throw new UsageError(`two kernels given: '${kernel}' and '${v}'`);
        kernel = v;
        break;
      }
      case '-serial': { const v = value(); if (v === undefined) throw new UsageError('-serial needs stdio, null, file:PATH or tcp:HOST:PORT'); parsed.serial = parseSerialBackend(v); break; }
      case '-nographic': case '-no-reboot': break; // what btvm always does
      case '-s': parsed.gdbPort = 1234; break;
      case '-S': parsed.waitForGdb = true; break;
      case '-monitor': {
        const v = value();
        if (v !== 'stdio') throw new UsageError(`-monitor ${v ?? ''}: btvm's monitor is on stdio only (-monitor stdio)`);
        parsed.monitorStdio = true;
        break;
      }
      case '-gdb': {
        const v = value();
        const port = v === undefined ? null : parseGdbDevice(v);
        if (port === null) throw new UsageError(`-gdb needs tcp::PORT (the stub listens on 127.0.0.1 only), not '${v ?? ''}'`);
        parsed.gdbPort = port;
        break;
      }
      case '-display': { const v = value(); if (v !== 'none') throw new UsageError(`-display ${v ?? ''}: btvm has no display (only none)`); break; }
      case '--flat': flat = value(); if (flat === undefined) throw new UsageError('--flat needs a file'); break;
      case '--load': load = parseNumber('--load', value()); break;
      case '--entry': entry = parseNumber('--entry', value()); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}' (see btvm run --help)`);
        if (kernel !== undefined) throw new UsageError(`unexpected argument '${arg}' (the kernel is '${kernel}')`);
        kernel = arg;
    }
  }
  let image: GuestImage;
  if (flat !== undefined) {
    if (kernel !== undefined) throw new UsageError('give either KERNEL or --flat FILE, not both');
    if (initrd !== undefined) throw new UsageError('-initrd needs a kernel, not --flat');
    if (load === undefined || entry === undefined) throw new UsageError('--flat needs --load ADDR and --entry ADDR');
    image = { kind: 'flat', bytes: readFileSync(flat), loadAddress: load, entry };
  } else {
    if (kernel === undefined) throw new UsageError('no kernel given (see btvm run --help)');
    if (load !== undefined || entry !== undefined) throw new UsageError('--load/--entry only apply with --flat');
    image = kernelImage(readFileSync(kernel), cmdline, initrd);
  }
  return { ...parsed, image };
}

/** A Linux bzImage (initrd: one file) or a Multiboot kernel (initrd: a module list), as QEMU tells them apart. */
function kernelImage(bytes: Uint8Array, cmdline: string | undefined, initrd: string | undefined): GuestImage {
  if (looksLikeBzImage(bytes)) return { kind: 'linux', bytes, cmdline, initrd: initrd === undefined ? undefined : readFileSync(initrd) };
  const modules = initrd === undefined ? undefined : splitModuleList(initrd).map((item) => ({ cmdline: item, bytes: readFileSync(moduleFileName(item)) }));
  return { kind: 'multiboot', bytes, cmdline, modules };
}

/** For `-d in_asm`'s `IN: name`: the functions of a Multiboot ELF kernel (a bad ELF is left to the loader to report). */
function kernelFunctions(image: GuestImage): ((address: number) => string | undefined) | undefined {
  if (image.kind !== 'multiboot' || !isElf(image.bytes)) return undefined;
  let functions: FunctionRanges;
  try {
    functions = indexFunctions(parseElf32(image.bytes));
  } catch (e) {
    if (e instanceof ElfFormatError) return undefined;
    throw e;
  }
  return (address) => {
    const name = functions.nameAt(address);
    return name === undefined ? undefined : printable(name);
  };
}

const isElf = (b: Uint8Array): boolean => b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

const processIo: RunIo = {
  stdout: (b) => process.stdout.write(b),
  stderr: (t) => process.stderr.write(t),
  stdoutStream: process.stdout,
  stderrStream: process.stderr,
  get terminal(): RawModeTerminal | undefined {
    return process.stdin.isTTY ? process.stdin : undefined;
  },
  stdin: (onData, onEnd) => {
    const data = (chunk: Buffer) => onData(new Uint8Array(chunk));
    process.stdin.on('data', data);
    process.stdin.on('end', onEnd);
    return () => {
      process.stdin.off('data', data);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
    };
  },
};

/** Endings that print the register dump (and a signal): not the guest's debug-exit, reset or power-off, C-a x or a monitor quit. */
const ENDS_WITH_DUMP: ReadonlySet<string> = new Set(['triple-fault', 'halted', 'insn-limit', 'unsupported', 'internal-error']);

/** The statistics of a run still going, for the monitor's `info jit`. */
function statusSoFar(machine: Machine, started: number): RunResult {
  return { exitStatus: 0, reason: { kind: 'quit', detail: 'running' }, stats: machine.statistics(performance.now() - started) };
}

/** -monitor stdio: each line of stdin is a monitor command, answered on stdout; returns the unsubscribe. */
function readMonitorLines(monitor: MachineMonitor, io: RunIo): () => void {
  const encoder = new TextEncoder();
  let pending = '';
  io.stdout(encoder.encode(MONITOR_BANNER + MONITOR_PROMPT));
  return io.stdin?.((bytes) => {
    pending += new TextDecoder().decode(bytes);
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      io.stdout(encoder.encode(monitor.run(line) + MONITOR_PROMPT));
    }
  }, () => {}) ?? (() => {});
}

/** --stats and --stats-json, from the same report. */
function reportStats(parsed: ParsedRun, result: RunResult, io: RunIo): void {
  if (!parsed.stats && parsed.statsJson === undefined) return;
  const report = buildRunReport(result);
  if (parsed.stats) io.stderr(formatRunReport(report));
  if (parsed.statsJson === '-') io.stdout(new TextEncoder().encode(runReportJson(report)));
  else if (parsed.statsJson !== undefined) writeFileSync(parsed.statsJson, runReportJson(report));
}

export async function runCommand(argv: string[], options: RunCommandOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  let logFd: number | null = null;
  let serial: SerialConsole | null = null;
  let logOutput: FlowOutput | null = null;
  try {
    const parsed = parseRunArgs(argv);
    if (parsed === 'help' || parsed === 'debug-help') {
      io.stdout(new TextEncoder().encode(parsed === 'help' ? RUN_USAGE : debugHelp()));
      return 0;
    }
    // A -D file is written synchronously (bounded by itself); stderr may be a pipe, so it has flow control.
    const logFlow = new FlowOutput((t) => io.stderr(typeof t === 'string' ? t : new TextDecoder().decode(t)), io.stderrStream ?? null);
    logOutput = logFlow;
    // -D with -d items makes the file at once (empty if nothing matched); without -d it appears only if something is logged.
    const logFile = parsed.logFile;
    if (logFile !== undefined && parsed.debug.size > 0) logFd = openSync(logFile, 'w');
    const log = logFile !== undefined
      ? (t: string) => void writeSync(logFd ??= openSync(logFile, 'w'), t)
      : (t: string) => logFlow.sendText(t);
    const functionAt = parsed.debug.has('in_asm') ? kernelFunctions(parsed.image) : undefined;
    const executor = options.executor ?? guestExecutorFactory({ traceFilter: parsed.traceFilter, functionAt });
    // With -monitor stdio, stdin belongs to the monitor.
    serial = new SerialConsole(parsed.serial, parsed.monitorStdio ? { ...io, stdin: undefined, terminal: undefined } : io);
    const serialConsole = serial;
    const machine = new Machine({
      image: parsed.image,
      memoryBytes: parsed.memoryBytes,
      time: parsed.time,
      maxInsns: parsed.maxInsns,
      virt: parsed.virt,
      serialOutput: serialConsole.output,
      executor,
      debug: parsed.debug,
      log,
      singleStep: parsed.singleStep,
      disabledPasses: parsed.disabledPasses,
      mmu: parsed.mmu,
      scatterSeed: parsed.scatterSeed,
      cpu: parsed.cpu,
    });
    if (parsed.debug.has('mmu')) attachMmuEventLog(machine.pagingMmu, machine.cpu, log);
    const flowChanged = (): void => {
      if (!serialConsole.output.busy) machine.devices.uart.lineIdle();
      machine.setHostBlocked(serialConsole.output.blocked || logFlow.blocked);
    };
    serialConsole.output.onChange = flowChanged;
    logFlow.onChange = flowChanged;
    // -serial tcp: the socket first (a server with wait holds the guest here until a client connects).
    await serialConsole.open(io.stderr);
    serialConsole.start({
      input: (b) => machine.receiveInput(b),
      inputOpen: (open) => machine.setInputOpen(open),
      quit: (detail) => machine.stop({ kind: 'quit', detail }),
      monitor: (line) => runMonitorCommand(machine, line),
    });
    if (parsed.waitForGdb && parsed.gdbPort === undefined && !parsed.monitorStdio) {
      throw new UsageError('-S needs -s, -gdb tcp::PORT or -monitor stdio (nothing could start the guest)');
    }
    const started = performance.now();
    let monitor: MachineMonitor | null = null;
    const stub = parsed.gdbPort === undefined ? null
      : await GdbStub.listen(machine, { port: parsed.gdbPort, waitForGdb: parsed.waitForGdb, monitor: (line) => monitor!.run(line) })
        .catch((e: unknown) => {
          throw e instanceof GdbListenError ? new UsageError(e.message) : e;
        });
    monitor = new MachineMonitor(machine, {
      session: stub?.session,
      startPaused: parsed.waitForGdb,
      jitReport: () => formatRunReport(buildRunReport(statusSoFar(machine, started))),
    });
    registerMonitor(monitor);
    const stopMonitorInput = parsed.monitorStdio ? readMonitorLines(monitor, io) : null;
    const result = await machine.run();
    stopMonitorInput?.();
    await stub?.finish(result.exitStatus);
    // The terminal back in its own mode, and the log out, before anything more is printed.
    serialConsole.close();
    logFlow.flush();
    const note = describeRunEnd(result.reason);
    if (note !== null) io.stderr(`btvm: ${note}\n`);
    // Where the guest was, as QEMU's register dump, whenever it did not end by its own choice.
    if (ENDS_WITH_DUMP.has(result.reason.kind) || (result.reason.kind === 'quit' && /signal/.test(result.reason.detail))) {
      io.stderr(formatCpuDump(machine.cpu, { fpu: machine.core.x87.s, simd: machine.core.simd.s, interruptShadow: machine.core.interruptShadowed }));
    }
    reportStats(parsed, result, io);
    return result.exitStatus;
  } catch (e) {
    serial?.close();
    logOutput?.flush();
    const { message, status } = describeFailure(e);
    io.stderr(`btvm: ${message}\n`);
    if (process.env.BTVM_DEBUG && e instanceof Error) io.stderr(`${e.stack}\n`);
    return status;
  } finally {
    serial?.close();
    if (logFd !== null) closeSync(logFd);
  }
}
