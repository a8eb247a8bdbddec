/**
 * System control port B (0x61) of the PC: the speaker and PIT counter 2
 * controls, and two status bits guests poll for timing.
 *
 *   bit 0  PIT counter 2 gate (read/write; low after reset)
 *   bit 1  speaker data enable (read/write; no sound is made)
 *   bit 4  refresh toggle (read-only): flips every 15.085 µs of virtual
 *          time, the DRAM refresh request period of the AT (the PIT's
 *          counter 1 programmed with 18), so delay loops that count flips
 *          take real (virtual) time
 *   bit 5  PIT counter 2 OUT (read-only)
 * Other bits read 0 (QEMU's pcspk reads the same four bits; its bit 4 flips
 * on every read instead of with time). Linux's TSC calibration
 * (pit_calibrate_tsc) raises the gate, programs counter 2 in mode 0 and
 * polls bit 5 until OUT rises.
 */
import type { Clock } from './clock.js';
import type { Pit8254 } from './pit8254.js';
import type { PortDevice } from './port-bus.js';

export const SYSTEM_CONTROL_PORT = 0x61;
/** Refresh period: 18 PIT clocks of 1/1.193182 MHz, in ns. */
export const REFRESH_PERIOD_NS = (18 * 1e9) / 1_193_182;

const GATE2 = 1 << 0;
const SPEAKER_DATA = 1 << 1;
const REFRESH = 1 << 4;
const OUT2 = 1 << 5;
const COUNTER2 = 2;

export class SystemControlPort implements PortDevice {
  readonly accessWidth = 1;
  private speaker = 0;

  constructor(
    private readonly pit: Pit8254,
    private readonly clock: Clock,
  ) {}

  readPort(_port: number, _size: 1 | 2 | 4): number {
    const refresh = Math.floor(this.clock.nowNs() / REFRESH_PERIOD_NS) & 1;
    return (this.pit.gate(COUNTER2) ? GATE2 : 0) | this.speaker | (refresh !== 0 ? REFRESH : 0) |
      (this.pit.output(COUNTER2) ? OUT2 : 0);
  }

  writePort(_port: number, _size: 1 | 2 | 4, value: number): void {
    this.speaker = value & SPEAKER_DATA;
    this.pit.setGate(COUNTER2, (value & GATE2) !== 0);
  }
}
