/**
 * The 8254 mode by mode and command by command, as the Intel 8254 datasheet
 * defines them: OUT levels and counts in modes 0–5, modes 6 and 7 as aliases
 * of 2 and 3 (the datasheet: "X10" and "X11"), the three access modes for
 * writing and reading, the counter latch command and the read-back command.
 * All gates are high, and a count write starts counting (the model's stated
 * simplification: no load clock, and modes 1 and 5 are triggered by the count
 * write as QEMU does), so each expectation here counts clocks from the write.
 */
import { describe, expect, it } from 'vitest';
import { Pit8254, PIT_HZ } from '../../../src/vmm/devices/pit8254.js';
import { ManualClock, RecordingLines } from './fakes.js';

/** First ns at which `ticks` input clocks have elapsed (exact, independent of the model). */
function ticksNs(ticks: number): number {
  const num = BigInt(ticks) * 1_000_000_000n;
  const q = num / BigInt(PIT_HZ);
  return Number(num % BigInt(PIT_HZ) === 0n ? q : q + 1n);
}

const RW_LATCH = 0 << 4;
const RW_LSB = 1 << 4;
const RW_MSB = 2 << 4;
const RW_WORD = 3 << 4;
const control = (counter: number, rw: number, mode: number, bcd = 0) => (counter << 6) | rw | (mode << 1) | bcd;

function setup() {
  const clock = new ManualClock(1_000);
  const lines = new RecordingLines();
  const pit = new Pit8254(clock, lines);
  const out = (p: number, v: number) => pit.writePort(p, 1, v);
  const inb = (p: number) => pit.readPort(p, 1);
  /** Programs `counter` in `mode` (word access) with `count`; returns the clock time counting started. */
  const program = (counter: number, mode: number, count: number) => {
    out(0x43, control(counter, RW_WORD, mode));
    out(0x40 + counter, count & 0xff);
    out(0x40 + counter, count >>> 8);
    return clock.ns;
  };
  /** OUT of `counter` at each of the first `n` clocks after `start`. */
  const outLevels = (counter: number, start: number, n: number) =>
    Array.from({ length: n }, (_, t) => {
      clock.ns = start + ticksNs(t);
      return pit.output(counter);
    });
  /** Counter value through a counter latch command, read as LSB then MSB. */
  const latchedCount = (counter: number) => {
    out(0x43, control(counter, RW_LATCH, 0));
    return inb(0x40 + counter) | (inb(0x40 + counter) << 8);
  };
  const rises = () => lines.events.filter((e) => e === '+0').length;
  return { clock, lines, pit, out, inb, program, outLevels, latchedCount, rises };
}

const H = true;
const L = false;

