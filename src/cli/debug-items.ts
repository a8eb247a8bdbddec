/**
 * The `btvm run -d` items (QEMU's -d log items, the ones that make sense for
 * a binary translator) and the address ranges of `-dfilter` (QEMU's syntax)
 * and `--trace-filter` (btvm's older LO-HI syntax).
 *
 * The table below is the single source for `-d help`, the option check and
 * the usage text. Which layer writes an item:
 *   in_asm, ir, opt, js   the translator, per translated block (TranslationLog)
 *   exec, cpu, tc         the guest executor (src/exec/guest-executor.ts)
 *   int                   the monitor's event delivery (MonitorCore.log)
 *   mmu                   wrappers around the run's MMU (mmu-event-log.ts)
 *   guest_errors, unimp   the monitor and devices, through one GuestLog (src/vmm/guest-log.ts)
 *   nochain               not a log: the dispatcher leaves direct exits unchained
 * Per-block items (in_asm, ir, opt, js, exec, cpu, tc) honour -dfilter/--trace-filter.
 */
import { UsageError } from './failure.js';

export const DEBUG_ITEMS = [
  ['in_asm', 'guest instructions of each translated block, headed IN: FUNCTION (kernel symbols) or IN: ADDRESS'],
  ['ir', 'IR of each block as lifted, before optimisation'],
  ['opt', 'IR of each block after the optimisation passes'],
  ['js', 'generated JavaScript of each translated region'],
  ['exec', 'each region executed: guest EIP, mode, instructions retired so far'],
  ['cpu', 'the CPU state (QEMU\'s register dump) before each region executed'],
  ['int', 'exceptions and interrupts delivered to the guest (vector, error code, CS:EIP, SS:ESP)'],
  ['mmu', 'MMU events: TLB misses and how each ended (machine page, hidden or guest page fault), CR3/CR0/CR4 writes, invlpg, flushes'],
  ['tc', 'translation cache: translations, invalidations (self-modifying code) and flushes'],
  ['guest_errors', 'guest mistakes: I/O ports no device decodes, unknown MSRs, physical accesses outside RAM and devices, bad device register accesses'],
  ['unimp', 'device registers and commands the guest used that btvm accepts but does not model'],
  ['nochain', 'do not chain translated regions, so that exec and cpu show complete traces'],
] as const;

export type DebugItem = (typeof DEBUG_ITEMS)[number][0];

const NAMES: ReadonlySet<string> = new Set(DEBUG_ITEMS.map(([n]) => n));

/** `-d help`: one line per item, as `qemu -d help` prints them. */
export function debugHelp(): string {
  return 'Log items (comma separated, -d ITEM,ITEM,...):\n' +
    DEBUG_ITEMS.map(([n, what]) => `${n.padEnd(12)} ${what}\n`).join('') +
    `${'all'.padEnd(12)} every item above\n` +
    'Per-block items (in_asm, ir, opt, js, exec, cpu, tc) honour -dfilter; output goes to stderr or -D FILE.\n';
}

/** Parses a -d list into `into`; 'help' when the list asks for the item list. */
export function parseDebugList(list: string, into: Set<string>): 'help' | void {
  for (const item of list.split(',')) {
    if (item === 'help') return 'help';
    if (item === 'all') {
      for (const n of NAMES) into.add(n);
      continue;
    }
    if (!NAMES.has(item)) throw new UsageError(`unknown -d item '${item}' (btvm run -d help lists them)`);
    into.add(item);
  }
}

/** Inclusive guest address ranges; an address is traced when any range holds it. */
export class TraceFilter {
  constructor(readonly ranges: readonly (readonly [number, number])[]) {}

  has(address: number): boolean {
    const a = address >>> 0;
    for (const [lo, hi] of this.ranges) if (a >= lo && a <= hi) return true;
    return false;
  }

  /** Whether [start, end] overlaps any range. */
  overlaps(start: number, end: number): boolean {
    for (const [lo, hi] of this.ranges) if (start >>> 0 <= hi && end >>> 0 >= lo) return true;
    return false;
  }
}

function parseAddress(text: string, whole: string): number {
  const n = /^0x[0-9a-f]+$/i.test(text) || /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffff_ffff) throw new UsageError(`bad --trace-filter address '${text}' in '${whole}'`);
  return n;
}

/**
 * `--trace-filter` syntax: comma-separated ranges, each `LO-HI` (inclusive:
 * NOT QEMU's meaning of `-`, see parseQemuDfilter), `LO+LEN` or a single
 * address. Numbers are decimal or 0x-hex.
 */
export function parseTraceFilter(text: string): TraceFilter {
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const p = part.trim();
    let lo: number, hi: number;
    const plus = p.indexOf('+'), dash = p.indexOf('-');
    if (plus > 0) {
      lo = parseAddress(p.slice(0, plus), text);
      const len = parseAddress(p.slice(plus + 1), text);
      if (len === 0) throw new UsageError(`empty --trace-filter range '${p}'`);
      hi = lo + len - 1;
    } else if (dash > 0) {
      lo = parseAddress(p.slice(0, dash), text);
      hi = parseAddress(p.slice(dash + 1), text);
    } else {
      lo = hi = parseAddress(p, text);
    }
    if (hi < lo || hi > 0xffff_ffff) throw new UsageError(`bad --trace-filter range '${p}' (want LO-HI with LO <= HI)`);
    ranges.push([lo, hi]);
  }
  return new TraceFilter(ranges);
}

/** A number as C's strtoull with base 0 reads it (QEMU's qemu_strtou64): 0x hex, leading-0 octal, decimal. */
function parseCNumber(text: string, whole: string): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? Number(text)
    : /^0[0-7]*$/.test(text) ? parseInt(text, 8)
    : /^[1-9]\d*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`-dfilter ${whole}: bad number '${text}'`);
  return n;
}

const QEMU_RANGE = /^([0-9a-fA-Fx]+)(\+|-|\.\.)([0-9a-fA-Fx]+)$/;

/**
 * QEMU's `-dfilter` syntax (util/log.c, checked on qemu-system-i386 7.2):
 * comma-separated ranges, each START+SIZE = [START, START+SIZE-1],
 * START-SIZE = [START-SIZE+1, START] (the SIZE bytes ending at START),
 * or START..END (inclusive). Numbers read as C's base-0 strtoull, so 010 is
 * octal. A bare address is "Bad range specifier" and a zero SIZE "Invalid
 * range", as in QEMU. Guest addresses are 32 bits: a range is clipped to
 * them, and one wholly above 4 GiB matches nothing.
 */
export function parseQemuDfilter(text: string): TraceFilter {
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const m = QEMU_RANGE.exec(part.trim());
    if (m === null) throw new UsageError(`-dfilter ${text}: bad range specifier '${part}' (want START+SIZE, START-SIZE or START..END)`);
    const a = parseCNumber(m[1]!, text), b = parseCNumber(m[3]!, text);
    let lo: number, hi: number;
    if (m[2] === '..') {
      lo = a;
      hi = b;
    } else {
      if (b === 0) throw new UsageError(`-dfilter ${text}: invalid range '${part}' (SIZE must be non-zero)`);
      if (m[2] === '+') {
        lo = a;
        hi = a + b - 1;
      } else {
        lo = Math.max(0, a - (b - 1));
        hi = a;
      }
    }
    if (hi < lo) throw new UsageError(`-dfilter ${text}: invalid range '${part}' (END below START)`);
    if (lo <= 0xffff_ffff) ranges.push([lo, Math.min(hi, 0xffff_ffff)]);
  }
  return new TraceFilter(ranges);
}
