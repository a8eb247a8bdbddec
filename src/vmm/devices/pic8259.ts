/**
 * The PC's cascaded 8259A pair: master at 0x20/0x21 (IRQ0–7), slave at
 * 0xA0/0xA1 (IRQ8–15), the slave's INT output wired to master IR2.
 *
 * Devices drive IRQ lines through InterruptLines; the CPU's interrupt
 * delivery asks pendingVector() whether INTR is asserted (and with which
 * vector) and, when it takes the interrupt, calls acknowledge(), which does
 * what the two INTA cycles do on hardware: it moves the request to in-service
 * on the master and, for IR2, on the slave, and returns the vector.
 *
 * Spurious interrupts follow the datasheet: an acknowledge with no request
 * left yields the chip's IR7 vector without setting any ISR bit; if the master
 * acknowledges IR2 and the slave has nothing to offer, the master's IS2 is set
 * and the slave answers with its IR7 vector (IRQ15), so the OS must send the
 * master an EOI.
 *
 * The slave's INT output is recomputed after every change that can move it
 * and fed to master IR2 as a line level, so the master sees a fresh edge when
 * the slave starts requesting again after an EOI.
 */
import { Pic8259Chip } from './pic8259-chip.js';
import type { InterruptLines } from './irq.js';
import type { PortDevice } from './port-bus.js';

export const PIC_MASTER_COMMAND = 0x20;
export const PIC_MASTER_DATA = 0x21;
export const PIC_SLAVE_COMMAND = 0xa0;
export const PIC_SLAVE_DATA = 0xa1;
/** Master input the slave's INT is wired to. */
const CASCADE_IR = 2;

export class Pic8259 implements InterruptLines, PortDevice {
  readonly accessWidth = 1;
  readonly master = new Pic8259Chip(true);
  readonly slave = new Pic8259Chip(false);

  raiseIrq(n: number): void {
    this.setLine(n, true);
  }

  lowerIrq(n: number): void {
    this.setLine(n, false);
  }

  /** Drives ISA line n: IRQ0–7 are master inputs, IRQ8–15 slave inputs seen by the master through IR2. */
  private setLine(n: number, high: boolean): void {
    if (n < 8) {
      this.master.setLevel(n, high);
    } else {
      this.slave.setLevel(n & 7, high);
      this.updateCascade();
    }
  }

  /** The vector the CPU would get if it acknowledged now, or -1 when INTR is low. */
  pendingVector(): number {
    const ir = this.master.pendingIr();
    if (ir < 0) return -1;
    if (ir !== CASCADE_IR) return this.master.vectorBase | ir;
    const slaveIr = this.slave.pendingIr();
    return this.slave.vectorBase | (slaveIr < 0 ? 7 : slaveIr);
  }

  /** INTA: returns the vector and updates IRR/ISR of the chips involved. */
  acknowledge(): number {
    const ir = this.master.pendingIr();
    if (ir < 0) return this.master.vectorBase | 7; // spurious IRQ7
    this.master.acknowledgeIr(ir);
    if (ir !== CASCADE_IR) return this.master.vectorBase | ir;
    const slaveIr = this.slave.pendingIr();
    let vector: number;
    if (slaveIr < 0) {
      vector = this.slave.vectorBase | 7; // spurious IRQ15
    } else {
      this.slave.acknowledgeIr(slaveIr);
      vector = this.slave.vectorBase | slaveIr;
    }
    this.updateCascade();
    return vector;
  }

  readPort(port: number, _size: 1 | 2 | 4): number {
    switch (port) {
      case PIC_MASTER_COMMAND:
        // A poll of the master that answers IR2 is the first half of a
        // cascaded poll; the OS then polls the slave.
        return this.master.readCommand();
      case PIC_MASTER_DATA:
        return this.master.readData();
      case PIC_SLAVE_COMMAND: {
        const v = this.slave.readCommand();
        this.updateCascade();
        return v;
      }
      case PIC_SLAVE_DATA:
        return this.slave.readData();
      default:
        return 0xff;
    }
  }

  writePort(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    switch (port) {
      case PIC_MASTER_COMMAND:
        this.master.writeCommand(value);
        return;
      case PIC_MASTER_DATA:
        this.master.writeData(value);
        return;
      case PIC_SLAVE_COMMAND:
        this.slave.writeCommand(value);
        this.updateCascade();
        return;
      case PIC_SLAVE_DATA:
        this.slave.writeData(value);
        this.updateCascade();
        return;
    }
  }

  private updateCascade(): void {
    this.master.setLevel(CASCADE_IR, this.slave.pendingIr() >= 0);
  }
}
