/**
 * Port 0x61 (system control port B) over the 8254's counter 2: the gate and
 * speaker bits read back, the refresh bit flips every 15.085 µs of virtual
 * time, bit 5 follows counter 2's OUT (what Linux's pit_calibrate_tsc polls),
 * and a rising gate restarts counter 2 in modes 1, 2, 3 and 5 but not 0 or 4
 * (QEMU's gate model; the datasheet's stopped counting is not modelled).
 */
import { describe, expect, it } from 'vitest';
import { Pit8254 } from '../../../src/vmm/devices/pit8254.js';
import { REFRESH_PERIOD_NS, SystemControlPort } from '../../../src/vmm/devices/system-control-port.js';
import { ManualClock, RecordingLines } from './fakes.js';

function setup() {
  const clock = new ManualClock(0);
  const pit = new Pit8254(clock, new RecordingLines());
  const port = new SystemControlPort(pit, clock);
  const program = (mode: number, count: number) => {
    pit.writePort(0x43, 1, 0x80 | 0x30 | (mode << 1));
    pit.writePort(0x42, 1, count & 0xff);
    pit.writePort(0x42, 1, count >>> 8);
  };
  const latch = () => {
    pit.writePort(0x43, 1, 0x80);
    return pit.readPort(0x42, 1) | (pit.readPort(0x42, 1) << 8);
  };
  return { clock, pit, port, program, latch };
}

describe('port 0x61', () => {
  it('gate (bit 0) is low after reset; gate and speaker (bit 1) read back; other written bits read 0', () => {
    const { port } = setup();
    expect(port.readPort(0x61, 1) & 0x03).toBe(0);
    port.writePort(0x61, 1, 0xff);
    expect(port.readPort(0x61, 1) & 0xcf).toBe(0x03);
    port.writePort(0x61, 1, 0x01);
    expect(port.readPort(0x61, 1) & 0x03).toBe(0x01);
  });

  it('bit 4 flips every refresh period of virtual time', () => {
    const { clock, port } = setup();
    const bit = () => (port.readPort(0x61, 1) >> 4) & 1;
    const seen: number[] = [];
    for (let k = 0; k < 4; k++) {
      clock.ns = k * REFRESH_PERIOD_NS + REFRESH_PERIOD_NS / 2;
      seen.push(bit(), bit());
    }
    expect(seen).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(REFRESH_PERIOD_NS).toBeCloseTo(15085.5, 0);
  });

  it('bit 5 is counter 2\'s OUT: low after a mode 0 count is loaded, high once it runs out (Linux\'s calibration loop)', () => {
    const { clock, port, program } = setup();
    port.writePort(0x61, 1, 0x01);
    program(0, 11932);
    const out2 = () => (port.readPort(0x61, 1) >> 5) & 1;
    expect(out2()).toBe(0);
    clock.advance(9_999_000);
    expect(out2()).toBe(0);
    clock.advance(2_000);
    expect(out2()).toBe(1);
  });

  it('a rising gate restarts mode 2 (and 1, 3, 5) but not mode 0', () => {
    const { clock, port, program, latch } = setup();
    program(2, 0x1000);
    clock.advance(2_000_000);
    const before = latch();
    expect(before).toBeLessThan(0x1000 - 0x800);
    port.writePort(0x61, 1, 0x00);
    port.writePort(0x61, 1, 0x01);
    expect(latch()).toBe(0x1000);
    program(0, 0x1000);
    clock.advance(2_000_000);
    const mode0 = latch();
    port.writePort(0x61, 1, 0x00);
    port.writePort(0x61, 1, 0x01);
    expect(latch()).toBe(mode0);
  });
});