describe('8254 modes', () => {
  it('mode 0: OUT low from the control word until the count reaches zero, then high; one IRQ0 edge', () => {
    const t = setup();
    t.out(0x43, control(0, RW_WORD, 0));
    expect(t.pit.output(0)).toBe(L);
    const start = t.program(0, 0, 4);
    expect(t.outLevels(0, start, 7)).toEqual([L, L, L, L, H, H, H]);
    t.clock.ns = start + ticksNs(2);
    expect(t.latchedCount(0)).toBe(2);
    t.clock.ns = start + ticksNs(10);
    t.pit.update();
    t.clock.ns = start + ticksNs(0x10000 + 10);
    t.pit.update();
    expect(t.rises()).toBe(1);
  });

  it('mode 1 (count write as trigger): OUT low while counting, high from terminal count on', () => {
    const t = setup();
    const start = t.program(1, 1, 5);
    expect(t.outLevels(1, start, 8)).toEqual([L, L, L, L, L, H, H, H]);
  });

  it('mode 2: OUT low for one clock when the count is 1, then reloads; one IRQ0 edge per period', () => {
    const t = setup();
    const start = t.program(0, 2, 4);
    expect(t.outLevels(0, start, 9)).toEqual([H, H, H, L, H, H, H, L, H]);
    t.clock.ns = start + ticksNs(1);
    expect(t.latchedCount(0)).toBe(3);
    t.clock.ns = start + ticksNs(4 * 5);
    t.pit.update();
    expect(t.rises()).toBe(1); // the PIC latches one request for several periods
    expect(t.pit.nextEventNs()).toBe(start + ticksNs(4 * 6));
  });

  it('mode 3: OUT high for ceil(N/2) and low for floor(N/2) clocks, odd and even N', () => {
    const t = setup();
    const even = t.program(2, 3, 6);
    expect(t.outLevels(2, even, 12)).toEqual([H, H, H, L, L, L, H, H, H, L, L, L]);
    const odd = t.program(2, 3, 5);
    expect(t.outLevels(2, odd, 10)).toEqual([H, H, H, L, L, H, H, H, L, L]);
  });

  it('mode 4: OUT high, low for one clock when the count reaches zero, then high; IRQ0 on the rise', () => {
    const t = setup();
    t.out(0x43, control(0, RW_WORD, 4));
    expect(t.pit.output(0)).toBe(H);
    const start = t.program(0, 4, 3);
    expect(t.outLevels(0, start, 6)).toEqual([H, H, H, L, H, H]);
    t.clock.ns = start + ticksNs(3);
    t.pit.update();
    expect(t.rises()).toBe(0);
    expect(t.pit.nextEventNs()).toBe(start + ticksNs(4));
    t.clock.ns = start + ticksNs(4);
    t.pit.update();
    expect(t.rises()).toBe(1);
    expect(t.pit.nextEventNs()).toBe(Infinity);
  });

  it('mode 5 (count write as trigger) strobes OUT like mode 4', () => {
    const t = setup();
    t.out(0x43, control(1, RW_WORD, 5));
    expect(t.pit.output(1)).toBe(H);
    const start = t.program(1, 5, 2);
    expect(t.outLevels(1, start, 5)).toEqual([H, H, L, H, H]);
  });

  it('modes 6 and 7 behave exactly as modes 2 and 3', () => {
    for (const [alias, mode] of [
      [6, 2],
      [7, 3],
    ]) {
      const a = setup();
      const b = setup();
      const sa = a.program(0, alias!, 7);
      const sb = b.program(0, mode!, 7);
      expect(a.outLevels(0, sa, 22)).toEqual(b.outLevels(0, sb, 22));
      for (const ticks of [1, 3, 6, 13]) {
        a.clock.ns = sa + ticksNs(ticks);
        b.clock.ns = sb + ticksNs(ticks);
        expect(a.latchedCount(0), `mode ${alias} count after ${ticks}`).toBe(b.latchedCount(0));
      }
      a.clock.ns = sa + ticksNs(7 * 3);
      b.clock.ns = sb + ticksNs(7 * 3);
      a.pit.update();
      b.pit.update();
      expect(a.lines.events).toEqual(b.lines.events);
      expect(a.pit.nextEventNs() - sa).toBe(b.pit.nextEventNs() - sb);
    }
  });

  it('a count of 0 is the maximum: 65536 in binary, 10000 in BCD', () => {
    const t = setup();
    const start = t.program(0, 2, 0);
    t.clock.ns = start + ticksNs(1);
    expect(t.latchedCount(0)).toBe(0xffff);
    expect(t.pit.nextEventNs()).toBe(start + ticksNs(0x10000));
    t.out(0x43, control(0, RW_WORD, 2, 1));
    t.out(0x40, 0);
    t.out(0x40, 0);
    const bcd = t.clock.ns;
    expect(t.pit.nextEventNs()).toBe(bcd + ticksNs(10000));
    t.clock.ns = bcd + ticksNs(1);
    expect(t.latchedCount(0)).toBe(0x9999);
  });
});

