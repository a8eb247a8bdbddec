/**
 * Virtual time: the Clock the PIT, the RTC and rdtsc read.
 *
 * --icount: time is the retired instruction count times a fixed period
 * (2^shift ns per instruction, as QEMU's -icount shift=N), plus the time the
 * guest spent halted — so a run is exactly reproducible. Otherwise it follows
 * host time. In both modes a halted CPU may skip ahead to the next timer
 * deadline (skipTo); the host-time mode does that only after really sleeping
 * until then, so guests see wall-clock rates as under QEMU.
 */
import type { CpuState } from '../state/state.js';
import type { Clock } from './devices/clock.js';

export type TimeMode = { kind: 'icount'; shift: number } | { kind: 'host' };

export class VirtualClock implements Clock {
  private skippedNs = 0;
  private readonly nsPerInsn: number;
  private readonly hostOriginMs = performance.now();

  constructor(private readonly cpu: CpuState, readonly mode: TimeMode) {
    this.nsPerInsn = mode.kind === 'icount' ? 2 ** mode.shift : 0;
  }

  nowNs(): number {
    if (this.mode.kind === 'icount') return this.cpu.icount * this.nsPerInsn + this.skippedNs;
    return (performance.now() - this.hostOriginMs) * 1e6 + this.skippedNs;
  }

  /** Moves time forward to `ns` (never backward). */
  skipTo(ns: number): void {
    const now = this.nowNs();
    if (ns > now) this.skippedNs += ns - now;
  }
}
