/**
 * The monitor: QEMU's human monitor commands that make sense for btvm, for
 * `-monitor stdio`, gdb's `monitor` command (qRcmd) and the serial
 * console's C-a c (through runMonitorCommand):
 *
 *   info registers     the CPU state in QEMU's format (vmm/cpu-dump.ts)
 *   info tlb, info mem the guest's page mappings, as QEMU prints them
 *   info jit           the run statistics so far (the --stats table)
 *   x /Nfu ADDR        memory at a linear address (through the guest's paging)
 *   xp /Nfu ADDR       memory at a guest-physical address
 *   stop, cont         hold and release the guest
 *   quit               end the run (exit status 0, as QEMU's)
 *
 * Each command returns its output as text; nothing is printed here.
 */
import type { Machine } from '../machine/machine.js';
import { formatCpuDump } from '../vmm/cpu-dump.js';
import { DebugSession } from './debug-session.js';
import { GuestMemoryView } from './guest-memory-view.js';

export interface MonitorOptions {
  /** The debug session to hold the guest with (the gdb stub's, when there is one). */
  readonly session?: DebugSession;
  /** Without `session`: the monitor's own session holds the guest from the start (-S). */
  readonly startPaused?: boolean;
  /** `info jit`: the run statistics as text (the CLI formats them). */
  readonly jitReport?: () => string;
}

const HELP = `info registers|tlb|mem|jit, x /Nfu ADDR, xp /Nfu ADDR, stop, cont, quit
  N count, f format (x hex, d signed, u unsigned, o octal, c char), u unit (b 1, h 2, w 4, g 8 bytes)
`;

const PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_PWT = 8, PTE_PCD = 0x10, PTE_A = 0x20, PTE_D = 0x40, PDE_PS = 0x80, PTE_G = 0x100;
const CR0_PG = 1 << 31, CR4_PSE = 1 << 4;

const hex = (v: number | bigint, digits: number): string => v.toString(16).padStart(digits, '0');

export class MachineMonitor {
  readonly session: DebugSession;
  private readonly memory: GuestMemoryView;

  constructor(readonly machine: Machine, private readonly options: MonitorOptions = {}) {
    this.session = options.session ?? new DebugSession(machine, options.startPaused ?? false);
    this.memory = new GuestMemoryView(machine);
  }

  /** Runs one command line; returns its output (empty for none). */
  run(line: string): string {
    const words = line.trim().split(/\s+/);
    const [command, arg] = words;
    switch (command) {
      case undefined: case '': return '';
      case 'help': case '?': return HELP;
      case 'info':
        switch (arg) {
          case 'registers': return this.registers();
          case 'tlb': return this.pageMappings('tlb');
          case 'mem': return this.pageMappings('mem');
          case 'jit': return this.options.jitReport?.() ?? 'no statistics available\n';
          default: return `info ${arg ?? ''}: unknown (info registers, tlb, mem or jit)\n`;
        }
      case 'x': case 'xp': return this.dump(words.slice(1).join(' '), command === 'xp');
      case 'stop': this.session.pause(); return '';
      case 'cont': case 'c': this.session.resume(); return '';
      case 'quit': case 'q':
        this.machine.stop({ kind: 'quit', detail: 'quit (monitor)' });
        return '';
      default: return `unknown command: '${command}' (help lists them)\n`;
    }
  }

  private registers(): string {
    const m = this.machine;
    return 'CPU#0\n' + formatCpuDump(m.cpu, { fpu: m.core.x87.s, simd: m.core.simd.s, interruptShadow: m.core.interruptShadowed });
  }

