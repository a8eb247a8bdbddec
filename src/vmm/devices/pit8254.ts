/**
 * The Intel 8254 programmable interval timer at 0x40–0x43.
 *
 * Counter 0 drives IRQ0 (the system tick), counter 1 is the old DRAM refresh
 * timer, counter 2 feeds the speaker. All three count the 1.193182 MHz input
 * clock. Nothing here runs on its own: each counter remembers when its count
 * was loaded, and its value and OUT level are computed from the Clock when
 * asked. The CPU loop asks nextEventNs() when IRQ0 is next due and calls
 * update() once that time has passed, which raises IRQ0 on OUT's rising edge.
 *
 * Modes (bits 3:1 of the control word; 6 and 7 are aliases of 2 and 3, as
 * the datasheet says):
 *   0  interrupt on terminal count: OUT low from the control word, high when
 *      the count reaches zero; the counter keeps wrapping afterwards.
 *   2  rate generator: period N; OUT low for the one clock when the count is
 *      1, rising again as N reloads — one IRQ0 edge per period.
 *   3  square wave: OUT high for ceil(N/2) clocks, low for floor(N/2); the
 *      count steps down by two.
 *   4  software-triggered strobe: OUT high; low for the one clock when the
 *      count reaches zero, then high again (the IRQ0 edge); the counter
 *      keeps wrapping.
 *   1, 5 are started by a gate rising edge; as QEMU does, the count write
 *      starts them too, so mode 1 behaves as mode 0 once loaded and mode 5
 *      as mode 4.
 * A new count written while a mode 2/3 counter runs takes effect when the
 * current period ends, as the datasheet says; in the other modes it restarts
 * the counter at once.
 * Gates: counters 0 and 1 have theirs tied high; counter 2's is bit 0 of
 * port 0x61 (system-control-port.ts), low after reset. As in QEMU, a rising
 * edge restarts a counter in modes 1, 2, 3 and 5, and a low gate neither
 * stops counting (modes 0, 2, 3, 4) nor forces OUT high (modes 2, 3) as the
 * datasheet says it would: guests are recorded under QEMU, and Linux's TSC
 * calibration raises the gate before it programs the counter anyway.
 * Simplification: the one-clock delay between writing a count and loading
 * it is ignored (counting starts at the write).
 * A count of 0 means 65536 (10000 in BCD).
 *
 * Reads follow the access mode: LSB, MSB, or LSB then MSB through a
 * flip-flop; the latch command (RW=00) and the read-back command (SC=11)
 * freeze count and/or status until read.
 */
import type { Clock } from './clock.js';
import type { InterruptLines } from './irq.js';
import type { PortDevice } from './port-bus.js';

export const PIT_HZ = 1_193_182;
const NS_PER_S = 1_000_000_000;
/** OUT of counter 0 is wired to this IRQ line. */
const PIT_IRQ = 0;

/** Whole input clocks elapsed in `ns` nanoseconds, exactly (no 2^53 overflow for realistic ns). */
export function ticksIn(ns: number): number {
  const seconds = Math.floor(ns / NS_PER_S);
  const rest = ns - seconds * NS_PER_S;
  return seconds * PIT_HZ + Math.floor((rest * PIT_HZ) / NS_PER_S);
}

/** The first whole nanosecond at which `ticks` input clocks have elapsed. */
export function nsForTicks(ticks: number): number {
  const seconds = Math.floor(ticks / PIT_HZ);
  const rest = ticks - seconds * PIT_HZ;
  return seconds * NS_PER_S + Math.ceil((rest * NS_PER_S) / PIT_HZ);
}

/** Byte-sequencing state of a counter's read or write path. */
const enum Access {
  Latch = 0,
  Lsb = 1,
  Msb = 2,
  Word = 3,
}

class Counter {
  mode = 0;
  access: Access = Access.Word;
  bcd = false;
  /** Count register as written (0 stands for the maximum). */
  count = 0;
  /** Clock time the count was loaded, or -1 while no count has been written. */
  startNs = -1;
  /** Rising edges of OUT already reported (counter 0 only); -1: the reload edge at startNs is unreported. */
  edgesReported = 0;
  /** Count written during a mode 2/3 period, waiting for the period to end; -1 if none. */
  pendingCount = -1;
  /** Clock time the current period ends and pendingCount takes over. */
  switchNs = 0;
  /** Input clocks from startNs to switchNs. */
  switchTicks = 0;
  nullCount = true;
  /** Write flip-flop: in Word mode, true after the LSB. */
  writeHigh = false;
  /** LSB held until the MSB arrives (Word access). */
  pendingLsb = 0;
  readHigh = false;
  latched = false;
  latchedValue = 0;
  latchedHigh = false;
  statusLatched = false;
  latchedStatus = 0;

