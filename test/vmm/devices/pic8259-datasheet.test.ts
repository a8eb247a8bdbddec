/**
 * One 8259A, command by command, as the Intel 8259A datasheet defines them:
 * the ICW sequence (ICW3 only in cascade mode, ICW4 only when IC4=1), every
 * OCW2 command (non-specific EOI, specific EOI, rotate on non-specific EOI,
 * rotate on specific EOI, set priority, rotate in automatic EOI set/clear,
 * no operation) and OCW3 (IRR/ISR read, poll, special mask mode).
 *
 * Priority is observed, not read from fields: `serviceOrder` raises all eight
 * inputs and acknowledges them one by one, ending each with a specific EOI
 * (which never rotates), so the order returned is the chip's priority order
 * from highest to lowest.
 */
import { describe, expect, it } from 'vitest';
import { Pic8259Chip } from '../../../src/vmm/devices/pic8259-chip.js';

const ICW1_CASCADE_ICW4 = 0x11;
const OCW3_READ_IRR = 0x0a;
const OCW3_READ_ISR = 0x0b;
const OCW3_POLL = 0x0c;
const OCW3_SET_SPECIAL_MASK = 0x68;
const OCW3_RESET_SPECIAL_MASK = 0x48;
const OCW2 = {
  rotateInAutoEoiClear: 0x00,
  nonSpecificEoi: 0x20,
  noOperation: 0x40,
  specificEoi: (ir: number) => 0x60 | ir,
  rotateInAutoEoiSet: 0x80,
  rotateOnNonSpecificEoi: 0xa0,
  setPriority: (ir: number) => 0xc0 | ir,
  rotateOnSpecificEoi: (ir: number) => 0xe0 | ir,
};

/** A slave-position chip (no cascade input of its own) initialised with ICW4 = `icw4`. */
function chip(icw4 = 0x01): Pic8259Chip {
  const c = new Pic8259Chip(false);
  c.writeCommand(ICW1_CASCADE_ICW4);
  c.writeData(0x48);
  c.writeData(0x02);
  c.writeData(icw4);
  c.writeData(0x00);
  return c;
}

/** Raises input `ir` with a fresh edge. */
function request(c: Pic8259Chip, ir: number): void {
  c.setLevel(ir, false);
  c.setLevel(ir, true);
}

/** Acknowledges the pending request (what INTA does) and returns its IR. */
function take(c: Pic8259Chip): number {
  const ir = c.pendingIr();
  if (ir >= 0) c.acknowledgeIr(ir);
  return ir;
}

function readIsr(c: Pic8259Chip): number {
  c.writeCommand(OCW3_READ_ISR);
  return c.readCommand();
}

function readIrr(c: Pic8259Chip): number {
  c.writeCommand(OCW3_READ_IRR);
  return c.readCommand();
}

/** The chip's priority order, highest first (leaves ISR and the rotation as they were). */
function serviceOrder(c: Pic8259Chip): number[] {
  const isr = readIsr(c);
  expect(isr, 'serviceOrder needs an empty ISR').toBe(0);
  for (let ir = 0; ir < 8; ir++) request(c, ir);
  const order: number[] = [];
  for (let i = 0; i < 8; i++) {
    const ir = take(c);
    order.push(ir);
    c.writeCommand(OCW2.specificEoi(ir));
  }
  return order;
}

const rotated = (lowest: number) => Array.from({ length: 8 }, (_, i) => (lowest + 1 + i) & 7);

