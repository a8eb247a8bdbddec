/**
 * Virtual time for devices.
 *
 * Timer devices (PIT, RTC) do not run on their own: they compute their state
 * from the clock whenever they are read, and tell the CPU loop when their
 * next interrupt is due (see Pit8254.nextEventNs). Who advances the clock is
 * the CPU's business: under --icount it is derived from the retired
 * instruction count so that runs are reproducible; otherwise it follows host
 * time. Devices only ever ask for "now".
 *
 * nowNs() returns nanoseconds since an arbitrary origin, never decreasing.
 * Fractional values are allowed; devices floor them.
 */
export interface Clock {
  nowNs(): number;
}

/** A clock that follows the host's monotonic time, starting at 0 when created. */
export class HostClock implements Clock {
  private readonly originMs = performance.now();
  nowNs(): number {
    return Math.floor((performance.now() - this.originMs) * 1e6);
  }
}
