/**
 * Test doubles shared by the device tests: a recording interrupt line set
 * and a manual clock.
 */
import type { InterruptLines } from '../../../src/vmm/devices/irq.js';
import type { Clock } from '../../../src/vmm/devices/clock.js';

/** Records line levels and every transition as "+n" / "-n". */
export class RecordingLines implements InterruptLines {
  readonly levels = new Set<number>();
  readonly events: string[] = [];
  raiseIrq(n: number): void {
    this.levels.add(n);
    this.events.push(`+${n}`);
  }
  lowerIrq(n: number): void {
    this.levels.delete(n);
    this.events.push(`-${n}`);
  }
  isHigh(n: number): boolean {
    return this.levels.has(n);
  }
}

export class ManualClock implements Clock {
  constructor(public ns = 0) {}
  nowNs(): number {
    return this.ns;
  }
  advance(ns: number): void {
    this.ns += ns;
  }
}
