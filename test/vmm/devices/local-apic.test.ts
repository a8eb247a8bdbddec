/**
 * The local APIC register by register, from the SDM (Vol. 3A, chapter 11:
 * 11.4.4 IA32_APIC_BASE, 11.5.1 LVT, 11.5.3 error handling, 11.5.4 timer,
 * 11.6.1 ICR, 11.8.3–11.8.5 priorities, ISR/IRR, EOI), with QEMU's choices
 * where the SDM leaves one (1 GHz bus, N+1 counts per period, narrow
 * accesses ignored), and the CPU-side interrupt logic: the 8259 on LINT0,
 * then the APIC's fixed interrupts. The guest-level checks of the same
 * behaviour against QEMU are fixtures/system/apic.c.
 */
import { describe, expect, it } from 'vitest';
import { MmioMap } from '../../../src/memory/mmio.js';
import {
  APIC_DEFAULT_BASE, APIC_VERSION, LocalApic, type ExtIntSource,
} from '../../../src/vmm/devices/local-apic.js';
import { ManualClock } from './fakes.js';

/** An 8259 stand-in: a queue of vectors INTA hands out. */
class FakePic implements ExtIntSource {
  queue: number[] = [];
  pendingVector(): number {
    return this.queue.length > 0 ? this.queue[0]! : -1;
  }
  acknowledge(): number {
    return this.queue.shift() ?? 0x27;
  }
}

function setup() {
  const clock = new ManualClock(1000);
  const pic = new FakePic();
  const mmio = new MmioMap();
  const apic = new LocalApic(clock, pic, mmio);
  const rd = (off: number) => mmio.read(APIC_DEFAULT_BASE + off, 4);
  const wr = (off: number, v: number) => mmio.write(APIC_DEFAULT_BASE + off, 4, v);
  const selfIpi = (vector: number) => wr(0x300, 0x40000 | vector);
  /** Takes every interrupt the CPU would take now (each handler EOIs when `eoi`); returns the vectors. */
  const drain = (eoi = true) => {
    const taken: number[] = [];
    while (apic.pendingVector() >= 0 && taken.length < 64) {
      taken.push(apic.acknowledge());
      if (eoi) wr(0xb0, 0);
    }
    return taken;
  };
  return { clock, pic, mmio, apic, rd, wr, selfIpi, drain };
}

describe('registers at boot (as SeaBIOS leaves them under QEMU) and read-back', () => {
  it('reads ID, version, TPR, DFR, SVR, the LVTs and the ICR', () => {
    const { rd } = setup();
    expect([rd(0x20), rd(0x30), rd(0x80), rd(0xa0), rd(0xd0), rd(0xe0), rd(0xf0)])
      .toEqual([0, APIC_VERSION, 0, 0, 0, 0xffffffff, 0x1ff]);
    expect([0x320, 0x330, 0x340, 0x350, 0x360, 0x370].map(rd)).toEqual([0x10000, 0x10000, 0x10000, 0x8700, 0x8400, 0x10000]);
    expect([rd(0x300), rd(0x310), rd(0x380), rd(0x390), rd(0x3e0)]).toEqual([0xc4610, 0, 0, 0, 0]);
  });

  it('keeps only the architected bits of each register', () => {
    const { rd, wr } = setup();
    wr(0x20, 0xffffffff); wr(0x80, 0x1ff); wr(0xd0, 0x12345678); wr(0xe0, 0x0abcdef0); wr(0xf0, 0xffffffff);
    expect([rd(0x20), rd(0x80), rd(0xd0), rd(0xe0), rd(0xf0)]).toEqual([0xff000000, 0xff, 0x12000000, 0x0fffffff, 0x1ff]);
    for (const [off, mask] of [[0x320, 0x300ff], [0x330, 0x107ff], [0x350, 0x1a7ff], [0x360, 0x1a7ff], [0x370, 0x100ff]] as const) {
      wr(off, 0xffffffff);
      expect(rd(off), off.toString(16)).toBe(mask);
    }
    wr(0x3e0, 0xffffffff);
    expect(rd(0x3e0)).toBe(0xb);
    wr(0x310, 0xffffffff);
    expect(rd(0x310)).toBe(0xff000000);
  });

  it('ignores writes to read-only registers and narrow accesses (QEMU), and ignores the offset\'s low 4 bits', () => {
    const { rd, wr, mmio } = setup();
    wr(0x30, 0); wr(0xa0, 0xff); wr(0x100, 1); wr(0x200, 1); wr(0x390, 5);
    expect([rd(0x30), rd(0xa0), rd(0x100), rd(0x200), rd(0x390)]).toEqual([APIC_VERSION, 0, 0, 0, 0]);
    expect(mmio.read(APIC_DEFAULT_BASE + 0x30, 1)).toBe(0);
    expect(mmio.read(APIC_DEFAULT_BASE + 0x30, 2)).toBe(0);
    mmio.write(APIC_DEFAULT_BASE + 0x80, 1, 0x55);
    expect(rd(0x80)).toBe(0);
    expect(rd(0x34)).toBe(APIC_VERSION);
  });

  it('ESR: an undefined register is an illegal register address (bit 7), latched by the next ESR write', () => {
    const { rd, wr } = setup();
    expect(rd(0xc0)).toBe(0); // RRD is not implemented: illegal
    expect(rd(0x280)).toBe(0);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0x80);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0);
    wr(0x3f0, 1);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0x80);
  });
});

