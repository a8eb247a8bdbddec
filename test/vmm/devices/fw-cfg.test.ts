/**
 * fw_cfg as QEMU's docs/specs/fw_cfg.rst defines it and QEMU 7.2 answers
 * (fixtures/system/fwcfg.c has the same reads against QEMU): items through
 * the selector and data ports, selector bits 14 and 15, reads past an item,
 * missing items, the access widths QEMU accepts, and the DMA interface with
 * its big-endian control structure.
 */
import { describe, expect, it } from 'vitest';
import { FwCfg } from '../../../src/vmm/devices/fw-cfg.js';

class Ram {
  readonly bytes = new Uint8Array(0x10000);
  readonly writes: string[] = [];
  written(pa: number, length: number): void {
    this.writes.push(`${pa.toString(16)}+${length}`);
  }
  read8(pa: number): number {
    return this.bytes[pa]!;
  }
  write8(pa: number, v: number): void {
    this.bytes[pa] = v;
  }
}

function setup(ramBytes = 128 << 20) {
  const ram = new Ram();
  const fw = new FwCfg(ramBytes, ram);
  const item = (key: number, n: number) => {
    fw.writePort(0x510, 2, key);
    return Array.from({ length: n }, () => fw.readPort(0x511, 1));
  };
  return { ram, fw, item };
}

describe('fw_cfg: selector 0x510, data 0x511', () => {
  it('signature, features, UUID, RAM size, CPU counts; zeros past the end and for missing items', () => {
    const { item } = setup(0x1_2345_6000);
    expect(item(0x0000, 6)).toEqual([0x51, 0x45, 0x4d, 0x55, 0, 0]);
    expect(item(0x0001, 4)).toEqual([3, 0, 0, 0]);
    expect(item(0x0002, 16)).toEqual(new Array(16).fill(0));
    expect(item(0x0003, 9)).toEqual([0x00, 0x60, 0x45, 0x23, 0x01, 0, 0, 0, 0]);
    expect(item(0x0005, 3)).toEqual([1, 0, 0]);
    expect(item(0x000f, 3)).toEqual([1, 0, 0]);
    expect(item(0x0019, 4)).toEqual([0, 0, 0, 0]);
    expect(item(0x1234, 2)).toEqual([0, 0]);
    expect(item(0x8003, 4)).toEqual([0, 0, 0, 0]);
  });

  it('ignores the write-channel bit; a new selection rewinds', () => {
    const { fw, item } = setup();
    expect(item(0x4000, 2)).toEqual([0x51, 0x45]);
    fw.writePort(0x510, 2, 0);
    expect(fw.readPort(0x511, 1)).toBe(0x51);
  });

  it('byte reads of 0x510 read data; wider reads read 0 and consume nothing; byte writes select nothing', () => {
    const { fw } = setup();
    fw.writePort(0x510, 2, 0);
    expect([fw.readPort(0x510, 2), fw.readPort(0x511, 2), fw.readPort(0x511, 4)]).toEqual([0, 0, 0]);
    expect(fw.readPort(0x510, 1)).toBe(0x51);
    fw.writePort(0x510, 1, 1);
    fw.writePort(0x511, 1, 0);
    expect(fw.readPort(0x511, 1)).toBe(0x45);
  });
});

describe('fw_cfg DMA at 0x514', () => {
  const bswap = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
  function descriptor(ram: Ram, at: number, control: number, length: number, address: number) {
    const v = new DataView(ram.bytes.buffer);
    v.setUint32(at, control, false);
    v.setUint32(at + 4, length, false);
    v.setUint32(at + 8, 0, false);
    v.setUint32(at + 12, address, false);
  }
  const control = (ram: Ram, at: number) => new DataView(ram.bytes.buffer).getUint32(at, false);

  it('reads "QEMU CFG" from its ports', () => {
    const { fw } = setup();
    expect(Array.from({ length: 8 }, (_, i) => fw.readPort(0x514 + i, 1))).toEqual([0x51, 0x45, 0x4d, 0x55, 0x20, 0x43, 0x46, 0x47]);
    expect(fw.readPort(0x514, 4)).toBe(0x554d4551);
  });

  it('select + read copies the item (zeros past its end) and clears the control word', () => {
    const { ram, fw } = setup();
    ram.bytes.fill(0xaa, 0x2000, 0x2010);
    descriptor(ram, 0x1000, (0x0003 << 16) | 0x08 | 0x02, 10, 0x2000);
    fw.writePort(0x514, 4, 0);
    fw.writePort(0x518, 4, bswap(0x1000));
    expect(Array.from(ram.bytes.subarray(0x2000, 0x200c))).toEqual([0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0xaa, 0xaa]);
    expect(control(ram, 0x1000)).toBe(0);
    expect(ram.writes).toEqual(['2000+10', '1000+4']); // reported, so translations and shadows there go
  });

  it('skip advances the item; a write sets the error bit', () => {
    const { ram, fw } = setup();
    descriptor(ram, 0x1000, 0x08 | 0x04, 2, 0); // select item 0, skip 2
    fw.writePort(0x518, 4, bswap(0x1000));
    expect(fw.readPort(0x511, 1)).toBe(0x4d);
    descriptor(ram, 0x1000, 0x10, 1, 0x2000);
    fw.writePort(0x518, 4, bswap(0x1000));
    expect(control(ram, 0x1000)).toBe(1);
  });
});
