/**
 * A National PC16550D UART (the PC's COM port) — the guest's console.
 *
 * Registers at base+0..7 (facts from the PC16550D datasheet):
 *   +0  RBR (read) / THR (write); DLL when LCR.DLAB=1
 *   +1  IER: b0 received data, b1 THR empty, b2 receiver line status, b3 modem status;
 *       DLM when LCR.DLAB=1
 *   +2  IIR (read) / FCR (write)
 *   +3  LCR   +4 MCR   +5 LSR   +6 MSR   +7 SCR
 *
 * Modelling choices:
 * - Transmission is instantaneous while the host keeps up: a byte written to
 *   THR goes straight to the host end of the line (SerialLine), LSR.THRE and
 *   LSR.TEMT read 1 and the THR-empty interrupt condition is re-armed at once.
 *   When the host cannot take more (SerialLine.busy: its output is backed
 *   up, e.g. stdout into a pipe nobody reads), the transmitter stays busy as
 *   on a slow line: THRE and TEMT read 0 and no THR-empty interrupt comes
 *   until the host calls lineIdle(). A guest that writes THR anyway loses
 *   nothing (the byte still goes to the host); the host bounds what it holds
 *   by pausing the whole guest instead (Machine.setHostBlocked).
 * - Input arrives through receive(bytes) into an unbounded queue (stdin must
 *   never be lost), so the receiver never overruns; OE/PE/FE/BI stay 0 and the
 *   receiver-line-status interrupt never fires. In FIFO mode the queue's head
 *   is the FIFO: at or above the trigger level the IIR says "received data
 *   available"; below it, "character timeout" (as if the four character times
 *   had already passed, since we have no line timing).
 * - Loopback (MCR.LOOP): THR bytes go to the receiver instead of the sink, and
 *   MSR reads DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD, as the datasheet wires it.
 *   Outside loopback the modem inputs are those of a connected terminal:
 *   CTS, DSR and DCD asserted, RI not (MSR = 0xB0, as QEMU reports).
 * - PCs gate the UART's INTR pin with MCR.OUT2; QEMU does not, and guests
 *   tested on QEMU (xv6 writes MCR=0 and still expects receive interrupts)
 *   depend on that, so OUT2 does not gate the IRQ here either.
 * The INTR output is a level: the line is raised while any enabled condition
 * is pending and lowered when none is.
 * -d guest_errors logs writes to the read-only LSR and MSR; -d unimp logs a
 * break (LCR bit 6), which has no line to go out on here.
 */
import { GuestLog } from '../guest-log.js';
import type { InterruptLines } from './irq.js';
import type { PortDevice } from './port-bus.js';

export type ByteSink = (byte: number) => void;

/** The host end of the serial line, with flow control. */
export interface SerialLine {
  /** Takes one transmitted byte. */
  send(byte: number): void;
  /** True while the host holds back: the transmitter stays busy until the host calls Uart16550.lineIdle(). */
  readonly busy: boolean;
}

/** A line that always keeps up (tests, -serial null). */
const alwaysReady = (sink: ByteSink): SerialLine => ({ send: sink, busy: false });

const IER_RDA = 0x01;
const IER_THRE = 0x02;
const IER_MSI = 0x08;

const IIR_NONE = 0x01;
const IIR_MSI = 0x00;
const IIR_THRE = 0x02;
const IIR_RDA = 0x04;
const IIR_CTI = 0x0c;
const IIR_FIFO_ENABLED = 0xc0;

const LCR_DLAB = 0x80;

const LCR_BREAK = 0x40;
const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;

const LSR_DR = 0x01;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;

const MSR_DCTS = 0x01;
const MSR_DDSR = 0x02;
const MSR_TERI = 0x04;
const MSR_DDCD = 0x08;
const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;
/** Modem inputs of a terminal that is present and ready. */
const MSR_CONNECTED = MSR_CTS | MSR_DSR | MSR_DCD;

/** FCR bits 7:6 → receiver FIFO trigger level in bytes. */
const TRIGGER_LEVELS = [1, 4, 8, 14] as const;
const FIFO_DEPTH = 16;