describe('interrupt acceptance: IRR, ISR, priorities, TPR/PPR, EOI', () => {
  it('a self-IPI sets IRR; taking it moves it to ISR and PPR to its class; EOI clears it', () => {
    const { apic, rd, wr, selfIpi } = setup();
    expect(selfIpi(0x61)).not.toBe(0); // the write asks translated code to leave
    expect(rd(0x200 + 0x30) >>> 1 & 1).toBe(1);
    expect(rd(0x300) & 0x1000).toBe(0); // delivery status: idle
    expect(apic.pendingVector()).toBe(0x61);
    expect(apic.acknowledge()).toBe(0x61);
    expect([rd(0x200 + 0x30), rd(0x100 + 0x30), rd(0xa0)]).toEqual([0, 2, 0x60]);
    expect(apic.pendingVector()).toBe(-1);
    wr(0xb0, 0);
    expect([rd(0x100 + 0x30), rd(0xa0)]).toEqual([0, 0]);
  });

  it('takes pending vectors highest first', () => {
    const { selfIpi, drain } = setup();
    for (const v of [0x41, 0x71, 0x51, 0x59]) selfIpi(v);
    expect(drain()).toEqual([0x71, 0x59, 0x51, 0x41]);
  });

  it('an in-service vector holds back its own class and lower ones until its EOI; a higher class nests', () => {
    const { apic, rd, wr, selfIpi } = setup();
    selfIpi(0x51);
    expect(apic.acknowledge()).toBe(0x51);
    selfIpi(0x52);
    selfIpi(0x41);
    expect(apic.pendingVector()).toBe(-1);
    expect(rd(0xa0)).toBe(0x50);
    selfIpi(0x61);
    expect(apic.acknowledge()).toBe(0x61);
    wr(0xb0, 0); // ends 0x61, the highest in service
    expect(rd(0x100 + 0x20)).toBe(1 << 17);
    expect(apic.pendingVector()).toBe(-1);
    wr(0xb0, 0); // ends 0x51
    expect(apic.pendingVector()).toBe(0x52);
  });

  it('TPR masks its class and those below (PPR = TPR when above the in-service class)', () => {
    const { apic, rd, wr, selfIpi, drain } = setup();
    wr(0x80, 0x5f);
    expect(rd(0xa0)).toBe(0x5f);
    selfIpi(0x51);
    selfIpi(0x5f);
    expect(apic.pendingVector()).toBe(-1);
    selfIpi(0x61);
    expect(drain()).toEqual([0x61]);
    wr(0x80, 0x4f);
    expect(drain()).toEqual([0x5f, 0x51]);
  });

  it('an APIC software-disabled by SVR keeps IPIs in the IRR until re-enabled', () => {
    const { apic, rd, wr, selfIpi, drain } = setup();
    wr(0xf0, 0xff);
    selfIpi(0x61);
    expect(apic.pendingVector()).toBe(-1);
    expect(rd(0x230)).toBe(2);
    wr(0xf0, 0x1ff);
    expect(drain()).toEqual([0x61]);
  });

  it('ICR destinations: self, all-including-self, physical ID or broadcast, logical flat/cluster reach this CPU; others do not', () => {
    const { wr, drain } = setup();
    const send = (high: number, low: number) => {
      wr(0x310, high);
      wr(0x300, low);
      return drain();
    };
    expect(send(0, 0x80000 | 0x41)).toEqual([0x41]); // all including self
    expect(send(0, 0xc0000 | 0x41)).toEqual([]); // all excluding self
    expect(send(0, 0x41)).toEqual([0x41]); // physical, ID 0
    expect(send(0xff000000, 0x42)).toEqual([0x42]); // physical broadcast
    expect(send(0x01000000, 0x43)).toEqual([]); // physical, ID 1
    wr(0x20, 0x01000000);
    expect(send(0x01000000, 0x43)).toEqual([0x43]);
    wr(0xd0, 0x02000000);
    expect(send(0x02000000, 0x800 | 0x44)).toEqual([0x44]); // logical, flat
    expect(send(0x01000000, 0x800 | 0x44)).toEqual([]);
    wr(0xe0, 0x0fffffff); // cluster model
    wr(0xd0, 0x31000000);
    expect(send(0x33000000, 0x800 | 0x45)).toEqual([0x45]);
    expect(send(0x21000000, 0x800 | 0x45)).toEqual([]);
    expect(send(0, 0x40000 | 0x400 | 0x46)).toEqual([]); // NMI delivery mode: not a fixed interrupt
    expect(send(0, 0x40000 | 0x100 | 0x47)).toEqual([0x47]); // lowest priority: to the only CPU
  });

  it('a level-triggered IPI sets its TMR bit', () => {
    const { rd, wr } = setup();
    wr(0x300, 0x40000 | 0x8000 | 0x4000 | 0x61);
    expect(rd(0x180 + 0x30)).toBe(2);
  });
});

