/**
 * The 8254 programmed as OSes program it, timed against a manual clock.
 * Expected times are computed independently with BigInt arithmetic.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pit8254, PIT_HZ, nsForTicks, ticksIn } from '../../../src/vmm/devices/pit8254.js';
import { ManualClock, RecordingLines } from './fakes.js';

/** First ns at which `ticks` PIT clocks have elapsed, by exact integer arithmetic. */
function refNs(ticks: number): number {
  const num = BigInt(ticks) * 1_000_000_000n;
  const q = num / BigInt(PIT_HZ);
  return Number(num % BigInt(PIT_HZ) === 0n ? q : q + 1n);
}

function setup() {
  const clock = new ManualClock(5_000);
  const lines = new RecordingLines();
  const pit = new Pit8254(clock, lines);
  const out = (p: number, v: number) => pit.writePort(p, 1, v);
  const inb = (p: number) => pit.readPort(p, 1);
  return { clock, lines, pit, out, inb };
}

describe('Pit8254 time conversion', () => {
  it('matches exact integer arithmetic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 45 }), (ticks, ns) => {
        expect(nsForTicks(ticks)).toBe(refNs(ticks));
        expect(ticksIn(ns)).toBe(Number((BigInt(ns) * BigInt(PIT_HZ)) / 1_000_000_000n));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Pit8254', () => {
  it('mode 2 with divisor 1193 raises IRQ0 once per period, at the right clock time', () => {
    const { clock, lines, pit, out } = setup();
    out(0x43, 0x34); // counter 0, LSB then MSB, mode 2, binary
    out(0x40, 1193 & 0xff);
    out(0x40, 1193 >> 8);
    const start = clock.ns;
    expect(pit.nextEventNs()).toBe(start + refNs(1193));
    const rises = () => lines.events.filter((e) => e === '+0').length;
    clock.ns = start + refNs(1193) - 1; // count 1: OUT low, no edge yet
    pit.update();
    expect(rises()).toBe(0);
    expect(lines.isHigh(0)).toBe(false);
    clock.ns = start + refNs(1193);
    pit.update();
    expect(rises()).toBe(1);
    expect(lines.isHigh(0)).toBe(true);
    expect(pit.nextEventNs()).toBe(start + refNs(2 * 1193));
    // Ten periods late: one request (the PIC latches one edge), then on schedule.
    clock.ns = start + refNs(12 * 1193) + 10;
    pit.update();
    expect(rises()).toBe(2);
    expect(pit.nextEventNs()).toBe(start + refNs(13 * 1193));
  });

  it('mode 2 counts down from N to 1 and OUT dips on count 1', () => {
    const { clock, pit, out, inb } = setup();
    out(0x43, 0x34);
    out(0x40, 100);
    out(0x40, 0);
    const start = clock.ns;
    clock.ns = start + refNs(30);
    out(0x43, 0x00); // latch counter 0
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(70);
    clock.ns = start + refNs(99);
    expect(pit.currentCount(0)).toBe(1);
    expect(pit.output(0)).toBe(false);
    clock.ns = start + refNs(100);
    expect(pit.currentCount(0)).toBe(100);
    expect(pit.output(0)).toBe(true);
  });

  it('mode 3 square wave is high for ceil(N/2) clocks, counts by two, and edges once per period', () => {
    const { clock, lines, pit, out } = setup();
    out(0x43, 0x36); // counter 0, LSB/MSB, mode 3
    out(0x40, 11);
    out(0x40, 0);
    const start = clock.ns;
    const levels: boolean[] = [];
    for (let t = 0; t < 22; t++) {
      clock.ns = start + refNs(t);
      levels.push(pit.output(0));
    }
    const period = [true, true, true, true, true, true, false, false, false, false, false];
    expect(levels).toEqual([...period, ...period]);
    clock.ns = start;
    out(0x43, 0x36);
    out(0x40, 10);
    out(0x40, 0);
    clock.ns = start + refNs(2);
    expect(pit.currentCount(0)).toBe(6);
    clock.ns = start + refNs(10);
    pit.update();
    expect(lines.events).toEqual(['-0', '+0']);
  });

  it('mode 0 raises IRQ0 once at terminal count and keeps wrapping the counter', () => {
    const { clock, lines, pit, out, inb } = setup();
    out(0x43, 0x30); // counter 0, LSB/MSB, mode 0
    expect(lines.events).toEqual(['-0']);
    out(0x40, 0x00);
    out(0x40, 0x01); // 256
    const start = clock.ns;
    expect(pit.output(0)).toBe(false);
    expect(pit.nextEventNs()).toBe(start + refNs(256));
    clock.ns = start + refNs(256);
    pit.update();
    expect(lines.isHigh(0)).toBe(true);
    expect(pit.nextEventNs()).toBe(Infinity);
    clock.ns = start + refNs(260);
    expect(pit.output(0)).toBe(true);
    out(0x43, 0x00);
    expect(inb(0x40)).toBe(0xfc); // 0xFFFC after wrapping
    expect(inb(0x40)).toBe(0xff);
  });

  it('supports a Linux-style calibration read of counter 2 with latches and MSB-only access', () => {
    const { clock, pit, out, inb } = setup();
    out(0x43, 0xb0); // counter 2, LSB/MSB, mode 0
    out(0x42, 0xff);
    out(0x42, 0xff);
    const start = clock.ns;
    clock.ns = start + refNs(0x1234);
    out(0x43, 0x80); // latch counter 2
    clock.ns += 1_000_000; // the latched value does not move
    out(0x43, 0x80); // a second latch before reading is ignored
    expect(inb(0x42)).toBe((0xffff - 0x1234) & 0xff);
    expect(inb(0x42)).toBe((0xffff - 0x1234) >> 8);
    out(0x43, 0xa0); // counter 2, MSB only, mode 0
    out(0x42, 0x80);
    clock.ns += refNs(0x100);
    expect(inb(0x42)).toBe(0x7f);
    expect(pit.readPort(0x43, 1)).toBe(0); // as QEMU (see qemu-differential.test.ts)
  });

  it('read-back latches status (OUT, null count, RW, mode, BCD) then count', () => {
    const { clock, pit, out, inb } = setup();
    out(0x43, 0x74); // counter 1, LSB/MSB, mode 2
    out(0x43, 0xe4); // read-back status of counter 1 only
    expect(inb(0x41)).toBe(0x80 | 0x40 | 0x34);
    out(0x41, 0x10);
    out(0x41, 0x00);
    clock.ns += refNs(5);
    out(0x43, 0xc4); // read-back count and status of counter 1
    expect(inb(0x41)).toBe(0x80 | 0x34);
    expect(inb(0x41)).toBe(11);
    expect(inb(0x41)).toBe(0);
  });

  it('mode 2: a count written mid-period takes effect when the period ends', () => {
    const { clock, lines, pit, out } = setup();
    const rises = () => lines.events.filter((e) => e === '+0').length;
    out(0x43, 0x34);
    out(0x40, 100);
    out(0x40, 0);
    const start = clock.ns;
    clock.ns = start + refNs(30);
    out(0x40, 50);
    out(0x40, 0);
    out(0x43, 0xe2); // status: null count until the new count is loaded
    expect(pit.readPort(0x40, 1) & 0x40).toBe(0x40);
    expect(pit.currentCount(0)).toBe(70); // still the old period
    expect(pit.nextEventNs()).toBe(start + refNs(100));
    clock.ns = start + refNs(100);
    pit.update();
    expect(rises()).toBe(1);
    expect(pit.currentCount(0)).toBe(50);
    // Next edges every 50 clocks from the switch, which lies on the old 100-clock grid.
    const switchNs = start + refNs(100);
    expect(pit.nextEventNs()).toBe(switchNs + refNs(50));
    // Skipping over the switch without an update still reports its edge.
    out(0x40, 20);
    out(0x40, 0);
    clock.ns = switchNs + refNs(50) + 5;
    pit.update();
    expect(rises()).toBe(2);
    expect(pit.currentCount(0)).toBe(20);
    expect(pit.nextEventNs()).toBe(switchNs + refNs(50) + refNs(20));
  });

  it('counts in BCD when asked', () => {
    const { clock, pit, out } = setup();
    out(0x43, 0x31); // mode 0, BCD
    out(0x40, 0x00);
    out(0x40, 0x10); // 1000 decimal
    clock.ns += refNs(1);
    expect(pit.currentCount(0)).toBe(0x0999);
  });
});
