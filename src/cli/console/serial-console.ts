/**
 * COM1's host end for `btvm run`, chosen by `-serial` as in QEMU:
 *
 *   stdio (default)  output to stdout with flow control (flow-output.ts);
 *                    input from stdin: a terminal is put in raw mode with
 *                    the Ctrl-A keys of escape-keys.ts, as `-nographic`
 *                    does (C-a c switches the keyboard between COM1
 *                    and the monitor: monitor-line.ts); a pipe or file
 *                    is read as it is, its end closing the input (scripts)
 *   null             output dropped, no input
 *   file:PATH        output written to PATH, no input
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../failure.js';
import { ESCAPE_HELP, EscapeKeys, type ConsoleCommand } from './escape-keys.js';
import { FlowOutput, type HostStream } from './flow-output.js';
import { MonitorLine } from './monitor-line.js';
import { RawTerminalSession, type RawModeTerminal } from './terminal.js';

export type SerialBackend = { readonly kind: 'stdio' } | { readonly kind: 'null' } | { readonly kind: 'file'; readonly path: string };

export function parseSerialBackend(text: string): SerialBackend {
  if (text === 'stdio' || text === 'mon:stdio') return { kind: 'stdio' };
  if (text === 'null' || text === 'none') return { kind: 'null' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: text.slice(5) };
  throw new UsageError(`-serial ${text}: btvm has stdio, null and file:PATH`);
}

/** The host side the console uses: what `btvm run` gets from the process, or a test's stand-ins. */
export interface ConsoleHost {
  stdout(bytes: Uint8Array): void;
  /** What stdout writes to, for flow control; absent: every write is taken at once. */
  stdoutStream?: HostStream;
  /** Subscribes to console input; returns an unsubscribe function. */
  stdin?: (onData: (bytes: Uint8Array) => void, onEnd: () => void) => () => void;
  /** stdin when it is a terminal (raw mode and the Ctrl-A keys). */
  terminal?: RawModeTerminal;
}

/** What the console does to the machine. */
export interface ConsoleTarget {
  input(bytes: Uint8Array): void;
  /** Whether more input may come. */
  inputOpen(open: boolean): void;
  /** End the run (C-a x, a signal), with the note to print. */
  quit(detail: string): void;
  /** Runs a monitor command line and returns its output (C-a c); absent: no monitor. */
  monitor?: (line: string) => string;
}

export class SerialConsole {
  /** COM1's line: the Machine's serialOutput. */
  readonly output: FlowOutput;
  private unsubscribe: (() => void) | null = null;
  private session: RawTerminalSession | null = null;
  private fileFd: number | null = null;
  /** The monitor prompt of C-a c, made on first use; `atMonitor`: the keyboard is there, not at COM1. */
  private monitorLine: MonitorLine | null = null;
  private atMonitor = false;

  constructor(private readonly backend: SerialBackend, private readonly host: ConsoleHost) {
    if (backend.kind === 'file') {
      const fd = openSync(backend.path, 'w');
      this.fileFd = fd;
      this.output = new FlowOutput((b) => void (typeof b === 'string' ? writeSync(fd, b) : writeSync(fd, b)), null);
    } else if (backend.kind === 'null') {
      this.output = new FlowOutput(() => {}, null);
    } else {
      this.output = new FlowOutput((b) => host.stdout(typeof b === 'string' ? new TextEncoder().encode(b) : b), host.stdoutStream ?? null);
    }
  }

  /** Starts reading input (stdio only), in raw mode on a terminal. */
  start(target: ConsoleTarget): void {
    const host = this.host;
    if (this.backend.kind !== 'stdio') return;
    // Where QEMU would die of SIGPIPE (`btvm run K | head`), the run ends.
    this.output.onFail = () => target.quit('console output closed (its reader went away)');
    if (host.stdin === undefined) return;
    target.inputOpen(true);
    let onData = (b: Uint8Array): void => target.input(b);
    if (host.terminal !== undefined) {
      const toGuest = onData;
      const keys = new EscapeKeys((b) => (this.atMonitor ? this.monitorLine!.feed(b) : toGuest(b)), (c) => this.command(c, target));
      onData = (b) => keys.feed(b);
      this.session = new RawTerminalSession(host.terminal, (signal) => target.quit(`terminating on signal ${signal}`));
      this.session.enter();
    }
    this.unsubscribe = host.stdin(onData, () => target.inputOpen(false));
  }

  private command(c: ConsoleCommand, target: ConsoleTarget): void {
    switch (c) {
      case 'quit':
        target.quit('terminated (C-a x)');
        return;
      case 'help':
        this.message(ESCAPE_HELP);
        return;
      case 'monitor': {
        const run = target.monitor;
        if (run === undefined) return this.message('\r\nbtvm: monitor not available\r\n');
        this.monitorLine ??= new MonitorLine(run, (text) => this.message(text));
        this.atMonitor = !this.atMonitor;
        if (this.atMonitor) this.monitorLine.enter();
        else this.monitorLine.leave();
        return;
      }
    }
  }

  /** Text for the person at the terminal, in line with the guest's output. */
  private message(text: string): void {
    this.output.flush();
    this.host.stdout(new TextEncoder().encode(text));
  }

  /** Output flushed, input stopped, the terminal as it was; safe to call more than once. */
  close(): void {
    this.output.flush();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.session?.restore();
    this.session = null;
    if (this.fileFd !== null) closeSync(this.fileFd);
    this.fileFd = null;
  }
}