describe('the 8259 through LINT0 (virtual wire)', () => {
  it('comes before the APIC\'s own vectors, ignoring TPR, while LINT0 is unmasked', () => {
    const { apic, pic, wr, selfIpi } = setup();
    selfIpi(0x61);
    wr(0x80, 0xff);
    pic.queue.push(0x20);
    expect(apic.pendingVector()).toBe(0x20);
    expect(apic.acknowledge()).toBe(0x20);
    expect(pic.queue).toEqual([]);
  });

  it('is cut off by a masked LINT0, and passes again when the APIC is globally disabled', () => {
    const { apic, pic, wr } = setup();
    wr(0x350, 0x18700);
    pic.queue.push(0x20);
    expect(apic.acceptsPic()).toBe(false);
    expect(apic.pendingVector()).toBe(-1);
    wr(0x350, 0x8700);
    expect(apic.pendingVector()).toBe(0x20);
    wr(0x350, 0x18700);
    apic.writeBaseMsr(APIC_DEFAULT_BASE); // global enable cleared
    expect(apic.pendingVector()).toBe(0x20);
  });
});

describe('the timer', () => {
  it('one-shot: fires once, N+1 counts after the initial-count write, at bus clock / divider', () => {
    const { apic, clock, rd, wr, drain } = setup();
    wr(0x3e0, 0x3); // divide by 16
    wr(0x320, 0x41);
    wr(0x380, 1000);
    const start = clock.ns;
    expect(apic.nextEventNs()).toBe(start + 1001 * 16);
    clock.advance(16 * 10 + 5);
    expect(rd(0x390)).toBe(990);
    clock.ns = start + 1001 * 16 - 1;
    apic.update();
    expect(drain()).toEqual([]);
    expect(rd(0x390)).toBe(0);
    clock.ns = start + 1001 * 16;
    apic.update();
    expect(drain()).toEqual([0x41]);
    clock.advance(1e9);
    apic.update();
    expect(drain()).toEqual([]);
    expect(apic.nextEventNs()).toBe(Infinity);
  });

  it('divide configuration: 0b0000 → 2 … 0b1010 → 128, 0b1011 → 1', () => {
    const { apic, clock, wr } = setup();
    wr(0x320, 0x41);
    const dividers = [[0x0, 2], [0x1, 4], [0x2, 8], [0x3, 16], [0x8, 32], [0x9, 64], [0xa, 128], [0xb, 1]] as const;
    for (const [config, divider] of dividers) {
      wr(0x3e0, config);
      wr(0x380, 99);
      expect(apic.nextEventNs() - clock.ns, `config ${config}`).toBe(100 * divider);
    }
  });

  it('periodic: one interrupt per period; current count reloads; several missed periods raise one', () => {
    const { apic, clock, rd, wr, drain } = setup();
    wr(0x3e0, 0xb);
    wr(0x320, 0x20000 | 0x51);
    wr(0x380, 999);
    const start = clock.ns;
    for (let k = 1; k <= 3; k++) {
      clock.ns = start + k * 1000;
      apic.update();
      expect(drain()).toEqual([0x51]);
    }
    clock.ns = start + 3 * 1000 + 250;
    expect(rd(0x390)).toBe(999 - 250);
    clock.ns = start + 10 * 1000;
    apic.update();
    expect(drain()).toEqual([0x51]);
    expect(apic.nextEventNs()).toBe(start + 11 * 1000);
  });

  it('a masked timer keeps counting but does not interrupt; periods that ended while masked are dropped', () => {
    const { apic, clock, rd, wr, drain } = setup();
    wr(0x3e0, 0xb);
    wr(0x320, 0x10000 | 0x20000 | 0x51);
    wr(0x380, 999);
    const start = clock.ns;
    clock.ns = start + 5500;
    apic.update();
    expect(drain()).toEqual([]);
    expect(rd(0x390)).toBe(499);
    expect(apic.nextEventNs()).toBe(Infinity);
    wr(0x320, 0x20000 | 0x51);
    expect(apic.nextEventNs()).toBe(start + 6000);
    apic.update();
    expect(drain()).toEqual([]);
  });

  it('an initial count of 0 stops the timer', () => {
    const { apic, wr } = setup();
    wr(0x320, 0x20000 | 0x51);
    wr(0x380, 1000);
    wr(0x380, 0);
    expect(apic.nextEventNs()).toBe(Infinity);
  });
});

describe('IA32_APIC_BASE', () => {
  it('moves the window; BSP is read-only; global enable, once cleared, stays cleared and unmaps the window', () => {
    const { apic, mmio } = setup();
    expect(apic.readBaseMsr()).toBe(0xfee00900);
    apic.writeBaseMsr(0xfed00800);
    expect(apic.readBaseMsr()).toBe(0xfed00900);
    expect(mmio.read(0xfed00030, 4)).toBe(APIC_VERSION);
    expect(mmio.read(0xfee00030, 4)).toBe(0xffffffff);
    apic.writeBaseMsr(0xfee00000);
    expect(apic.readBaseMsr()).toBe(0xfee00100);
    expect(mmio.read(0xfee00030, 4)).toBe(0xffffffff);
    apic.writeBaseMsr(0xfee00800);
    expect(apic.readBaseMsr()).toBe(0xfee00100);
    expect(mmio.read(0xfee000f0, 4)).toBe(0xffffffff);
  });
});