describe('8259A initialisation words', () => {
  it('starts with IR0 highest and IR7 lowest, all inputs unmasked', () => {
    expect(serviceOrder(chip())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('expects ICW3 only in cascade mode and ICW4 only when IC4=1; the next data write is OCW1', () => {
    const single = new Pic8259Chip(false);
    single.writeCommand(0x13); // ICW1: edge, single, IC4
    single.writeData(0x50); // ICW2
    single.writeData(0x03); // ICW4 (no ICW3 in single mode): auto EOI
    single.writeData(0x01); // OCW1
    expect(single.readData()).toBe(0x01);
    expect(single.vectorBase).toBe(0x50);
    request(single, 0);
    expect(single.pendingIr()).toBe(-1); // masked
    single.writeData(0x00);
    expect(take(single)).toBe(0);
    expect(readIsr(single)).toBe(0); // auto EOI came from ICW4

    const noIcw4 = new Pic8259Chip(false);
    noIcw4.writeCommand(0x10); // ICW1: edge, cascade, no IC4
    noIcw4.writeData(0x70); // ICW2
    noIcw4.writeData(0x02); // ICW3
    noIcw4.writeData(0x0f); // OCW1: ICW4 is not expected
    expect(noIcw4.readData()).toBe(0x0f);
    request(noIcw4, 4);
    expect(take(noIcw4)).toBe(4);
    expect(readIsr(noIcw4)).toBe(0x10); // ICW4's functions are zero: normal EOI
  });

  it('keeps ICW2 bits 7:3 as the vector base', () => {
    const c = new Pic8259Chip(false);
    c.writeCommand(0x13);
    c.writeData(0x6d);
    c.writeData(0x01);
    expect(c.vectorBase).toBe(0x68);
  });

  it('level-triggered mode (LTIM) lets IRR follow the input; edge mode latches it', () => {
    const level = new Pic8259Chip(false);
    level.writeCommand(0x19);
    level.writeData(0x20);
    level.writeData(0x02);
    level.writeData(0x01);
    level.setLevel(3, true);
    expect(readIrr(level)).toBe(0x08);
    level.setLevel(3, false);
    expect(readIrr(level)).toBe(0);

    const edge = chip();
    edge.setLevel(3, true);
    edge.setLevel(3, false);
    expect(readIrr(edge)).toBe(0x08);
  });
});

describe('8259A OCW2', () => {
  it('non-specific EOI (0x20) clears the highest-priority in-service bit and does not rotate', () => {
    const c = chip();
    request(c, 5);
    expect(take(c)).toBe(5);
    request(c, 3); // higher priority: nests over IR5
    expect(take(c)).toBe(3);
    expect(readIsr(c)).toBe(0x28);
    c.writeCommand(OCW2.nonSpecificEoi);
    expect(readIsr(c)).toBe(0x20);
    c.writeCommand(OCW2.nonSpecificEoi);
    expect(readIsr(c)).toBe(0);
    expect(serviceOrder(c)).toEqual(rotated(7));
  });

  it('non-specific EOI follows the rotated priority, not the IR number', () => {
    const c = chip();
    c.writeCommand(OCW2.setPriority(4)); // order 5,6,7,0,1,2,3,4
    request(c, 2);
    expect(take(c)).toBe(2);
    request(c, 6); // rank 1 beats IR2's rank 5
    expect(take(c)).toBe(6);
    c.writeCommand(OCW2.nonSpecificEoi);
    expect(readIsr(c)).toBe(0x04);
  });

  it('rotate on non-specific EOI (0xA0) makes the IR just serviced the lowest priority', () => {
    for (const ir of [0, 3, 7]) {
      const c = chip();
      request(c, ir);
      expect(take(c)).toBe(ir);
      c.writeCommand(OCW2.rotateOnNonSpecificEoi);
      expect(readIsr(c)).toBe(0);
      expect(serviceOrder(c)).toEqual(rotated(ir));
    }
  });

  it('rotate on non-specific EOI ends the highest in-service level when two are nested', () => {
    const c = chip();
    request(c, 6);
    take(c);
    request(c, 1);
    take(c);
    c.writeCommand(OCW2.rotateOnNonSpecificEoi);
    expect(readIsr(c)).toBe(0x40);
    c.writeCommand(OCW2.specificEoi(6));
    expect(serviceOrder(c)).toEqual(rotated(1));
  });

  it('specific EOI (0x60|L) clears level L only, even when it is not the highest, without rotating', () => {
    const c = chip();
    request(c, 5);
    take(c);
    request(c, 3);
    take(c);
    c.writeCommand(OCW2.specificEoi(5));
    expect(readIsr(c)).toBe(0x08);
    c.writeCommand(OCW2.specificEoi(3));
    expect(serviceOrder(c)).toEqual(rotated(7));
  });

  it('rotate on specific EOI (0xE0|L) clears level L and makes L the lowest priority', () => {
    const c = chip();
    request(c, 5);
    take(c);
    request(c, 3);
    take(c);
    c.writeCommand(OCW2.rotateOnSpecificEoi(5));
    expect(readIsr(c)).toBe(0x08);
    c.writeCommand(OCW2.specificEoi(3));
    expect(serviceOrder(c)).toEqual(rotated(5));
  });

  it('set priority (0xC0|L) makes L the lowest priority and leaves ISR alone', () => {
    for (const ir of [0, 2, 6]) {
      const c = chip();
      request(c, 4);
      take(c);
      c.writeCommand(OCW2.setPriority(ir));
      expect(readIsr(c)).toBe(0x10);
      c.writeCommand(OCW2.specificEoi(4));
      expect(serviceOrder(c)).toEqual(rotated(ir));
    }
  });

  it('no operation (0x40) changes nothing', () => {
    const c = chip();
    c.writeCommand(OCW2.setPriority(3));
    request(c, 5);
    take(c);
    c.writeCommand(OCW2.noOperation | 5);
    expect(readIsr(c)).toBe(0x20);
    c.writeCommand(OCW2.specificEoi(5));
    expect(serviceOrder(c)).toEqual(rotated(3));
  });

  it('rotate in automatic EOI mode (0x80 set, 0x00 clear): each acknowledged IR becomes the lowest', () => {
    const c = chip(0x03);
    c.writeCommand(OCW2.rotateInAutoEoiSet);
    request(c, 2);
    expect(take(c)).toBe(2);
    expect(readIsr(c)).toBe(0);
    // IR2 is now lowest: IR3 beats IR1.
    request(c, 1);
    request(c, 3);
    expect(take(c)).toBe(3);
    expect(take(c)).toBe(1);
    // Now IR1 is lowest; clearing the mode stops further rotation: acknowledging IR5 leaves IR1 lowest.
    c.writeCommand(OCW2.rotateInAutoEoiClear);
    request(c, 5);
    expect(take(c)).toBe(5);
    request(c, 6);
    request(c, 3);
    expect(take(c)).toBe(3); // with IR5 lowest, IR6 would come first
    expect(take(c)).toBe(6);
  });

  it('a new ICW1 without IC4 turns automatic EOI and its rotation off', () => {
    const c = chip(0x03);
    c.writeCommand(OCW2.rotateInAutoEoiSet);
    c.writeCommand(0x10); // ICW1: cascade, no ICW4
    c.writeData(0x48);
    c.writeData(0x02);
    c.writeData(0x00); // OCW1
    request(c, 4);
    expect(take(c)).toBe(4);
    expect(readIsr(c)).toBe(0x10); // normal EOI mode again
    c.writeCommand(OCW2.specificEoi(4));
    expect(serviceOrder(c)).toEqual(rotated(7));
  });

  it('automatic EOI without rotation keeps the fixed order', () => {
    const c = chip(0x03);
    request(c, 6);
    expect(take(c)).toBe(6);
    request(c, 7);
    request(c, 0);
    expect(take(c)).toBe(0);
    expect(take(c)).toBe(7);
  });
});

describe('8259A OCW3', () => {
  it('reads IRR or ISR on the command port as selected, and the choice sticks', () => {
    const c = chip();
    request(c, 1);
    request(c, 4);
    take(c);
    c.writeCommand(OCW3_READ_IRR);
    expect(c.readCommand()).toBe(0x10);
    expect(c.readCommand()).toBe(0x10);
    c.writeCommand(OCW3_READ_ISR);
    expect(c.readCommand()).toBe(0x02);
    c.writeCommand(0x08); // RR=0: the selection stays ISR
    expect(c.readCommand()).toBe(0x02);
  });

  it('poll (P=1) acknowledges the highest request and answers 0x80|level, then 0 when none', () => {
    const c = chip();
    request(c, 5);
    request(c, 2);
    c.writeCommand(OCW3_POLL);
    expect(c.readCommand()).toBe(0x82);
    expect(readIsr(c)).toBe(0x04);
    c.writeCommand(OCW3_POLL);
    expect(c.readCommand()).toBe(0); // IR5 is below IR2 in service
    c.writeCommand(OCW2.nonSpecificEoi);
    c.writeCommand(OCW3_POLL);
    expect(c.readCommand()).toBe(0x85);
  });

  it('special mask mode lets lower levels through while a masked level is in service', () => {
    const c = chip();
    request(c, 3);
    take(c);
    c.writeData(0x08); // mask IR3, still in service
    request(c, 5);
    expect(c.pendingIr()).toBe(-1);
    c.writeCommand(OCW3_SET_SPECIAL_MASK);
    expect(c.pendingIr()).toBe(5);
    c.writeCommand(OCW3_RESET_SPECIAL_MASK);
    expect(c.pendingIr()).toBe(-1);
    // ESMM=0: SMM bit ignored.
    c.writeCommand(0x28);
    expect(c.pendingIr()).toBe(-1);
  });
});
