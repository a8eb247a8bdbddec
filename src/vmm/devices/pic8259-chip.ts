/**
 * One Intel 8259A programmable interrupt controller.
 *
 * The PC has two, master and slave (see pic8259.ts, which wires them
 * together and talks to the CPU). This class is one chip's register file and
 * priority logic, following the 8259A datasheet:
 *
 * - Initialization: ICW1 (command port, bit 4 set) starts the sequence;
 *   ICW2 (vector base, bits 7:3), ICW3 (only if ICW1.SNGL=0) and ICW4 (only
 *   if ICW1.IC4=1) follow on the data port. ICW1 clears IMR, ISR, IRR and the
 *   edge-sense latches, makes IR7 the lowest priority, clears special mask
 *   mode, selects IRR for status reads, and zeroes ICW4's functions when
 *   IC4=0. ICW4.uPM=0 (8080 mode) is accepted and ignored: an x86 CPU only
 *   ever does 8086-style acknowledges.
 * - OCW1 (data port) is the mask register; OCW2 (command port, bits 4:3 = 00)
 *   does non-specific/specific EOI, rotation and set-priority; OCW3 (bits
 *   4:3 = 01) selects IRR/ISR reads, poll and special mask mode.
 * - Edge-triggered by default: a low-to-high transition latches the request.
 *   As in QEMU, a later fall of the line does not withdraw a latched request
 *   (the datasheet says it would, yielding a spurious IR7 at acknowledge
 *   time; we instead deliver it, which drivers handle as a no-op interrupt).
 *   ICW1.LTIM selects level mode, where IRR follows the line.
 * - Priority: fully nested with rotation; an interrupt is signalled only when
 *   its priority beats every in-service level (in special mask mode,
 *   in-service levels that are masked do not block; in special fully nested
 *   mode the master ignores its cascade input's in-service bit).
 * -d unimp logs ICW4's 8080 mode and buffered mode, accepted and ignored.
 */
import { GuestLog } from '../guest-log.js';

export class Pic8259Chip {
  /** Interrupt request register. */
  irr = 0;
  /** In-service register. */
  isr = 0;
  /** Interrupt mask register (OCW1). */
  imr = 0;
  /** ICW2: vector of IR0 (bits 2:0 are zero). */
  vectorBase = 0;
  /** ICW3 as written: master → bitmap of slave inputs; slave → its cascade id. */
  icw3 = 0;
  autoEoi = false;
  /** -d unimp. */
  guestLog = GuestLog.silent;
  specialFullyNested = false;
  levelTriggered = false;
  specialMask = false;
  rotateOnAutoEoi = false;
  /** IR with the lowest priority; the next one (mod 8) has the highest. */
  lowestPriority = 7;
  /** Status read (OCW3): false → IRR, true → ISR. */
  readIsr = false;
  /** OCW3 poll command: the next command-port read is a poll. */
  pollPending = false;
  /** 0: operational; 2, 3, 4: expecting that ICW next on the data port. */
  initStep = 0;
  private needIcw4 = false;
  private single = false;
  /** Current level of each IR input, for edge detection. */
  private lineLevels = 0;

  constructor(readonly isMaster: boolean) {}

  setLevel(ir: number, high: boolean): void {
    const bit = 1 << ir;
    if (high) {
      if (this.levelTriggered || !(this.lineLevels & bit)) this.irr |= bit;
      this.lineLevels |= bit;
    } else {
      if (this.levelTriggered) this.irr &= ~bit;
      this.lineLevels &= ~bit;
    }
  }

  /** Rank of `ir` in the current rotation: 0 is the highest priority. */
  private rank(ir: number): number {
    return (ir - this.lowestPriority - 1) & 7;
  }

  /** The highest-priority IR whose bit is set in `mask`, or -1. */
  private highestIn(mask: number): number {
    if (mask === 0) return -1;
    for (let r = 0; r < 8; r++) {
      const ir = (this.lowestPriority + 1 + r) & 7;
      if (mask & (1 << ir)) return ir;
    }
    return -1;
  }

