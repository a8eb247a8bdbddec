/**
 * Interrupt request lines from devices to the interrupt controller.
 *
 * Devices never call the PIC directly: they get an InterruptLines at
 * construction and drive their line with it. That keeps devices testable with
 * a recording fake and lets the machine wire them to whatever controller it
 * has (the 8259 pair today, maybe an IOAPIC later).
 *
 * Semantics are those of a wire: raiseIrq(n) drives ISA line n high,
 * lowerIrq(n) drives it low. An edge-triggered controller latches a request
 * on the low-to-high transition, so a device that wants a fresh request
 * while its line is already high lowers and raises it again.
 */
export interface InterruptLines {
  raiseIrq(n: number): void;
  lowerIrq(n: number): void;
}
