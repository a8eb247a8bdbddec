/**
 * The gdb remote stub: `btvm run -s` (= `-gdb tcp::1234`) and `-S`, as
 * qemu-system-i386 offers them. It listens on 127.0.0.1 only and serves one
 * gdb at a time.
 *
 * gdb's packets map onto a DebugSession (debug-session.ts) and a
 * GuestMemoryView (guest-memory-view.ts): `?`, `g`/`G`, `p`/`P` (registers in
 * gdb-registers.ts order, described by target-xml.ts), `m`/`M` (memory
 * through the guest's paging; physical after `maint packet
 * Qqemu.PhyMemMode:1`), `Z0`/`Z1` breakpoints, `Z2`/`Z3`/`Z4` watchpoints,
 * `s`, `c`, 0x03 (interrupt), `D`, `k`, and `qRcmd` (gdb's `monitor`
 * command) handed to the monitor. As QEMU does, a gdb connecting to a
 * running guest stops it. Stop replies are sent when the session stops;
 * when the run ends, gdb is told the exit status (`W`).
 *
 * Everything here runs on the host event loop between the machine's time
 * slices, so the guest is never mid-instruction when a packet is handled.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Machine } from '../machine/machine.js';
import { DebugSession, type StopReason, type WatchKind } from './debug-session.js';
import { GDB_REGISTERS, readRegisterBytes, writeRegisterBytes, type RegisterFile } from './gdb-registers.js';
import { GuestMemoryView } from './guest-memory-view.js';
import { framePacket, fromHex, RspReader, toHex } from './rsp-packets.js';
import { TARGET_XML } from './target-xml.js';

/** `-gdb` could not listen where asked. */
export class GdbListenError extends Error {
  constructor(readonly address: string, cause: string) {
    super(`gdb stub: cannot listen on ${address}: ${cause}`);
    this.name = 'GdbListenError';
  }
}

/** `-gdb DEV`: `tcp::PORT` or `tcp:127.0.0.1:PORT` (other hosts are refused: the stub is local only). */
export function parseGdbDevice(device: string): number | null {
  const m = /^(?:tcp:)?(?:127\.0\.0\.1|localhost)?:(\d{1,5})$/.exec(device);
  if (m === null) return null;
  const port = Number(m[1]);
  return port <= 65535 ? port : null;
}

const PACKET_SIZE = 0x4000;
const E_FAULT = 'E14';

export interface GdbStubOptions {
  readonly port: number;
  /** -S: hold the guest before its first instruction until gdb continues it. */
  readonly waitForGdb: boolean;
  /** Runs a `monitor` command (qRcmd) and returns its output. */
  readonly monitor?: (line: string) => string;
}

export class GdbStub {
  readonly session: DebugSession;
  private readonly memory: GuestMemoryView;
  private readonly registers: RegisterFile;
  private readonly server: Server;
  private socket: Socket | null = null;

