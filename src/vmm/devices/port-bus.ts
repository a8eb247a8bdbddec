/**
 * The x86 I/O port space: 65536 byte-addressed ports routed to devices.
 *
 * The CPU's in/out/ins/outs handlers call read/write here with the port and
 * access size; the bus finds the device that decodes that port.
 *
 * Routing uses a flat 64 Ki-entry table (port → device slot), so a lookup is
 * one typed-array load and no allocation. Devices register a range of ports
 * and say how wide an access they decode natively (PortDevice.accessWidth,
 * default 1). Wider accesses are split the way the PC's ISA bridge splits a
 * 16/32-bit cycle to an 8-bit device: a word access to port P becomes byte
 * accesses to P and P+1 (low byte first), a dword to P becomes accesses to
 * P..P+3. Each piece is routed on its own, so a dword read of 0x40 returns
 * the PIT counters 0, 1, 2 and the (write-only) control port's all-ones.
 * Pieces go to the device at their own port; ports wrap at 0xFFFF → 0 as the
 * 16-bit port address does.
 *
 * Ports no device decodes read as all ones of the access size (an undriven
 * ISA data bus floats high) and ignore writes; with -d guest_errors each
 * such access (one whose first port no device decodes) is logged once.
 */
import { GuestLog } from '../guest-log.js';

export interface PortDevice {
  /** Reads `size` bytes at `port`; returns the value zero-extended. */
  readPort(port: number, size: 1 | 2 | 4): number;
  /** Writes the low `size` bytes of `value` to `port`. */
  writePort(port: number, size: 1 | 2 | 4, value: number): void;
  /**
   * Widest access (1, 2 or 4 bytes) the device decodes in one piece;
   * wider accesses are split into pieces of this width. Default 1.
   */
  readonly accessWidth?: 1 | 2 | 4;
}

/** Two devices claimed the same port: a machine-construction bug. */
export class PortConflictError extends Error {
  override readonly name = 'PortConflictError';
  constructor(readonly port: number) {
    super(`I/O port 0x${port.toString(16)} is already registered`);
  }
}

const NO_DEVICE = 0;

export class PortBus {
  /** Slot 0 is "no device"; devices start at slot 1. */
  private readonly devices: (PortDevice | null)[] = [null];
  /** port → device slot. */
  private readonly slotOf = new Uint16Array(0x10000);
  /** port → native access width of its device. */
  private readonly widthOf = new Uint8Array(0x10000);
  /** -d guest_errors: accesses to ports no device decodes. */
  guestLog = GuestLog.silent;

  register(first: number, count: number, device: PortDevice): void {
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count <= 0 || first + count > 0x10000) {
      throw new RangeError(`bad I/O port range 0x${first.toString(16)}+${count}`);
    }
    for (let p = first; p < first + count; p++) {
      if (this.slotOf[p] !== NO_DEVICE) throw new PortConflictError(p);
    }
    const slot = this.devices.length;
    this.devices.push(device);
    const width = device.accessWidth ?? 1;
    for (let p = first; p < first + count; p++) {
      this.slotOf[p] = slot;
      this.widthOf[p] = width;
    }
  }

  /** The device decoding `port`, or null. */
  deviceAt(port: number): PortDevice | null {
    return this.devices[this.slotOf[port & 0xffff]!]!;
  }

  read(port: number, size: 1 | 2 | 4): number {
    port &= 0xffff;
    if (this.slotOf[port] === NO_DEVICE && this.guestLog.errors) this.guestLog.unassignedPort(port, size, null);
    return this.route(port, size);
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    port &= 0xffff;
    if (this.slotOf[port] === NO_DEVICE && this.guestLog.errors) this.guestLog.unassignedPort(port, size, size === 4 ? value >>> 0 : value & (size === 1 ? 0xff : 0xffff));
    this.deliver(port, size, value);
  }

  /** A read, split into pieces as wide as the devices decode. */
  private route(port: number, size: 1 | 2 | 4): number {
    port &= 0xffff;
    const slot = this.slotOf[port]!;
    if (slot !== NO_DEVICE && this.widthOf[port]! >= size) {
      return this.devices[slot]!.readPort(port, size);
    }
    if (size === 1) return 0xff;
    if (size === 2) return this.route(port, 1) | (this.route(port + 1, 1) << 8);
    return (this.route(port, 2) | (this.route(port + 2, 2) << 16)) >>> 0;
  }

  /** A write, split as route() splits reads. */
  private deliver(port: number, size: 1 | 2 | 4, value: number): void {
    port &= 0xffff;
    const slot = this.slotOf[port]!;
    if (slot !== NO_DEVICE && this.widthOf[port]! >= size) {
      // Devices see only the bytes on the bus.
      this.devices[slot]!.writePort(port, size, size === 4 ? value >>> 0 : value & (size === 1 ? 0xff : 0xffff));
      return;
    }
    if (size === 1) return;
    if (size === 2) {
      this.deliver(port, 1, value & 0xff);
      this.deliver(port + 1, 1, (value >>> 8) & 0xff);
      return;
    }
    this.deliver(port, 2, value & 0xffff);
    this.deliver(port + 2, 2, value >>> 16);
  }
}