  /** Modulus implied by a count register of 0 and the counting base. */
  period(): number {
    if (this.count !== 0) return this.bcd ? fromBcd(this.count) : this.count;
    return this.bcd ? 10000 : 0x10000;
  }

  /** Behaviour class: 0 one-shot (modes 0, 1), 2 rate generator, 3 square wave, 4 strobe (modes 4, 5). */
  kind(): number {
    const m = this.mode & 3;
    if (m === 2 || m === 3) return m;
    return this.mode >= 4 ? 4 : 0;
  }

  /** Whether OUT repeats every period (modes 2 and 3, and their aliases 6 and 7). */
  periodic(): boolean {
    return (this.mode & 2) !== 0;
  }
}

function fromBcd(v: number): number {
  return ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 + (v & 0xf);
}
function toBcd(n: number): number {
  return ((n / 1000) % 10 << 12) | ((n / 100) % 10 << 8) | ((n / 10) % 10 << 4) | n % 10;
}

export class Pit8254 implements PortDevice {
  readonly accessWidth = 1;
  private readonly counters = [new Counter(), new Counter(), new Counter()] as const;

  constructor(
    private readonly clock: Clock,
    private readonly lines: InterruptLines,
  ) {}

  /** Gate inputs (only counter 2's can change: setGate). */
  private readonly gates = [true, true, false];

  /** Counter `index`'s gate input now. */
  gate(index: number): boolean {
    return this.gates[index]!;
  }

  /** Drives counter `index`'s gate; a rising edge restarts a loaded counter in modes 1, 2, 3 and 5. */
  setGate(index: number, high: boolean): void {
    const c = this.counters[index]!;
    const rising = high && !this.gates[index];
    this.gates[index] = high;
    if (!rising || c.startNs < 0 || c.mode === 0 || c.mode === 4) return;
    this.settle(c);
    c.startNs = this.clock.nowNs();
    c.edgesReported = 0;
    c.pendingCount = -1;
  }

  /** Input clocks since counter `c` was loaded at the current clock time. */
  private elapsed(c: Counter): number {
    return ticksIn(Math.floor(this.clock.nowNs() - c.startNs));
  }

  /** Applies a count written mid-period once that period has ended. */
  private settle(c: Counter): void {
    if (c.pendingCount < 0 || this.clock.nowNs() < c.switchNs) return;
    const edgesBeforeSwitch = c.switchTicks / c.period();
    c.edgesReported = c.edgesReported >= edgesBeforeSwitch ? 0 : -1;
    c.count = c.pendingCount;
    c.startNs = c.switchNs;
    c.pendingCount = -1;
  }

  /** The counting element of counter `index` now (binary, 0..0xFFFF). */
  currentCount(index: number): number {
    const c = this.counters[index]!;
    this.settle(c);
    if (c.startNs < 0) return c.count;
    const n = c.period();
    const d = this.elapsed(c);
    let value: number;
    switch (c.kind()) {
      case 2:
        value = n - (d % n);
        break;
      case 3: {
        const p = d % n;
        const high = (n + 1) >>> 1;
        const even = n & ~1;
        value = p < high ? even - 2 * p : even - 2 * (p - high);
        if (value < 0) value = 0;
        break;
      }
      default: {
        const modulus = c.bcd ? 10000 : 0x10000;
        value = (((n - d) % modulus) + modulus) % modulus;
      }
    }
    if (c.bcd) return toBcd(value % 10000);
    return value & 0xffff;
  }

  /** OUT level of counter `index` now. */
  output(index: number): boolean {
    const c = this.counters[index]!;
    this.settle(c);
    if (c.startNs < 0) return c.kind() !== 0;
    const n = c.period();
    const d = this.elapsed(c);
    switch (c.kind()) {
      case 2:
        return d % n !== n - 1;
      case 3:
        return d % n < (n + 1) >>> 1;
      case 4:
        return d !== n;
      default:
        return d >= n;
    }
  }

  /** Rising edges of OUT since counter `c` was loaded. */
  private edgesSoFar(c: Counter): number {
    const n = c.period();
    const d = this.elapsed(c);
    switch (c.kind()) {
      case 0:
        return d >= n ? 1 : 0;
      case 4:
        return d > n ? 1 : 0; // OUT rises after its one low clock at count zero
      default:
        return Math.floor(d / n);
    }
  }

  /**
   * Clock time of the next IRQ0 edge not yet reported by update(), or
   * Infinity if counter 0 will not produce one. May lie in the past: then
   * update() is overdue.
   */
  nextEventNs(): number {
    const c = this.counters[0];
    this.settle(c);
    if (c.startNs < 0) return Infinity;
    const n = c.period();
    if (!c.periodic()) {
      return c.edgesReported > 0 ? Infinity : c.startNs + nsForTicks(c.kind() === 4 ? n + 1 : n);
    }
    return c.startNs + nsForTicks((c.edgesReported + 1) * n);
  }