export class Uart16550 implements PortDevice {
  readonly accessWidth = 1;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private fcr = 0;
  private divisor = 0;
  /** Modem status inputs (bits 7:4) and delta bits (3:0). */
  private msr = MSR_CONNECTED;
  /** THR-empty interrupt condition, cleared by reading IIR or writing THR. */
  private thrEmptyPending = false;
  /** Received bytes not yet read; `rxHead` indexes the next one. */
  private rxQueue: number[] = [];
  private rxHead = 0;
  private irqLevel = false;
  /** The last byte has not left yet: the host's end of the line is backed up. */
  private txBusy = false;
  private readonly line: SerialLine;
  /** -d guest_errors and -d unimp. */
  guestLog = GuestLog.silent;

  constructor(
    readonly base: number,
    readonly irq: number,
    private readonly lines: InterruptLines,
    output: ByteSink | SerialLine,
  ) {
    this.line = typeof output === 'function' ? alwaysReady(output) : output;
  }

  /** The host can take output again: THR and the shift register are empty, the THR-empty interrupt is armed. */
  lineIdle(): void {
    if (!this.txBusy) return;
    this.txBusy = false;
    this.thrEmptyPending = true;
    this.updateIrq();
  }

  /** Whether the transmitter reads busy (LSR.THRE = 0). */
  get transmitterBusy(): boolean {
    return this.txBusy;
  }

  /** Queues input bytes for the guest (console stdin). */
  receive(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.rxQueue.push(bytes[i]! & 0xff);
    this.updateIrq();
  }

  /** Bytes received but not yet read by the guest. */
  get pendingInput(): number {
    return this.rxQueue.length - this.rxHead;
  }

  /** Current divisor latch; the baud rate is 115200 / divisor. */
  get divisorLatch(): number {
    return this.divisor;
  }

  readPort(port: number, _size: 1 | 2 | 4): number {
    switch ((port - this.base) & 7) {
      case 0:
        if (this.lcr & LCR_DLAB) return this.divisor & 0xff;
        return this.readRbr();
      case 1:
        if (this.lcr & LCR_DLAB) return this.divisor >>> 8;
        return this.ier;
      case 2:
        return this.readIir();
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5:
        return (this.pendingInput > 0 ? LSR_DR : 0) | (this.txBusy ? 0 : LSR_THRE | LSR_TEMT);
      case 6:
        return this.readMsr();
      default:
        return this.scr;
    }
  }

  writePort(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    switch ((port - this.base) & 7) {
      case 0:
        if (this.lcr & LCR_DLAB) this.divisor = (this.divisor & 0xff00) | value;
        else this.transmit(value);
        return;
      case 1:
        if (this.lcr & LCR_DLAB) {
          this.divisor = (this.divisor & 0xff) | (value << 8);
          return;
        }
        // Enabling the THR-empty interrupt while THR is empty raises it at
        // once: drivers rely on this to kick off transmission.
        if (value & IER_THRE && !(this.ier & IER_THRE) && !this.txBusy) this.thrEmptyPending = true;
        this.ier = value & 0x0f;
        this.updateIrq();
        return;
      case 2:
        this.writeFcr(value);
        return;
      case 3:
        if (value & LCR_BREAK && !(this.lcr & LCR_BREAK)) this.guestLog.unimplemented('serial', 'break (LCR bit 6): not sent');
        this.lcr = value;
        return;
      case 4:
        this.writeMcr(value & 0x1f);
        return;
      case 5: // LSR writes are for factory test only
      case 6: // MSR is read-only
        if (this.guestLog.errors) this.guestLog.error('serial', `write 0x${value.toString(16)} to read-only ${(port & 7) === 5 ? 'LSR' : 'MSR'} (port 0x${port.toString(16)}) ignored`);
        return;
      default:
        this.scr = value;
    }
  }