  /** The IR this chip would signal on INT now, or -1 if none. */
  pendingIr(): number {
    const ir = this.highestIn(this.irr & ~this.imr);
    if (ir < 0) return -1;
    let inService = this.isr;
    if (this.specialMask) inService &= ~this.imr;
    if (this.isMaster && this.specialFullyNested) inService &= ~this.icw3;
    const current = this.highestIn(inService);
    if (current >= 0 && this.rank(current) <= this.rank(ir)) return -1;
    return ir;
  }

  /** INTA for `ir`: moves the request to in-service (or not, in auto-EOI mode). */
  acknowledgeIr(ir: number): void {
    const bit = 1 << ir;
    if (!this.levelTriggered) this.irr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.lowestPriority = ir;
    } else {
      this.isr |= bit;
    }
  }

  /** Command port (A0=0) read: poll word, IRR or ISR. */
  readCommand(): number {
    if (this.pollPending) {
      this.pollPending = false;
      const ir = this.pendingIr();
      if (ir < 0) return 0;
      this.acknowledgeIr(ir);
      return 0x80 | ir;
    }
    return this.readIsr ? this.isr : this.irr;
  }

  /** Data port (A0=1) read: the mask register. */
  readData(): number {
    return this.imr;
  }

  writeCommand(value: number): void {
    if (value & 0x10) this.icw1(value);
    else if (value & 0x08) this.ocw3(value);
    else this.ocw2(value);
  }

  writeData(value: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = value & 0xf8;
        this.initStep = !this.single ? 3 : this.needIcw4 ? 4 : 0;
        return;
      case 3:
        this.icw3 = value;
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        if (this.guestLog.unimp) {
          const chip = this.isMaster ? 'pic master' : 'pic slave';
          if ((value & 0x01) === 0) this.guestLog.unimplemented(chip, 'ICW4 8080 mode (uPM=0): acknowledges stay 8086-style');
          if ((value & 0x08) !== 0) this.guestLog.unimplemented(chip, `ICW4 buffered mode (ICW4 0x${value.toString(16)}): ignored`);
        }
        this.autoEoi = (value & 0x02) !== 0;
        this.specialFullyNested = (value & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = value;
    }
  }

  private icw1(value: number): void {
    this.initStep = 2;
    this.needIcw4 = (value & 0x01) !== 0;
    this.single = (value & 0x02) !== 0;
    this.levelTriggered = (value & 0x08) !== 0;
    this.imr = 0;
    this.isr = 0;
    // Resetting the edge-sense latches: a line that is high now must go low
    // and high again before it requests.
    this.irr = this.levelTriggered ? this.lineLevels : 0;
    this.lowestPriority = 7;
    this.specialMask = false;
    this.readIsr = false;
    this.pollPending = false;
    this.rotateOnAutoEoi = false;
    this.icw3 = this.isMaster ? 0 : 7;
    if (!this.needIcw4) {
      this.autoEoi = false;
      this.specialFullyNested = false;
    }
  }

  private ocw2(value: number): void {
    const level = value & 7;
    switch (value >>> 5) {
      case 0: // rotate in automatic EOI mode: clear
        this.rotateOnAutoEoi = false;
        return;
      case 4: // rotate in automatic EOI mode: set
        this.rotateOnAutoEoi = true;
        return;
      case 1: // non-specific EOI
      case 5: {
        // rotate on non-specific EOI
        const ir = this.highestIn(this.isr);
        if (ir < 0) return;
        this.isr &= ~(1 << ir);
        if (value >>> 5 === 5) this.lowestPriority = ir;
        return;
      }
      case 3: // specific EOI
        this.isr &= ~(1 << level);
        return;
      case 7: // rotate on specific EOI
        this.isr &= ~(1 << level);
        this.lowestPriority = level;
        return;
      case 6: // set priority
        this.lowestPriority = level;
        return;
      default: // 2: no operation
        return;
    }
  }

  private ocw3(value: number): void {
    if (value & 0x04) this.pollPending = true;
    if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
    if (value & 0x40) this.specialMask = (value & 0x20) !== 0;
  }
}