describe('8254 access modes, latch and read-back', () => {
  it('LSB-only and MSB-only access write and read one byte; the other byte is zero', () => {
    const t = setup();
    t.out(0x43, control(2, RW_LSB, 0));
    t.out(0x42, 0x40);
    const lsbStart = t.clock.ns;
    t.clock.ns = lsbStart + ticksNs(0x10);
    expect(t.inb(0x42)).toBe(0x30);
    expect(t.inb(0x42)).toBe(0x30);
    t.out(0x43, control(2, RW_MSB, 0));
    t.out(0x42, 0x02); // count 0x0200
    const msbStart = t.clock.ns;
    t.clock.ns = msbStart + ticksNs(0x101);
    expect(t.inb(0x42)).toBe(0x00); // 0x00FF
    expect(t.inb(0x42)).toBe(0x00);
  });

  it('word access writes and reads LSB then MSB through one flip-flop per direction', () => {
    const t = setup();
    t.out(0x43, control(1, RW_WORD, 0));
    t.out(0x41, 0x34);
    expect(t.pit.output(1)).toBe(L); // no count until the MSB arrives: still the control word's level
    t.out(0x41, 0x12);
    const start = t.clock.ns;
    t.clock.ns = start + ticksNs(0x34);
    expect(t.inb(0x41)).toBe(0x00);
    expect(t.inb(0x41)).toBe(0x12);
    expect(t.inb(0x41)).toBe(0x00);
  });

  it('a control word resets the read flip-flop', () => {
    const t = setup();
    t.program(0, 0, 0x1234);
    t.inb(0x40); // LSB read, flip-flop now at MSB
    const start = t.program(0, 0, 0xabcd);
    t.clock.ns = start;
    expect(t.inb(0x40)).toBe(0xcd);
  });

  it('the counter latch command freezes the count until both bytes are read; a second latch is ignored', () => {
    const t = setup();
    const start = t.program(0, 2, 1000);
    t.clock.ns = start + ticksNs(100);
    t.out(0x43, control(0, RW_LATCH, 0));
    t.clock.ns = start + ticksNs(300);
    t.out(0x43, control(0, RW_LATCH, 0));
    expect(t.inb(0x40) | (t.inb(0x40) << 8)).toBe(900);
    expect(t.inb(0x40) | (t.inb(0x40) << 8)).toBe(700); // live again
  });

  it('read-back latches several counters at once, status before count, and each only once', () => {
    const t = setup();
    const s0 = t.program(0, 3, 100);
    const s2 = t.program(2, 0, 50);
    t.clock.ns = Math.max(s0, s2) + ticksNs(10);
    t.out(0x43, 0xc0 | 0x08 | 0x02); // read back count and status of counters 0 and 2
    t.clock.ns += ticksNs(7);
    t.out(0x43, 0xc0 | 0x08 | 0x02); // ignored: both still latched
    expect(t.inb(0x40)).toBe(0x80 | RW_WORD | (3 << 1)); // OUT high (first half), count loaded
    expect(t.inb(0x40) | (t.inb(0x40) << 8)).toBe(80); // mode 3 counts by two
    expect(t.inb(0x42)).toBe(RW_WORD | (0 << 1)); // OUT low, mode 0
    expect(t.inb(0x42) | (t.inb(0x42) << 8)).toBe(40);
  });

  it('read-back of status only, then of count only', () => {
    const t = setup();
    t.out(0x43, control(1, RW_LSB, 4, 1));
    t.out(0x43, 0xc0 | 0x20 | 0x04); // status only (COUNT bit 5 = 1 means do not latch count)
    expect(t.inb(0x41)).toBe(0x80 | 0x40 | RW_LSB | (4 << 1) | 1); // OUT high in mode 4, null count, BCD
    t.out(0x41, 0x25);
    const start = t.clock.ns;
    t.clock.ns = start + ticksNs(5);
    t.out(0x43, 0xc0 | 0x10 | 0x04); // count only
    t.clock.ns = start + ticksNs(9);
    expect(t.inb(0x41)).toBe(0x20); // BCD 25 - 5
    expect(t.inb(0x41)).toBe(0x16); // live: BCD 25 - 9
  });

  it('read-back status reports modes 6 and 7 as written', () => {
    const t = setup();
    t.out(0x43, control(0, RW_WORD, 6));
    t.out(0x43, 0xe2);
    expect(t.inb(0x40) & 0x0e).toBe(6 << 1);
  });
});
