/**
 * `-d guest_errors` and `-d unimp`, QEMU's log items for a guest's mistakes
 * and for device features the guest used that the machine does not model.
 *
 * The monitor (MSRs), the port bus (ports no device decodes), the MMIO map
 * (guest-physical addresses with neither RAM nor a device: open bus) and the
 * devices each hold this one object and report through it; every line is
 * formatted here, so the wording stays one style. A reporter checks
 * `errors` or `unimp` before it builds its text, so a run without these
 * items formats nothing. As in QEMU, nothing is rate-limited: a guest that
 * polls a missing port logs each poll.
 *
 * Under QEMU 7.2 (checked with qemu-system-i386 -d guest_errors,unimp) the
 * PC logs none of the bus-level cases: unassigned ports and memory answer
 * silently and TCG reads unknown MSRs as 0. btvm logs them because they are
 * what a guest bug looks like from here, in QEMU's terse style.
 */

const hex = (n: number, digits = 0): string => '0x' + (n >>> 0).toString(16).padStart(digits, '0');

const IN = ['', 'inb', 'inw', '', 'inl'] as const;
const OUT = ['', 'outb', 'outw', '', 'outl'] as const;

export class GuestLog {
  /** No items on: nothing is ever written (the default of every reporter). */
  static readonly silent = new GuestLog(false, false, () => {});

  constructor(
    /** -d guest_errors */
    readonly errors: boolean,
    /** -d unimp */
    readonly unimp: boolean,
    private readonly write: (text: string) => void,
  ) {}

  /** A guest mistake, as `device: what happened`. */
  error(device: string, what: string): void {
    if (this.errors) this.write(`${device}: ${what}\n`);
  }

  /** A feature the guest used that btvm accepts but does not model. */
  unimplemented(device: string, what: string): void {
    if (this.unimp) this.write(`${device}: unimplemented ${what}\n`);
  }

  /** An in/out to a port no device decodes: reads all ones, writes are dropped. */
  unassignedPort(port: number, size: 1 | 2 | 4, value: number | null): void {
    if (!this.errors) return;
    this.write(value === null
      ? `unassigned I/O port ${hex(port, 4)}: ${IN[size]} reads ${hex(size === 4 ? 0xffffffff : (1 << (8 * size)) - 1)}\n`
      : `unassigned I/O port ${hex(port, 4)}: ${OUT[size]} ${hex(value)} dropped\n`);
  }

  /** A guest-physical access where neither RAM nor a device window answers (open bus). */
  openBus(pa: number, size: number, value: number | null): void {
    if (!this.errors) return;
    this.write(value === null
      ? `unassigned physical address ${hex(pa, 8)}: read size ${size} (open bus, all ones)\n`
      : `unassigned physical address ${hex(pa, 8)}: write size ${size} value ${hex(value)} dropped\n`);
  }

  /** rdmsr/wrmsr of an MSR the CPU model does not have: btvm answers as QEMU's TCG (reads 0, writes ignored). */
  unknownMsr(msr: number, write: { hi: number; lo: number } | null): void {
    if (!this.errors) return;
    this.write(write === null
      ? `rdmsr: unknown MSR ${hex(msr, 8)} reads 0 (a CPU without it raises #GP)\n`
      : `wrmsr: unknown MSR ${hex(msr, 8)} value ${hex(write.hi, 8)}:${hex(write.lo, 8).slice(2)} ignored (a CPU without it raises #GP)\n`);
  }
}
