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
 *   tcp:HOST:PORT[,server][,wait|nowait]
 *                    a TCP socket, listening or connecting (tcp-serial.ts),
 *                    with the same flow control as stdout
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../failure.js';
import { ESCAPE_HELP, EscapeKeys, type ConsoleCommand } from './escape-keys.js';
import { FlowOutput, type HostStream } from './flow-output.js';
import { MonitorLine } from './monitor-line.js';
import { RawTerminalSession, type RawModeTerminal } from './terminal.js';
import { TcpSerialEnd, type TcpSerialSpec } from './tcp-serial.js';

export type SerialBackend = { readonly kind: 'stdio' } | { readonly kind: 'null' } | { readonly kind: 'file'; readonly path: string }
  | ({ readonly kind: 'tcp' } & TcpSerialSpec);

export function parseSerialBackend(text: string): SerialBackend {
  if (text === 'stdio' || text === 'mon:stdio') return { kind: 'stdio' };
  if (text === 'null' || text === 'none') return { kind: 'null' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: text.slice(5) };
  if (text.startsWith('tcp:')) return parseTcp(text);
  throw new UsageError(`-serial ${text}: btvm has stdio, null, file:PATH and tcp:HOST:PORT[,server][,wait|nowait]`);
}

const ON_OFF: Readonly<Record<string, boolean>> = { '': true, on: true, off: false };

/** QEMU's `tcp:[HOST]:PORT[,server[=on|off]][,wait[=on|off]|,nowait][,nodelay[=on|off]]`. */
function parseTcp(text: string): SerialBackend {
  const [address, ...options] = text.slice(4).split(',');
  const colon = address!.lastIndexOf(':');
  const portText = address!.slice(colon + 1);
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (colon < 0 || !(port <= 0xffff)) throw new UsageError(`-serial ${text}: want tcp:HOST:PORT (HOST may be empty), not '${address}'`);
  const host = address!.slice(0, colon).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  let server = false;
  let wait: boolean | undefined;
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    const on = ON_OFF[eq < 0 ? '' : option.slice(eq + 1)];
    if (key === 'nowait' && eq < 0) wait = false;
    else if (on === undefined) throw new UsageError(`-serial ${text}: '${option}' wants on or off`);
    else if (key === 'server') server = on;
    else if (key === 'wait') wait = on;
    else if (key === 'nodelay') continue; // btvm always sends at once
    else throw new UsageError(`-serial ${text}: btvm's tcp takes server, wait, nowait and nodelay, not '${option}'`);
  }
  if (!server && wait !== undefined) throw new UsageError(`-serial ${text}: 'wait' applies to a server only (add ,server)`);
  return { kind: 'tcp', host, port, server, wait: server && (wait ?? true) };
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
  /** -serial tcp: the socket's end, once open() made it. */
  private tcp: TcpSerialEnd | null = null;
  /** The monitor prompt of C-a c, made on first use; `atMonitor`: the keyboard is there, not at COM1. */
  private monitorLine: MonitorLine | null = null;
  private atMonitor = false;

  constructor(private readonly backend: SerialBackend, private readonly host: ConsoleHost) {
    if (backend.kind === 'file') {
      const fd = openSync(backend.path, 'w');
      this.fileFd = fd;
      this.output = new FlowOutput((b) => void (typeof b === 'string' ? writeSync(fd, b) : writeSync(fd, b)), null);
    } else if (backend.kind === 'tcp') {
      // The socket comes with open(), before the guest writes anything; this stands in for it.
      const tcpEnd = (): TcpSerialEnd | null => this.tcp;
      const stream: HostStream = {
        get writableLength(): number { return tcpEnd()?.stream.writableLength ?? 0; },
        get writableNeedDrain(): boolean { return tcpEnd()?.stream.writableNeedDrain ?? false; },
        once(event, listener): unknown {
          const socketStream = tcpEnd()?.stream;
          if (socketStream !== undefined) socketStream.once(event, listener);
          else setImmediate(listener);
          return stream;
        },
        on: () => stream,
      };
      this.output = new FlowOutput((b) => this.tcp?.write(typeof b === 'string' ? new TextEncoder().encode(b) : b), stream);
    } else if (backend.kind === 'null') {
      this.output = new FlowOutput(() => {}, null);
    } else {
      this.output = new FlowOutput((b) => host.stdout(typeof b === 'string' ? new TextEncoder().encode(b) : b), host.stdoutStream ?? null);
    }
  }

  /**
   * -serial tcp: listens (a waiting server returns once a client connected,
   * after saying on stderr where it waits) or connects. Nothing to do for
   * the other backends. Call before start().
   */
  async open(announce: (text: string) => void): Promise<void> {
    const backend = this.backend;
    if (backend.kind === 'tcp') this.tcp = await TcpSerialEnd.open(backend, announce);
  }

  /** Starts reading input (stdio and tcp), in raw mode on a terminal. */
  start(target: ConsoleTarget): void {
    const host = this.host;
    if (this.tcp !== null) return this.tcp.start(target);
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
    this.tcp?.close();
  }
}
