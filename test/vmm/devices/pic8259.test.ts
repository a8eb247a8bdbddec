/**
 * The 8259A pair programmed the way Linux and every PC OS do it
 * (ICW1=0x11, ICW2=0x20/0x28, ICW3=4/2, ICW4=1), checked against the
 * behaviour the 8259A datasheet specifies.
 */
import { describe, expect, it } from 'vitest';
import { Pic8259 } from '../../../src/vmm/devices/pic8259.js';

function initPic(pic = new Pic8259(), icw4 = 0x01) {
  const out = (p: number, v: number) => pic.writePort(p, 1, v);
  out(0x20, 0x11);
  out(0x21, 0x20);
  out(0x21, 0x04);
  out(0x21, icw4);
  out(0xa0, 0x11);
  out(0xa1, 0x28);
  out(0xa1, 0x02);
  out(0xa1, icw4);
  out(0x21, 0x00);
  out(0xa1, 0x00);
  return { pic, out, inb: (p: number) => pic.readPort(p, 1) };
}

describe('Pic8259', () => {
  it('delivers an edge on IRQ0 as vector 0x20 and holds lower priorities until EOI', () => {
    const { pic, out, inb } = initPic();
    expect(pic.pendingVector()).toBe(-1);
    pic.raiseIrq(3);
    pic.raiseIrq(0);
    expect(pic.pendingVector()).toBe(0x20);
    expect(pic.acknowledge()).toBe(0x20);
    expect(pic.master.isr).toBe(0x01);
    // IRQ3 is lower priority than in-service IRQ0.
    expect(pic.pendingVector()).toBe(-1);
    out(0x20, 0x20); // non-specific EOI
    expect(pic.pendingVector()).toBe(0x23);
    // OCW3 reads: IRR then ISR.
    out(0x20, 0x0a);
    expect(inb(0x20)).toBe(0x08); // IRR: IR0's latch went with its INTA, IR3 waits
    pic.acknowledge();
    out(0x20, 0x0b);
    expect(inb(0x20)).toBe(0x08);
    out(0x20, 0x63); // specific EOI for IR3
    expect(inb(0x20)).toBe(0x00);
  });

  it('needs a new rising edge for another request (edge-triggered)', () => {
    const { pic, out } = initPic();
    pic.raiseIrq(1);
    expect(pic.acknowledge()).toBe(0x21);
    out(0x20, 0x20);
    pic.raiseIrq(1); // still high: no edge
    expect(pic.pendingVector()).toBe(-1);
    pic.lowerIrq(1);
    pic.raiseIrq(1);
    expect(pic.pendingVector()).toBe(0x21);
  });

  it('lets a higher priority interrupt nest over a lower one in service', () => {
    const { pic } = initPic();
    pic.raiseIrq(4);
    expect(pic.acknowledge()).toBe(0x24);
    pic.raiseIrq(1);
    expect(pic.acknowledge()).toBe(0x21);
    expect(pic.master.isr).toBe(0x12);
  });

  it('masks through OCW1 and reads the mask back', () => {
    const { pic, out, inb } = initPic();
    out(0x21, 0xfd);
    expect(inb(0x21)).toBe(0xfd);
    pic.raiseIrq(0);
    expect(pic.pendingVector()).toBe(-1);
    out(0x21, 0xfc);
    expect(pic.pendingVector()).toBe(0x20);
  });

  it('cascades slave IRQs through master IR2 and needs EOI to both', () => {
    const { pic, out } = initPic();
    pic.raiseIrq(12);
    expect(pic.master.irr & 0x04).toBe(0x04);
    expect(pic.pendingVector()).toBe(0x2c);
    expect(pic.acknowledge()).toBe(0x2c);
    expect(pic.master.isr).toBe(0x04);
    expect(pic.slave.isr).toBe(0x10);
    pic.raiseIrq(9); // higher priority on the slave, but master IS2 blocks it
    expect(pic.pendingVector()).toBe(-1);
    out(0xa0, 0x20);
    out(0x20, 0x20);
    expect(pic.acknowledge()).toBe(0x29);
    // Slave IRQ masked at the master.
    out(0xa0, 0x20);
    out(0x20, 0x20);
    out(0x21, 0x04);
    pic.lowerIrq(9);
    pic.raiseIrq(9);
    expect(pic.pendingVector()).toBe(-1);
  });

  it('gives spurious IRQ7, and IRQ15 with master IS2 set, when nothing is left to acknowledge', () => {
    const { pic } = initPic();
    expect(pic.acknowledge()).toBe(0x27);
    expect(pic.master.isr).toBe(0);
    // The master latched the cascade edge; then the slave's request is masked,
    // so at INTA time the slave has nothing to offer.
    pic.raiseIrq(10);
    pic.writePort(0xa1, 1, 0x04);
    expect(pic.acknowledge()).toBe(0x2f);
    expect(pic.master.isr).toBe(0x04);
    expect(pic.slave.isr).toBe(0);
  });

  it('honours automatic EOI (ICW4=3) and rotation commands', () => {
    const { pic, out } = initPic(undefined, 0x03);
    pic.raiseIrq(5);
    expect(pic.acknowledge()).toBe(0x25);
    expect(pic.master.isr).toBe(0);
    // Set priority: IR5 lowest, so IR6 is highest now.
    out(0x20, 0xc5);
    pic.raiseIrq(0);
    pic.raiseIrq(6);
    expect(pic.acknowledge()).toBe(0x26);
  });

  it('re-initialisation clears masks, ISR and pending requests', () => {
    const { pic, out, inb } = initPic();
    out(0x21, 0xff);
    pic.raiseIrq(3);
    out(0x20, 0x11);
    expect(pic.master.initStep).toBe(2);
    out(0x21, 0x30);
    out(0x21, 0x04);
    out(0x21, 0x01);
    expect(inb(0x21)).toBe(0);
    expect(pic.pendingVector()).toBe(-1);
    pic.lowerIrq(3);
    pic.raiseIrq(3);
    expect(pic.acknowledge()).toBe(0x33);
  });

  it('answers OCW3 poll commands with the acknowledged level', () => {
    const { pic, out, inb } = initPic();
    pic.raiseIrq(6);
    out(0x20, 0x0c);
    expect(inb(0x20)).toBe(0x86);
    expect(pic.master.isr).toBe(0x40);
    out(0x20, 0x0c);
    expect(inb(0x20)).toBe(0x00);
  });
});
