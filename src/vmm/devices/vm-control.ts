/**
 * How devices ask the virtual machine to stop.
 *
 * A device that ends the run (the isa-debug-exit port, a keyboard-controller
 * reset, …) does not stop anything itself: it records the request with the
 * machine through VmControl, and the CPU loop checks for it at the next block
 * boundary and unwinds. The reason says how the run should end so the CLI can
 * turn it into a process exit status.
 */
export type StopReason =
  /** The guest asked to exit with this process status (QEMU isa-debug-exit). */
  | { kind: 'exit'; status: number }
  /** The guest asked for a system reset (keyboard controller, triple fault policy). */
  | { kind: 'reset'; source: string }
  /** The guest asked to power off (ACPI, APM, …). */
  | { kind: 'poweroff'; source: string };

export interface VmControl {
  requestStop(reason: StopReason): void;
}