  private readRbr(): number {
    if (this.rxHead >= this.rxQueue.length) return 0;
    const byte = this.rxQueue[this.rxHead++]!;
    if (this.rxHead >= this.rxQueue.length) {
      this.rxQueue.length = 0;
      this.rxHead = 0;
    } else if (this.rxHead >= 4096) {
      // Drop consumed entries now and then so the queue does not grow forever.
      this.rxQueue = this.rxQueue.slice(this.rxHead);
      this.rxHead = 0;
    }
    this.updateIrq();
    return byte;
  }

  private readIir(): number {
    const id = this.interruptId();
    // Reading IIR clears a THR-empty interrupt if that is what it reports.
    if (id === IIR_THRE) {
      this.thrEmptyPending = false;
      this.updateIrq();
    }
    return id | (this.fcr & 1 ? IIR_FIFO_ENABLED : 0);
  }

  private readMsr(): number {
    const value = this.msr;
    this.msr &= 0xf0;
    this.updateIrq();
    return value;
  }

  private transmit(byte: number): void {
    this.thrEmptyPending = false;
    if (this.mcr & MCR_LOOP) {
      this.rxQueue.push(byte);
    } else {
      this.line.send(byte);
      this.txBusy = this.line.busy;
    }
    // The byte left at once, so THR is empty again, unless the line is backed up.
    this.thrEmptyPending = !this.txBusy;
    this.updateIrq();
  }

  private writeFcr(value: number): void {
    const enable = value & 1;
    // Changing the FIFO enable bit clears both FIFOs (datasheet, FCR0).
    if ((enable ^ this.fcr) & 1 || value & 0x02) {
      // Our receive queue holds host input that has not reached the FIFO yet;
      // only what a 16-byte FIFO would hold is discarded.
      const drop = Math.min(this.pendingInput, enable || this.fcr & 1 ? FIFO_DEPTH : 1);
      this.rxHead += drop;
      if (this.rxHead >= this.rxQueue.length) {
        this.rxQueue.length = 0;
        this.rxHead = 0;
      }
    }
    // Bits 1 and 2 self-clear; keep enable, DMA mode and trigger level.
    this.fcr = enable ? value & 0xc9 : 0;
    this.updateIrq();
  }

  private writeMcr(value: number): void {
    const before = this.modemInputs();
    this.mcr = value;
    const after = this.modemInputs();
    const changed = before ^ after;
    let delta = 0;
    if (changed & MSR_CTS) delta |= MSR_DCTS;
    if (changed & MSR_DSR) delta |= MSR_DDSR;
    if (changed & MSR_DCD) delta |= MSR_DDCD;
    // TERI flags the trailing edge of RI only (RI going inactive).
    if (before & MSR_RI && !(after & MSR_RI)) delta |= MSR_TERI;
    this.msr = after | (this.msr & 0x0f) | delta;
    this.updateIrq();
  }

  /** Modem status inputs (MSR bits 7:4) for the current MCR. */
  private modemInputs(): number {
    const m = this.mcr;
    if (!(m & MCR_LOOP)) return MSR_CONNECTED;
    return (
      (m & MCR_RTS ? MSR_CTS : 0) |
      (m & MCR_DTR ? MSR_DSR : 0) |
      (m & MCR_OUT1 ? MSR_RI : 0) |
      (m & MCR_OUT2 ? MSR_DCD : 0)
    );
  }

  /** Highest-priority pending, enabled interrupt as an IIR value (bit 0 = 1: none). */
  private interruptId(): number {
    const ier = this.ier;
    // Priority 1, receiver line status (IER_RLS, IIR 0x06), never occurs:
    // the receiver has no errors to report.
    const waiting = this.pendingInput;
    if (ier & IER_RDA && waiting > 0) {
      if (!(this.fcr & 1)) return IIR_RDA;
      return waiting >= TRIGGER_LEVELS[this.fcr >>> 6]! ? IIR_RDA : IIR_CTI;
    }
    if (ier & IER_THRE && this.thrEmptyPending) return IIR_THRE;
    if (ier & IER_MSI && this.msr & 0x0f) return IIR_MSI;
    return IIR_NONE;
  }

  private updateIrq(): void {
    const level = this.interruptId() !== IIR_NONE;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    if (level) this.lines.raiseIrq(this.irq);
    else this.lines.lowerIrq(this.irq);
  }
}
