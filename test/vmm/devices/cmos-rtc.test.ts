/**
 * CMOS RTC register reads as a BIOS or OS does them, for a fixed date:
 * Saturday 2026-03-14 15:09:26 UTC.
 */
import { describe, expect, it } from 'vitest';
import { CmosRtc } from '../../../src/vmm/devices/cmos-rtc.js';
import { ManualClock } from './fakes.js';

const DATE = new Date(Date.UTC(2026, 2, 14, 15, 9, 26, 0));
const MIB = 1024 * 1024;

function setup(ramSize = 128 * MIB, clock: ManualClock | null = null) {
  const rtc = new CmosRtc(ramSize, DATE, clock);
  const read = (reg: number, nmiOff = false) => {
    rtc.writePort(0x70, 1, reg | (nmiOff ? 0x80 : 0));
    return rtc.readPort(0x71, 1);
  };
  const write = (reg: number, v: number) => {
    rtc.writePort(0x70, 1, reg);
    rtc.writePort(0x71, 1, v);
  };
  return { rtc, read, write };
}

describe('CmosRtc', () => {
  it('reads the date and time in BCD, 24-hour, by default', () => {
    const { read } = setup();
    expect([0, 2, 4, 6, 7, 8, 9, 0x32].map((r) => read(r))).toEqual([0x26, 0x09, 0x15, 0x07, 0x14, 0x03, 0x26, 0x20]);
    expect(read(0x0a)).toBe(0x26);
    expect(read(0x0b)).toBe(0x02);
    expect(read(0x0d)).toBe(0x80);
    expect(read(0x0c)).toBe(0x00);
  });

  it('switches to binary and to 12-hour format through status B', () => {
    const { read, write } = setup();
    write(0x0b, 0x06); // binary, 24h
    expect([read(0), read(2), read(4), read(9)]).toEqual([26, 9, 15, 26]);
    write(0x0b, 0x00); // BCD, 12h: 15h → 3 PM
    expect(read(4)).toBe(0x83);
  });

  it('stores memory sizes the way QEMU does for its BIOS', () => {
    const { read } = setup(128 * MIB);
    expect(read(0x15) | (read(0x16) << 8)).toBe(640);
    expect(read(0x17) | (read(0x18) << 8)).toBe(0xffff); // 127 MiB in KiB, capped
    expect(read(0x30) | (read(0x31) << 8)).toBe(0xffff);
    expect(read(0x34) | (read(0x35) << 8)).toBe((112 * MIB) / 65536);
    const big = setup(2048 * MIB);
    expect(big.read(0x17) | (big.read(0x18) << 8)).toBe(0xffff);
    expect(big.read(0x34) | (big.read(0x35) << 8)).toBe(0x7f00);
    const small = setup(8 * MIB);
    expect(small.read(0x17) | (small.read(0x18) << 8)).toBe(7 * 1024);
    expect(small.read(0x30) | (small.read(0x31) << 8)).toBe(7 * 1024);
    expect(small.read(0x34) | (small.read(0x35) << 8)).toBe(0);
  });

  it('keeps the NMI-disable bit apart from the index, and reads 0xFF from port 0x70', () => {
    const { rtc, read } = setup();
    expect(read(0x0d, true)).toBe(0x80);
    expect(rtc.nmiDisabled).toBe(true);
    expect(rtc.readPort(0x70, 1)).toBe(0xff);
    read(0x0d);
    expect(rtc.nmiDisabled).toBe(false);
  });

  it('uses the other CMOS bytes as RAM', () => {
    const { read, write } = setup();
    write(0x40, 0x5a);
    expect(read(0x40)).toBe(0x5a);
    write(0x0d, 0); // status D is read-only
    expect(read(0x0d)).toBe(0x80);
  });

  it('advances with the clock, shows UIP just before the second turns, and accepts new time', () => {
    const clock = new ManualClock(1_000);
    const { read, write } = setup(128 * MIB, clock);
    clock.advance(61_000_000_000); // +61 s → 15:10:27
    expect([read(4), read(2), read(0)]).toEqual([0x15, 0x10, 0x27]);
    expect(read(0x0a) & 0x80).toBe(0);
    clock.advance(999_900_000); // 100 µs before the next second
    expect(read(0x0a) & 0x80).toBe(0x80);
    // Set the clock to 23:59:58 with SET held, as a BIOS setup does.
    write(0x0b, 0x82);
    write(4, 0x23);
    write(2, 0x59);
    write(0, 0x58);
    clock.advance(5_000_000_000);
    expect(read(0)).toBe(0x58); // frozen while SET
    write(0x0b, 0x02);
    clock.advance(3_000_000_000); // rolls over midnight into Sunday the 15th
    expect([read(4), read(2), read(0), read(6), read(7)]).toEqual([0x00, 0x00, 0x01, 0x01, 0x15]);
  });
});
