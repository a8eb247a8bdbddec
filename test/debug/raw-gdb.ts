/**
 * A minimal gdb for tests that speak the remote protocol directly: sends
 * packets (and Ctrl-C) over a socket to btvm's stub and hands back each
 * packet that returns, in order.
 */
import { connect, type Socket } from 'node:net';
import { framePacket, RspReader } from '../../src/debug/rsp-packets.js';

/** A minimal gdb: sends packets, collects the packets that come back. */
export class RawGdb {
  private readonly reader = new RspReader();
  private readonly received: string[] = [];
  private waiter: (() => void) | null = null;
  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.reader.feed(chunk)) if (e.kind === 'packet') this.received.push(e.payload);
      this.waiter?.();
    });
  }
  static open(port: number): Promise<RawGdb> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawGdb(socket)));
      socket.on('error', reject);
    });
  }
  send(payload: string): void {
    this.socket.write(framePacket(payload));
  }
  interrupt(): void {
    this.socket.write(Uint8Array.of(3));
  }
  async next(): Promise<string> {
    while (this.received.length === 0) await new Promise<void>((r) => { this.waiter = r; });
    return this.received.shift()!;
  }
  async ask(payload: string): Promise<string> {
    this.send(payload);
    return this.next();
  }
}
