/**
 * Port 0x80, where firmware and kernels write POST (power-on self-test)
 * progress codes, and which Linux also writes as an I/O delay.
 *
 * On a PC a POST card latches the byte for display; the chipset does not
 * decode reads, and QEMU's port-0x80 device returns all ones for them. We
 * match QEMU: reads give 0xFF/0xFFFF/0xFFFFFFFF. Writes record the code: the
 * last one and how many there were, plus a short history for tests and
 * diagnostics (bounded, since delay loops write here constantly).
 */
import type { PortDevice } from './port-bus.js';

export const POST_PORT = 0x80;
const HISTORY = 64;

export class PostPort implements PortDevice {
  readonly accessWidth = 1;
  /** Last byte written, or -1 if none yet. */
  lastCode = -1;
  /** Number of writes so far. */
  writes = 0;
  private readonly ring = new Uint8Array(HISTORY);

  readPort(_port: number, _size: 1 | 2 | 4): number {
    return 0xff;
  }

  writePort(_port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    this.lastCode = value;
    this.ring[this.writes % HISTORY] = value;
    this.writes++;
  }

  /** The most recent codes (up to 64), oldest first. */
  recentCodes(): number[] {
    const n = Math.min(this.writes, HISTORY);
    const out: number[] = [];
    for (let i = this.writes - n; i < this.writes; i++) out.push(this.ring[i % HISTORY]!);
    return out;
  }
}