  private constructor(private readonly machine: Machine, private readonly options: GdbStubOptions) {
    this.session = new DebugSession(machine, options.waitForGdb);
    this.session.onStop = (reason) => this.stopped(reason);
    this.memory = new GuestMemoryView(machine);
    this.registers = { cpu: machine.cpu, fpu: machine.core.x87.s, sse: machine.core.simd.s };
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves once the port is open. */
  static async listen(machine: Machine, options: GdbStubOptions): Promise<GdbStub> {
    const stub = new GdbStub(machine, options);
    await new Promise<void>((resolve, reject) => {
      stub.server.once('error', (e) => reject(new GdbListenError(`127.0.0.1:${options.port}`, (e as Error).message)));
      stub.server.listen(options.port, '127.0.0.1', () => resolve());
    });
    return stub;
  }

  /** The run ended with `status`: gdb hears it (W packet) and the stub closes. */
  async finish(status: number): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket !== null && !socket.destroyed) {
      socket.write(framePacket(`W${(status & 0xff).toString(16).padStart(2, '0')}`));
      await new Promise<void>((resolve) => socket.end(resolve));
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.socket !== null) {
      socket.destroy();
      return;
    }
    // QEMU stops the guest when gdb attaches; gdb asks why with '?', so no stop reply is sent for it.
    this.session.pause();
    this.socket = socket;
    socket.setNoDelay(true);
    const reader = new RspReader();
    socket.on('data', (chunk: Buffer) => {
      for (const event of reader.feed(chunk)) {
        if (event.kind === 'interrupt') this.session.pause();
        else {
          socket.write('+');
          const reply = this.handle(event.payload);
          if (reply !== null) this.send(reply);
        }
      }
    });
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = null;
        // gdb went away without detaching: the guest runs on, as under QEMU.
        if (this.machine.core.end === null) this.session.detach();
      }
    });
    socket.on('error', () => socket.destroy());
  }

  private send(payload: string): void {
    this.socket?.write(framePacket(payload));
  }

  private stopped(reason: StopReason): void {
    if (this.socket === null) return;
    this.send(stopReply(reason));
  }

  /** The reply to one packet, or null when it comes later (a stop reply after c or s). */
  private handle(packet: string): string | null {
    const session = this.session;
    switch (packet[0]) {
      case '?': return 'T05thread:01;';
      case 'g': return GDB_REGISTERS.map((_r, i) => toHex(readRegisterBytes(this.registers, i))).join('');
      case 'G': {
        const bytes = fromHex(packet.slice(1));
        let offset = 0;
        GDB_REGISTERS.forEach((r, i) => {
          writeRegisterBytes(this.registers, i, bytes.subarray(offset, offset + r.bits / 8));
          offset += r.bits / 8;
        });
        return 'OK';
      }
      case 'p': {
        const i = parseInt(packet.slice(1), 16);
        return i < GDB_REGISTERS.length ? toHex(readRegisterBytes(this.registers, i)) : 'E00';
      }
      case 'P': {
        const [n, v] = packet.slice(1).split('=');
        const i = parseInt(n!, 16);
        if (!(i < GDB_REGISTERS.length)) return 'E00';
        writeRegisterBytes(this.registers, i, fromHex(v ?? ''));
        return 'OK';
      }
      case 'm': {
        const [a, l] = packet.slice(1).split(',');
        const bytes = this.memory.read(parseInt(a!, 16), Math.min(parseInt(l!, 16), PACKET_SIZE / 2));
        return bytes.length > 0 ? toHex(bytes) : E_FAULT;
      }
      case 'M': {
        const m = /^M([0-9a-f]+),([0-9a-f]+):([0-9a-f]*)$/i.exec(packet);
        if (m === null) return 'E01';
        return this.memory.write(parseInt(m[1]!, 16), fromHex(m[3]!)) ? 'OK' : E_FAULT;
      }
      case 'Z': case 'z': return this.breakpoint(packet);
      case 'c': case 's': {
        if (packet.length > 1) this.machine.cpu.eip = parseInt(packet.slice(1), 16) >>> 0;
        session.resume(packet[0] === 's');
        return null;
      }
      case 'D':
        this.send('OK');
        session.detach();
        this.socket?.end();
        return null;
      case 'k':
        this.machine.stop({ kind: 'quit', detail: 'terminated by gdb (kill)' });
        return null;
      case 'H': return 'OK';
      case 'T': return 'OK';
      case 'q': case 'Q': return this.query(packet);
      default: return '';
    }
  }

  private breakpoint(packet: string): string {
    const [type, a, k] = packet.slice(1).split(',');
    const address = parseInt(a!, 16) >>> 0, kind = parseInt(k ?? '1', 16);
    const insert = packet[0] === 'Z';
    if (type === '0' || type === '1') {
      const bpKind = type === '0' ? 'software' : 'hardware';
      if (insert) this.session.addBreakpoint(address, bpKind);
      else this.session.removeBreakpoint(address, bpKind);
      return 'OK';
    }
    const watch: WatchKind | undefined = ({ '2': 'write', '3': 'read', '4': 'access' } as const)[type as '2' | '3' | '4'];
    if (watch === undefined) return '';
    if (insert) this.session.addWatchpoint(address, kind, watch);
    else this.session.removeWatchpoint(address, kind, watch);
    return 'OK';
  }

  private query(packet: string): string {
    if (packet.startsWith('qSupported')) return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+`;
    if (packet.startsWith('qXfer:features:read:target.xml:')) {
      const [offset, length] = packet.slice('qXfer:features:read:target.xml:'.length).split(',').map((n) => parseInt(n, 16));
      const chunk = TARGET_XML.slice(offset, offset! + length!);
      return (offset! + length! >= TARGET_XML.length ? 'l' : 'm') + chunk;
    }
    if (packet === 'qAttached') return '1';
    if (packet === 'qC') return 'QC01';
    if (packet === 'qfThreadInfo') return 'm01';
    if (packet === 'qsThreadInfo') return 'l';
    if (packet.startsWith('Qqemu.PhyMemMode:')) {
      this.memory.physicalMode = packet.endsWith(':1');
      return 'OK';
    }
    if (packet === 'qqemu.PhyMemMode') return this.memory.physicalMode ? '1' : '0';
    if (packet.startsWith('qRcmd,')) {
      const line = new TextDecoder().decode(fromHex(packet.slice(6)));
      const output = this.options.monitor?.(line) ?? 'monitor not available\n';
      if (output !== '') this.send('O' + toHex(new TextEncoder().encode(output)));
      return 'OK';
    }
    return '';
  }
}

function stopReply(reason: StopReason): string {
  switch (reason.kind) {
    case 'pause': return 'T02thread:01;';
    case 'step': case 'breakpoint': return 'T05thread:01;';
    case 'watch': {
      const name = { write: 'watch', read: 'rwatch', access: 'awatch' }[reason.watch];
      return `T05${name}:${reason.address.toString(16)};thread:01;`;
    }
  }
}
