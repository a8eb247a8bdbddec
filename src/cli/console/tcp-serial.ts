/**
 * `-serial tcp:HOST:PORT[,server][,wait|nowait]`: COM1's host end on a TCP
 * socket, as QEMU's socket chardev behaves (checked against QEMU 7.2's
 * documentation and qemu-system-i386):
 *
 *   server   listens on HOST:PORT (127.0.0.1 when HOST is empty; btvm
 *            serves no other machine unless asked). With `wait`, QEMU's
 *            default for a server, the guest does not start until a client
 *            connects, so it sees the first byte; with `nowait` the guest
 *            starts at once and output before a client comes is dropped.
 *            One client at a time (later ones are refused while one is
 *            connected); when it goes, the server listens for the next.
 *   client   connects to HOST:PORT before the guest starts (a refused
 *            connection is a one-line error). When the peer goes, COM1's
 *            input is closed for good — QEMU's guest would run on with
 *            nothing to read; btvm's ends once it halts with nothing left
 *            to wake it, as it does at the end of piped stdin.
 *
 * Output reaches the socket through the console's FlowOutput, with this
 * class's `stream` standing in for whichever socket is connected: its
 * back-pressure makes COM1 busy and then pauses the guest, exactly as a slow
 * stdout does. A peer's reset is a disconnect, not the end of the output, so
 * the stream never reports an error to FlowOutput.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { HostStream } from './flow-output.js';

export interface TcpSerialSpec {
  readonly host: string;
  readonly port: number;
  readonly server: boolean;
  /** Server only: hold the guest until the first client connects. */
  readonly wait: boolean;
}

/** The socket could not be opened (address in use, connection refused, …). */
export class TcpSerialError extends Error {
  override readonly name = 'TcpSerialError';
  constructor(readonly address: string, readonly reason: string) {
    super(`-serial tcp:${address}: ${reason}`);
  }
}

/** Where input and the peer's comings and goings go. */
export interface TcpSerialTarget {
  input(bytes: Uint8Array): void;
  /** Whether more input may come (false: a client's peer went away). */
  inputOpen(open: boolean): void;
}

export class TcpSerialEnd {
  private socket: Socket | null = null;
  private server: Server | null = null;
  private target: TcpSerialTarget | null = null;
  private drainWaiters: (() => void)[] = [];
  private closed = false;

  /** What FlowOutput watches: the connected socket's buffer, or nothing pending while none is. */
  readonly stream: HostStream;

  private constructor(readonly spec: TcpSerialSpec, private readonly announce: (text: string) => void) {
    const end = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the getters below need it
    this.stream = {
      get writableLength(): number {
        return end.socket?.writableLength ?? 0;
      },
      get writableNeedDrain(): boolean {
        return end.socket?.writableNeedDrain ?? false;
      },
      once(_event: 'drain', listener: () => void): unknown {
        end.drainWaiters.push(listener);
        // No socket: nothing is pending, so the wait is over at once.
        if (end.socket === null) setImmediate(() => end.releaseDrain());
        return this;
      },
      // A peer's reset is a disconnect (handled in attach), never the output's end.
      on(): unknown {
        return this;
      },
    };
  }

  /**
   * Opens the socket: listens (and, with wait, resolves only once a client
   * connected, after saying where it waits, as QEMU does) or connects.
   */
  static async open(spec: TcpSerialSpec, announce: (text: string) => void): Promise<TcpSerialEnd> {
    const end = new TcpSerialEnd(spec, announce);
    if (spec.server) await end.listen();
    else end.attach(await end.dial());
    return end;
  }

  /** Output bytes: to the connected peer, dropped while there is none (QEMU drops them too). */
  write(bytes: Uint8Array): void {
    if (this.socket !== null && !this.socket.destroyed) this.socket.write(bytes);
  }

  /** Input from now on goes to `target`; input that arrived before is not kept (the guest had not started). */
  start(target: TcpSerialTarget): void {
    this.target = target;
    target.inputOpen(this.spec.server || this.socket !== null);
  }

  /** Flushes what the socket holds and closes it and the server; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.end();
    this.socket = null;
    this.server?.close();
    this.server = null;
    this.releaseDrain();
  }

  private listen(): Promise<void> {
    const { host, port, wait } = this.spec;
    const server = createServer((socket) => {
      if (this.socket !== null || this.closed) {
        socket.destroy(); // one client at a time
        return;
      }
      this.attach(socket);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(new TcpSerialError(`${host}:${port}`, (e as Error).message)));
      server.listen(port, host, () => {
        const bound = server.address();
        const at = `${host}:${typeof bound === 'object' && bound !== null ? bound.port : port}`;
        if (!wait) return resolve();
        this.announce(`btvm: waiting for connection on: disconnected:tcp:${at},server=on\n`);
        server.once('connection', () => resolve());
      });
    });
  }

  private dial(): Promise<Socket> {
    const { host, port } = this.spec;
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (e) => reject(new TcpSerialError(`${host}:${port}`, `failed to connect: ${e.message}`)));
    });
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.target?.input(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('drain', () => this.releaseDrain());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.releaseDrain(); // what was pending went with the peer
      if (!this.spec.server) this.target?.inputOpen(false);
    });
  }

  private releaseDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
