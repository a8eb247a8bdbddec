/**
 * The MC146818-compatible real-time clock and CMOS RAM at 0x70/0x71.
 *
 * Port 0x70 selects a register (bits 6:0) and carries the NMI-disable bit
 * (bit 7); port 0x71 reads or writes the selected register. Reads of 0x70
 * return 0xFF, as on QEMU (the index register is write-only).
 *
 * Registers:
 *   0x00 seconds, 0x02 minutes, 0x04 hours, 0x06 day of week (1 = Sunday),
 *   0x07 day of month, 0x08 month, 0x09 year (two digits), 0x32 century;
 *   0x01/0x03/0x05 alarms (stored, never fire);
 *   0x0A status A: UIP (bit 7), divider 010 and rate 0110 (1024 Hz) = 0x26;
 *   0x0B status B: SET, PIE, AIE, UIE, SQWE, DM (1 = binary), 24/12, DSE;
 *        default 0x02: 24-hour, BCD;
 *   0x0C status C: interrupt flags, cleared by reading (always 0: periodic,
 *        alarm and update interrupts are not generated — IRQ8 never fires);
 *   0x0D status D: VRT (valid RAM and time) = 0x80;
 *   0x15/0x16 base memory in KiB (640), 0x17/0x18 and 0x30/0x31 extended
 *        memory above 1 MiB in KiB (capped at 0xFFFF), 0x34/0x35 memory above
 *        16 MiB in 64 KiB blocks (capped at 0xFFFF), all counting RAM below
 *        4 GiB; 0x5b–0x5d RAM above 4 GiB in 64 KiB blocks — the values
 *        QEMU's PC machine stores for its BIOS.
 * Every other byte of the 128 is plain CMOS RAM, initially zero.
 *
 * Time: the wall-clock time given at construction, in UTC (QEMU's default
 * -rtc base=utc), advanced by the Clock if one is given (else frozen, which
 * tests want). Time and date are presented in the format status B selects,
 * including 12-hour mode with bit 7 for PM. A guest writing a time register
 * moves the clock; while status B.SET is 1 the time registers are frozen as
 * the datasheet says. UIP reads 1 during the last 244 µs before each second
 * boundary, when the update cycle would be in progress.
 */
import { GuestLog } from '../guest-log.js';
import type { Clock } from './clock.js';
import type { PortDevice } from './port-bus.js';

export const CMOS_INDEX_PORT = 0x70;
export const CMOS_DATA_PORT = 0x71;

const REG_SECONDS = 0x00;
const REG_MINUTES = 0x02;
const REG_HOURS = 0x04;
const REG_WEEKDAY = 0x06;
const REG_DAY = 0x07;
const REG_MONTH = 0x08;
const REG_YEAR = 0x09;
const REG_A = 0x0a;
const REG_B = 0x0b;
const REG_C = 0x0c;
const REG_D = 0x0d;
const REG_CENTURY = 0x32;

/** The registers that read and set the clock (timeField, setTimeField) rather than plain CMOS RAM. */
function isTimeRegister(reg: number): boolean {
  switch (reg) {
    case REG_SECONDS: case REG_MINUTES: case REG_HOURS: case REG_WEEKDAY:
    case REG_DAY: case REG_MONTH: case REG_YEAR: case REG_CENTURY:
      return true;
    default:
      return false;
  }
}

const B_SET = 0x80;
const B_BINARY = 0x04;
const B_24H = 0x02;
const A_UIP = 0x80;
/** The update cycle takes 244 µs before the second ticks over. */
const UIP_WINDOW_NS = 244_000;

const KIB = 1024;
const MIB = 1024 * KIB;

export class CmosRtc implements PortDevice {
  readonly accessWidth = 1;
  /** The 128 bytes of CMOS, holding everything but the live time registers. */
  readonly ram = new Uint8Array(128);
  /** -d guest_errors. */
  guestLog = GuestLog.silent;
  private index = 0;
  /** Bit 7 of the last index write: NMI disabled. */
  nmiDisabled = false;
  /** Guest time in ms at clock time `baseClockNs` (integer ms). */
  private baseMs: number;
  private baseClockNs: number;
  /** While status B.SET is set, the frozen time in ms. */
  private frozenMs = -1;

  constructor(
    ramSize: number,
    start: Date,
    private readonly clock: Clock | null = null,
    /** RAM at 4 GiB and up, in registers 0x5b–0x5d (64 KiB units), as QEMU's pc_cmos_init sets them. */
    ramAboveFourGiB = 0,
  ) {
    this.baseMs = start.getTime();
    this.baseClockNs = clock ? clock.nowNs() : 0;
    this.ram[REG_A] = 0x26;
    this.ram[REG_B] = B_24H;
    this.ram[REG_D] = 0x80;
    this.setWord(0x15, 640);
    const extendedKib = Math.min(0xffff, Math.max(0, Math.floor(ramSize / KIB) - 1024));
    this.setWord(0x17, extendedKib);
    this.setWord(0x30, extendedKib);
    const above16M = ramSize > 16 * MIB ? Math.min(0xffff, Math.floor((ramSize - 16 * MIB) / (64 * KIB))) : 0;
    this.setWord(0x34, above16M);
    const above4G = Math.floor(ramAboveFourGiB / (64 * KIB));
    this.setWord(0x5b, above4G & 0xffff);
    this.ram[0x5d] = (above4G >>> 16) & 0xff;
  }