  /** `x /Nfu ADDR` as QEMU's memory_dump: 16 bytes a line (8 for bytes), each value in the format's width. */
  private dump(args: string, physical: boolean): string {
    // QEMU's /Nfu: a count, then format and unit letters in either order.
    const m = /^(?:\/(\d*)([xduocbhwg]*)\s*)?(\S+)$/.exec(args.trim());
    if (m === null) return `usage: ${physical ? 'xp' : 'x'} /Nfu ADDR\n`;
    const count = m[1] ? Number(m[1]) : 1;
    const letters = m[2] ?? '';
    const format = /[xduoc]/.exec(letters)?.[0] ?? 'x';
    const size = format === 'c' ? 1 : { b: 1, h: 2, w: 4, g: 8 }[(/[bhwg]/.exec(letters)?.[0] ?? 'w') as 'b' | 'h' | 'w' | 'g'];
    const address = Number(m[3]);
    if (!Number.isSafeInteger(address)) return `bad address '${m[3]}'\n`;
    const lineSize = size === 1 ? 8 : 16;
    const bits = size * 8;
    const digits = format === 'o' ? Math.ceil(bits / 3) : format === 'x' ? bits / 4 : Math.ceil((bits * 10) / 33);
    let out = '';
    for (let offset = 0; offset < count * size; offset += lineSize) {
      const at = address + offset;
      const length = Math.min(lineSize, count * size - offset);
      const bytes = this.memory.read(at, length, physical);
      if (bytes.length < length) return out + `Cannot access memory\n`;
      out += physical ? `${hex(at, 16)}:` : `${hex(at >>> 0, 8)}:`;
      for (let i = 0; i < length; i += size) {
        let v = 0n;
        for (let b = size - 1; b >= 0; b--) v = (v << 8n) | BigInt(bytes[i + b]!);
        // QEMU reads the unit unsigned for d as for u (x /dh of 0xb002 prints 45058).
        out += ' ' + (format === 'x' ? '0x' + hex(v, digits)
          : format === 'o' ? ('0' + v.toString(8)).padStart(digits)
            : format === 'c' ? (v >= 0x20n && v < 0x7fn ? `'${String.fromCharCode(Number(v))}'` : `'\\x${hex(v, 2)}'`)
              : v.toString().padStart(digits));
      }
      out += '\n';
    }
    return out;
  }

  /** Present mappings from the guest's page directory: per page (`info tlb`) or merged into ranges of equal rights (`info mem`). */
  private pageMappings(kind: 'tlb' | 'mem'): string {
    const cpu = this.machine.cpu;
    if ((cpu.cr0 & CR0_PG) === 0) return 'PG disabled\n';
    const read32 = (pa: number): number => {
      const b = this.memory.read(pa, 4, true);
      return b.length < 4 ? 0 : (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    };
    const lines: string[] = [];
    let start = -1, end = 0, rights = 0;
    const range = (address: number, size: number, prot: number): void => {
      if (prot !== rights || address !== end || start < 0) {
        if (kind === 'mem' && start >= 0 && rights !== 0) lines.push(memLine(start, end, rights));
        start = address;
        rights = prot;
      }
      end = address + size;
    };
    const tlbLine = (address: number, frame: number, entry: number): void => {
      const f = (bit: number, c: string) => (entry & bit ? c : '-');
      lines.push(`${hex(address, 16)}: ${hex(frame, 16)} -${f(PTE_G, 'G')}${f(PDE_PS, 'P')}${f(PTE_D, 'D')}${f(PTE_A, 'A')}${f(PTE_PCD, 'C')}${f(PTE_PWT, 'T')}${f(PTE_US, 'U')}${f(PTE_RW, 'W')}`);
    };
    const dir = cpu.cr3 & ~0xfff;
    for (let i = 0; i < 1024; i++) {
      const pde = read32(dir + i * 4);
      const base = i * 0x400000;
      if ((pde & PTE_P) === 0) { range(base, 0x400000, 0); continue; }
      if ((pde & PDE_PS) !== 0 && (cpu.cr4 & CR4_PSE) !== 0) {
        if (kind === 'tlb') tlbLine(base, (pde & 0xffc00000) >>> 0, pde);
        range(base, 0x400000, pde & (PTE_P | PTE_RW | PTE_US));
        continue;
      }
      const table = pde & ~0xfff;
      for (let j = 0; j < 1024; j++) {
        const pte = read32(table + j * 4);
        const address = base + j * 4096;
        if ((pte & PTE_P) === 0) { range(address, 4096, 0); continue; }
        if (kind === 'tlb') tlbLine(address, (pte & ~0xfff) >>> 0, pte & ~PDE_PS);
        range(address, 4096, pde & pte & (PTE_P | PTE_RW | PTE_US));
      }
    }
    range(0x1_0000_0000, 0, -1);
    return lines.join('\n') + (lines.length > 0 ? '\n' : '');
  }
}

function memLine(start: number, end: number, rights: number): string {
  return `${hex(start, 8)}-${hex(end, 8)} ${hex(end - start, 8)} ${rights & PTE_US ? 'u' : '-'}r${rights & PTE_RW ? 'w' : '-'}`;
}

const monitors = new WeakMap<Machine, MachineMonitor>();

/** Runs a monitor command on `machine` (the console's C-a c uses this): the machine's one monitor, made on first use. */
export function runMonitorCommand(machine: Machine, line: string): string {
  let monitor = monitors.get(machine);
  if (monitor === undefined) {
    monitor = new MachineMonitor(machine);
    monitors.set(machine, monitor);
  }
  return monitor.run(line);
}

/** Makes `monitor` the one runMonitorCommand uses for its machine (so -monitor, gdb and the console share one session). */
export function registerMonitor(monitor: MachineMonitor): void {
  monitors.set(monitor.machine, monitor);
}
