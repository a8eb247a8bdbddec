/**
 * The event service with a local APIC (src/vmm/events.ts): the CPU's
 * interrupts come from the APIC, which passes the 8259's INTR on through
 * LINT0 ahead of its own fixed vectors (QEMU's order), and a halted CPU
 * waits for whichever timer — the PIT through the 8259, or the APIC's —
 * can interrupt it first.
 */
import { describe, expect, it } from 'vitest';
import { MmioMap } from '../../src/memory/mmio.js';
import { LocalApic, APIC_DEFAULT_BASE } from '../../src/vmm/devices/local-apic.js';
import { Pic8259 } from '../../src/vmm/devices/pic8259.js';
import { Pit8254 } from '../../src/vmm/devices/pit8254.js';
import { EventService } from '../../src/vmm/events.js';
import { IF } from '../../src/vmm/lazy-flags.js';
import { VirtualClock } from '../../src/vmm/virtual-clock.js';
import { TestGuest, handlerOf } from './guest-builder.js';

function machine() {
  const g = new TestGuest();
  const clock = new VirtualClock(g.cpu, { kind: 'icount', shift: 0 });
  const pic = new Pic8259();
  const pit = new Pit8254(clock, pic);
  const mmio = new MmioMap();
  const apic = new LocalApic(clock, pic, mmio);
  const events = new EventService(g.core, pic, pit, clock, apic);
  const wr = (off: number, v: number) => mmio.write(APIC_DEFAULT_BASE + off, 4, v);
  // 8259 pair at 0x20/0x28, everything masked but what a test unmasks.
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0x21, 0xff], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1], [0xa1, 0xff]]) {
    pic.writePort(port!, 1, v!);
  }
  g.cpu.eflagsSys |= IF;
  return { g, clock, pic, pit, apic, events, wr };
}

describe('interrupt delivery through the local APIC', () => {
  it('delivers a self-IPI through the IDT', () => {
    const { g, events, wr } = machine();
    wr(0x300, 0x40000 | 0x61);
    events.service();
    expect(g.cpu.eip).toBe(handlerOf(0x61));
  });

  it('takes the 8259\'s vector first, then the APIC\'s', () => {
    const { g, pic, events, wr } = machine();
    pic.writePort(0x21, 1, 0xef); // unmask IRQ4
    pic.raiseIrq(4);
    wr(0x300, 0x40000 | 0x61);
    events.service();
    expect(g.cpu.eip).toBe(handlerOf(0x24));
    g.cpu.eflagsSys |= IF;
    events.service();
    expect(g.cpu.eip).toBe(handlerOf(0x61));
  });

  it('holds the 8259 back while LINT0 is masked', () => {
    const { g, pic, events, wr } = machine();
    pic.writePort(0x21, 1, 0xef);
    pic.raiseIrq(4);
    wr(0x350, 0x18700);
    const eip = g.cpu.eip;
    events.service();
    expect(g.cpu.eip).toBe(eip);
    wr(0x350, 0x8700);
    events.service();
    expect(g.cpu.eip).toBe(handlerOf(0x24));
  });

  it('a halted CPU skips to the APIC timer\'s deadline (icount) and takes its vector', () => {
    const { g, clock, events, wr } = machine();
    wr(0x3e0, 0xb);
    wr(0x320, 0x41);
    wr(0x380, 50_000);
    g.cpu.halted = true;
    expect(events.idle()).toEqual({ kind: 'run' });
    expect(clock.nowNs()).toBe(50_001);
    events.service(); // the executor's first event check
    expect(g.cpu.eip).toBe(handlerOf(0x41));
    expect(g.cpu.halted).toBe(false);
  });

  it('a halted CPU whose only timer is masked in LINT0 has nothing to wait for', () => {
    const { g, pit, events, wr } = machine();
    pit.writePort(0x43, 1, 0x34);
    pit.writePort(0x40, 1, 0);
    pit.writePort(0x40, 1, 0x10);
    wr(0x350, 0x18700);
    g.cpu.halted = true;
    expect(events.idle()).toEqual({ kind: 'never' });
  });
});