  private setWord(reg: number, value: number): void {
    this.ram[reg] = value & 0xff;
    this.ram[reg + 1] = (value >>> 8) & 0xff;
  }

  /** Guest wall-clock time now, in ms since the epoch. */
  nowMs(): number {
    if (this.frozenMs >= 0) return this.frozenMs;
    return this.baseMs + this.elapsedNs() / 1e6;
  }

  private elapsedNs(): number {
    return this.clock ? this.clock.nowNs() - this.baseClockNs : 0;
  }

  readPort(port: number, _size: 1 | 2 | 4): number {
    if (port === CMOS_INDEX_PORT) return 0xff;
    return this.readRegister(this.index);
  }

  writePort(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    if (port === CMOS_INDEX_PORT) {
      this.index = value & 0x7f;
      this.nmiDisabled = (value & 0x80) !== 0;
      return;
    }
    this.writeRegister(this.index, value);
  }

  readRegister(reg: number): number {
    if (isTimeRegister(reg)) return this.timeField(reg, new Date(Math.floor(this.nowMs())));
    switch (reg) {
      case REG_A: {
        const uip = this.frozenMs < 0 && this.inUpdateWindow() ? A_UIP : 0;
        return (this.ram[REG_A]! & 0x7f) | uip;
      }
      case REG_C: {
        const v = this.ram[REG_C]!;
        this.ram[REG_C] = 0;
        return v;
      }
      default:
        return this.ram[reg]!;
    }
  }

  writeRegister(reg: number, value: number): void {
    if (isTimeRegister(reg)) {
      this.setTimeField(reg, value);
      return;
    }
    switch (reg) {
      case REG_B: {
        const wasSet = (this.ram[REG_B]! & B_SET) !== 0;
        this.ram[REG_B] = value;
        const isSet = (value & B_SET) !== 0;
        if (isSet && !wasSet) this.frozenMs = Math.floor(this.nowMs());
        if (!isSet && wasSet) this.resumeAt(this.frozenMs);
        return;
      }
      case REG_A:
        this.ram[REG_A] = value & 0x7f; // UIP is read-only
        return;
      case REG_C:
      case REG_D:
        if (this.guestLog.errors) this.guestLog.error('cmos', `write 0x${value.toString(16)} to read-only register ${reg === REG_C ? 'C' : 'D'} ignored`);
        return;
      default:
        this.ram[reg] = value;
    }
  }

  private resumeAt(ms: number): void {
    this.frozenMs = -1;
    this.baseMs = ms;
    this.baseClockNs = this.clock ? this.clock.nowNs() : 0;
  }

  private inUpdateWindow(): boolean {
    if (!this.clock) return false;
    const ns = (this.nowMs() % 1000) * 1e6;
    return ns >= 1e9 - UIP_WINDOW_NS;
  }

  private encode(n: number): number {
    return this.ram[REG_B]! & B_BINARY ? n : ((n / 10) % 10 << 4) | n % 10;
  }

  private decode(v: number): number {
    return this.ram[REG_B]! & B_BINARY ? v : (v >> 4) * 10 + (v & 0xf);
  }

  private timeField(reg: number, t: Date): number {
    switch (reg) {
      case REG_SECONDS:
        return this.encode(t.getUTCSeconds());
      case REG_MINUTES:
        return this.encode(t.getUTCMinutes());
      case REG_HOURS: {
        const h = t.getUTCHours();
        if (this.ram[REG_B]! & B_24H) return this.encode(h);
        const h12 = h % 12 === 0 ? 12 : h % 12;
        return this.encode(h12) | (h >= 12 ? 0x80 : 0);
      }
      case REG_WEEKDAY:
        return this.encode(t.getUTCDay() + 1);
      case REG_DAY:
        return this.encode(t.getUTCDate());
      case REG_MONTH:
        return this.encode(t.getUTCMonth() + 1);
      case REG_YEAR:
        return this.encode(t.getUTCFullYear() % 100);
      default:
        return this.encode(Math.floor(t.getUTCFullYear() / 100) % 100);
    }
  }

  /** Moves guest time so that field `reg` reads `value`, keeping the others. */
  private setTimeField(reg: number, value: number): void {
    const now = Math.floor(this.nowMs());
    const t = new Date(now);
    let year = t.getUTCFullYear();
    let month = t.getUTCMonth();
    let day = t.getUTCDate();
    let hours = t.getUTCHours();
    let minutes = t.getUTCMinutes();
    let seconds = t.getUTCSeconds();
    switch (reg) {
      case REG_SECONDS:
        seconds = this.decode(value);
        break;
      case REG_MINUTES:
        minutes = this.decode(value);
        break;
      case REG_HOURS:
        if (this.ram[REG_B]! & B_24H) {
          hours = this.decode(value);
        } else {
          hours = this.decode(value & 0x7f) % 12 + (value & 0x80 ? 12 : 0);
        }
        break;
      case REG_WEEKDAY:
        return; // derived from the date here
      case REG_DAY:
        day = this.decode(value);
        break;
      case REG_MONTH:
        month = this.decode(value) - 1;
        break;
      case REG_YEAR:
        year = year - (year % 100) + this.decode(value);
        break;
      default:
        year = this.decode(value) * 100 + (year % 100);
    }
    const ms = Date.UTC(year, month, day, hours, minutes, seconds, now % 1000);
    if (Number.isNaN(ms)) return;
    if (this.frozenMs >= 0) this.frozenMs = ms;
    else this.resumeAt(ms);
  }
}
