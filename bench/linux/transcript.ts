/**
 * What the Linux benchmark reads from a boot's console: lines stamped with
 * the time they reached the bench (LineClock), and from them the phases of
 * the boot and of fixtures/linux/init's workload, once the run's init
 * section has been checked against QEMU's recorded transcript (boot.qemu).
 *
 * The phases are bounded by lines the guest prints anyway, so the workload
 * and its transcript stay as they are:
 *   console    process start → the kernel's first console line ("Linux
 *              version …", printed when its serial console registers: the
 *              firmware, loading, decompression and early setup);
 *   kernel     → "btvm-init: start" (the rest of the kernel's boot);
 *   one phase per program of /init, each ending at the last line that
 *   program prints (PROGRAMS), the first starting at "btvm-init: start";
 *   shutdown   "btvm-init: done" → the process has exited (reboot -f, the
 *              triple fault, the emulator's exit).
 * Sums: boot (console + kernel), init ("btvm-init: start" → "btvm-init:
 * done") and total (the whole process).
 */

export interface TimedLine {
  /** Milliseconds from the process start to the arrival of the line's end. */
  readonly ms: number;
  readonly text: string;
  /** The kernel printed it (it carried printk's time stamp); programs' output never does. */
  readonly kernel?: true;
}

const PRINTK_STAMP = /^\[ *\d+\.\d+\] /;

/** CR removed (QEMU's serial passes CR LF), printk's "[    1.234567] " removed: as record-qemu.sh does. */
export function normaliseConsoleLine(raw: string): string {
  return raw.replace(/\r/g, '').replace(PRINTK_STAMP, '');
}

function timedLine(ms: number, raw: string): TimedLine {
  const text = normaliseConsoleLine(raw);
  return PRINTK_STAMP.test(raw.replace(/\r/g, '')) ? { ms, text, kernel: true } : { ms, text };
}

/** Splits console output arriving in chunks into lines, each stamped when its newline arrived. */
export class LineClock {
  readonly lines: TimedLine[] = [];
  private partial = '';

  push(chunk: string, ms: number): void {
    const pieces = chunk.split('\n');
    for (let i = 0; i < pieces.length - 1; i++) {
      this.lines.push(timedLine(ms, this.partial + pieces[i]!));
      this.partial = '';
    }
    this.partial += pieces[pieces.length - 1]!;
  }

  /** The process has ended: an unterminated last line counts from now. */
  end(ms: number): void {
    if (this.partial !== '') this.lines.push(timedLine(ms, this.partial));
    this.partial = '';
  }
}

export const INIT_START = 'btvm-init: start';
export const INIT_DONE = 'btvm-init: done';
const KERNEL_FIRST_LINE = 'Linux version ';

/** The programs of fixtures/linux/init in order; each ends at the last init line matching `last`. */
export const PROGRAMS: readonly { readonly name: string; readonly last: RegExp }[] = [
  { name: 'shell loop', last: /^shell: / },
  { name: 'awk', last: /^awk: / },
  { name: 'md5sum', last: / {2}\/tmp\/numbers$/ },
  { name: 'gzip', last: /^gzip: / },
  { name: 'sort', last: /^sort: / },
  { name: 'fork loop', last: /^fork: / },
];

/** Every row of the report, in order; sums are marked. */
export const PHASES: readonly { readonly name: string; readonly sum: boolean }[] = [
  { name: 'console', sum: false },
  { name: 'kernel', sum: false },
  { name: 'boot', sum: true },
  ...PROGRAMS.map((p) => ({ name: p.name, sum: false })),
  { name: 'init', sum: true },
  { name: 'shutdown', sum: false },
  { name: 'total', sum: true },
];

/** The lines from INIT_START to INIT_DONE inclusive, or null when either is missing. */
export function initSection(lines: readonly string[]): string[] | null {
  const a = lines.indexOf(INIT_START);
  const b = lines.indexOf(INIT_DONE, a + 1);
  return a < 0 || b < 0 ? null : lines.slice(a, b + 1);
}

/** The expected init section of boot.qemu and where each program ends in it. */
export interface InitReference {
  readonly lines: readonly string[];
  /** Index in `lines` of each PROGRAMS entry's last line. */
  readonly programEnds: readonly number[];
}

/** boot.qemu cannot serve as the reference (re-recorded without the workload, or PROGRAMS out of date). */
export class InitReferenceError extends Error {}

export function initReference(bootQemu: string): InitReference {
  const lines = initSection(bootQemu.split('\n').map(normaliseConsoleLine));
  if (lines === null) throw new InitReferenceError(`boot.qemu has no "${INIT_START}" … "${INIT_DONE}" section: re-record it (fixtures/linux/record-qemu.sh)`);
  let from = 1;
  const programEnds = PROGRAMS.map((p) => {
    let last = -1;
    for (let i = from; i < lines.length - 1; i++) if (p.last.test(lines[i]!)) last = i;
    if (last < 0) throw new InitReferenceError(`boot.qemu's init section has no line for ${p.name} (${p.last}): bench/linux/transcript.ts PROGRAMS no longer fits fixtures/linux/init`);
    from = last + 1;
    return last;
  });
  return { lines, programEnds };
}

export type PhaseTimes = Record<string, number>;

/** The phases of one run, or why the run does not count (its init section differs, or is missing). */
export function phasesOf(console: readonly TimedLine[], totalMs: number, ref: InitReference): { phases: PhaseTimes } | { problem: string } {
  // Kernel messages may land among /init's output (in real time a slow
  // guest's "random: crng init done" comes later than under QEMU): the init
  // section is the programs' output, so they are left out of it.
  const begin = console.findIndex((l) => l.text === INIT_START && l.kernel === undefined);
  const lines = begin < 0 ? console : console.filter((l, i) => i <= begin || l.kernel === undefined);
  const texts = lines.map((l) => l.text);
  const start = texts.indexOf(INIT_START);
  if (start < 0) return { problem: `never printed "${INIT_START}"${lastLines(texts)}` };
  const section = initSection(texts);
  if (section === null) return { problem: `printed "${INIT_START}" but not "${INIT_DONE}"${lastLines(texts)}` };
  const differs = ref.lines.findIndex((want, i) => section[i] !== want);
  if (differs >= 0 || section.length !== ref.lines.length) {
    const i = differs >= 0 ? differs : Math.min(section.length, ref.lines.length);
    return { problem: `init output differs from boot.qemu at its line ${i + 1}: got ${JSON.stringify(section[i] ?? '(end)')}, QEMU printed ${JSON.stringify(ref.lines[i] ?? '(end)')}` };
  }
  const first = texts.findIndex((t) => t.includes(KERNEL_FIRST_LINE));
  const at = (i: number): number => lines[start + i]!.ms;
  const initStart = at(0), initDone = at(ref.lines.length - 1);
  const consoleMs = first >= 0 && first < start ? lines[first]!.ms : NaN;
  const phases: PhaseTimes = {
    console: consoleMs,
    kernel: initStart - consoleMs,
    boot: initStart,
  };
  let previous = initStart;
  PROGRAMS.forEach((p, k) => {
    const end = at(ref.programEnds[k]!);
    phases[p.name] = end - previous;
    previous = end;
  });
  phases.init = initDone - initStart;
  phases.shutdown = totalMs - initDone;
  phases.total = totalMs;
  return { phases };
}

function lastLines(texts: readonly string[]): string {
  const tail = texts.filter((t) => t.trim() !== '').slice(-2);
  return tail.length ? `; last output: ${tail.map((t) => JSON.stringify(t.slice(0, 100))).join(' ')}` : '; no output';
}