  /** Raises IRQ0 if OUT of counter 0 rose since the last call. */
  update(): void {
    const c = this.counters[0];
    this.settle(c);
    if (c.startNs < 0) return;
    const edges = this.edgesSoFar(c);
    if (edges > c.edgesReported) {
      c.edgesReported = edges;
      // Several periods may have passed; the PIC latches one request anyway.
      this.lines.lowerIrq(PIT_IRQ);
      this.lines.raiseIrq(PIT_IRQ);
    }
    if (!this.output(0)) this.lines.lowerIrq(PIT_IRQ);
  }

  readPort(port: number, _size: 1 | 2 | 4): number {
    const index = port & 3;
    // The control register is write-only; the 8254 leaves the bus undriven on a
    // read, but QEMU returns 0 and guests are tested on QEMU, so we do too.
    if (index === 3) return 0;
    const c = this.counters[index]!;
    if (c.statusLatched) {
      c.statusLatched = false;
      return c.latchedStatus;
    }
    if (c.latched) {
      if (c.access === Access.Word && !c.latchedHigh) {
        c.latchedHigh = true;
        return c.latchedValue & 0xff;
      }
      c.latched = false;
      c.latchedHigh = false;
      return c.access === Access.Lsb ? c.latchedValue & 0xff : c.latchedValue >>> 8;
    }
    const value = this.currentCount(index);
    switch (c.access) {
      case Access.Lsb:
        return value & 0xff;
      case Access.Msb:
        return value >>> 8;
      default:
        c.readHigh = !c.readHigh;
        return c.readHigh ? value & 0xff : value >>> 8;
    }
  }

  writePort(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    const index = port & 3;
    if (index === 3) {
      this.writeControl(value);
      return;
    }
    const c = this.counters[index]!;
    switch (c.access) {
      case Access.Lsb:
        this.load(index, value);
        return;
      case Access.Msb:
        this.load(index, value << 8);
        return;
      default:
        if (!c.writeHigh) {
          c.pendingLsb = value;
          c.writeHigh = true;
        } else {
          c.writeHigh = false;
          this.load(index, c.pendingLsb | (value << 8));
        }
    }
  }

  private load(index: number, count: number): void {
    const c = this.counters[index]!;
    this.settle(c);
    if (c.startNs >= 0 && c.periodic()) {
      // Mid-period: the new count waits for the end of the current period.
      const n = c.period();
      c.pendingCount = count;
      c.switchTicks = (Math.floor(this.elapsed(c) / n) + 1) * n;
      c.switchNs = c.startNs + nsForTicks(c.switchTicks);
      return;
    }
    c.count = count;
    c.startNs = this.clock.nowNs();
    c.edgesReported = 0;
    c.nullCount = false;
    if (index === 0) this.update();
  }

  private writeControl(value: number): void {
    const select = value >>> 6;
    if (select === 3) {
      this.readBack(value);
      return;
    }
    const c = this.counters[select]!;
    const access = (value >>> 4) & 3;
    if (access === Access.Latch) {
      // A second latch before the first is read is ignored.
      if (!c.latched) {
        c.latched = true;
        c.latchedHigh = false;
        c.latchedValue = this.currentCount(select);
      }
      return;
    }
    c.access = access;
    c.mode = (value >>> 1) & 7;
    c.bcd = (value & 1) !== 0;
    // A control word stops the counter until a new count arrives and sets
    // OUT to the mode's initial level.
    c.startNs = -1;
    c.pendingCount = -1;
    c.nullCount = true;
    c.writeHigh = false;
    c.readHigh = false;
    c.latched = false;
    c.statusLatched = false;
    // Mode 0 drives OUT low at once. Other modes drive it high, but we do
    // not raise IRQ0 for that: QEMU does not either, and a guest reprogramming
    // the timer does not expect an interrupt before the first period ends.
    if (select === 0 && c.kind() === 0) this.lines.lowerIrq(PIT_IRQ);
  }

  private readBack(value: number): void {
    const latchCount = (value & 0x20) === 0;
    const latchStatus = (value & 0x10) === 0;
    for (let i = 0; i < 3; i++) {
      if (!(value & (2 << i))) continue;
      const c = this.counters[i]!;
      this.settle(c);
      if (latchStatus && !c.statusLatched) {
        c.statusLatched = true;
        c.latchedStatus =
          (this.output(i) ? 0x80 : 0) |
          (c.nullCount || c.pendingCount >= 0 || this.elapsed(c) < 1 ? 0x40 : 0) | (c.access << 4) | (c.mode << 1) | (c.bcd ? 1 : 0);
      }
      if (latchCount && !c.latched) {
        c.latched = true;
        c.latchedHigh = false;
        c.latchedValue = this.currentCount(i);
      }
    }
  }
}
