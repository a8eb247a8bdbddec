/**
 * The edges of the memory layer that the random-access models in
 * physical-memory.test.ts and machine-memory.test.ts rarely reach: accesses
 * straddling a guest page of a scattered map (read back against the bytes
 * loaded at guest addresses), the guest page that lives at machine offset 0,
 * MMIO accesses straddling a window's edge (the device sees each of its own
 * bytes, with its own value), the open-bus listener, range checks with
 * fractional or empty ranges, and the context errors carry.
 */
import { describe, expect, it } from 'vitest';
import { GuestMemoryError, PhysicalMemory } from '../../src/memory/physical-memory.js';
import { GuestPhysicalMemory } from '../../src/memory/guest-physical-memory.js';
import { MachineMap, MAX_MAPPED_RAM } from '../../src/memory/machine-map.js';
import { MmioMap, type MmioDevice } from '../../src/memory/mmio.js';

const RAM = 16 * 4096;
const WINDOW = 0xfee00000;

/** Logs every access; reads answer 0xA0 + offset per byte; writes answer `leave`. */
class LoggingDevice implements MmioDevice {
  readonly log: string[] = [];
  leave = 0;
  mmioRead(offset: number, size: number): number {
    this.log.push(`r${size}@${offset.toString(16)}`);
    let v = 0;
    for (let k = 0; k < size; k++) v |= ((0xa0 + offset + k) & 0xff) << (8 * k);
    return v >>> 0;
  }
  mmioWrite(offset: number, size: number, value: number): number {
    this.log.push(`w${size}@${offset.toString(16)}=${value.toString(16)}`);
    return this.leave;
  }
}

/** Little-endian value of `n` bytes of `bytes` from `at`. */
const le = (bytes: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let k = 0; k < n; k++) v += bytes[at + k]! * 2 ** (8 * k);
  return v;
};

describe('GuestPhysicalMemory', () => {
  it('refuses a map whose page count differs from machine memory', () => {
    expect(() => new GuestPhysicalMemory(new PhysicalMemory(RAM), MachineMap.identity(RAM * 2))).toThrow(/32 pages .* 16/);
  });

  it('reads and writes straddling guest pages of a scattered map byte for byte in guest order', () => {
    const map = MachineMap.scattered(RAM, 7);
    const g = new GuestPhysicalMemory(new PhysicalMemory(RAM), map);
    const image = Uint8Array.from({ length: RAM }, (_, i) => (i * 13 + (i >>> 12)) & 0xff);
    g.load(0, image);
    for (const page of [1, 5, 14]) {
      for (const off of [0xffc, 0xffd, 0xffe, 0xfff]) {
        const pa = page * 4096 + off;
        expect(g.read16(pa), `read16 ${pa.toString(16)}`).toBe(le(image, pa, 2));
        expect(g.read32(pa), `read32 ${pa.toString(16)}`).toBe(le(image, pa, 4));
      }
    }
    g.write16(0x2fff, 0xbeef);
    g.write32(0x4ffe, 0x12345678);
    expect([...g.slice(0x2fff, 2)]).toEqual([0xef, 0xbe]);
    expect([...g.slice(0x4ffe, 4)]).toEqual([0x78, 0x56, 0x34, 0x12]);
  });

  it('reaches the guest page kept at machine offset 0 with every access size', () => {
    const map = MachineMap.scattered(RAM, 11);
    const g = new GuestPhysicalMemory(new PhysicalMemory(RAM), map);
    const pa = map.toGuest[0]! * 4096;
    g.write8(pa, 0x5a);
    expect(g.read8(pa)).toBe(0x5a);
    g.write16(pa, 0x1234);
    expect(g.read16(pa)).toBe(0x1234);
    g.write32(pa, 0xcafebabe);
    expect(g.read32(pa)).toBe(0xcafebabe);
    expect(g.machine.read32(0)).toBe(0xcafebabe);
  });

  it('sends a byte write beyond RAM to the window, and refuses slices outside RAM', () => {
    const g = new GuestPhysicalMemory(new PhysicalMemory(RAM), MachineMap.identity(RAM));
    const dev = new LoggingDevice();
    g.mmio.map(dev, WINDOW, 0x1000);
    g.write8(WINDOW + 3, 0x1c5);
    expect(dev.log).toEqual(['w1@3=c5']);
    expect(() => g.slice(RAM - 2, 4)).toThrow(GuestMemoryError);
  });
});

describe('MachineMap', () => {
  it('draws a different permutation for each seed', () => {
    const seen = new Set<string>();
    for (const seed of [1, 2, 3, 0x1234]) seen.add(MachineMap.scattered(RAM, seed).toMachine.join(','));
    expect(seen.size).toBe(4);
  });

  it('answers machine pages and byte offsets inside RAM, -1 outside', () => {
    const map = MachineMap.scattered(RAM, 5);
    expect(map.machinePage(0)).toBe(map.toMachine[0]);
    expect(map.machinePage(15)).toBe(map.toMachine[15]);
    expect(map.machinePage(-1)).toBe(-1);
    expect(map.machinePage(16)).toBe(-1);
    expect(map.machineAddress(0x123)).toBe(map.toMachine[0]! * 4096 + 0x123);
    expect(map.machineAddress(3 * 4096 + 0xabc)).toBe(map.toMachine[3]! * 4096 + 0xabc);
    expect(map.machineAddress(RAM - 1)).toBe(map.toMachine[15]! * 4096 + 0xfff);
    expect(map.machineAddress(RAM)).toBe(-1);
    expect(map.machineAddress(-1)).toBe(-1);
  });

  it('accepts RAM sizes from one page to 3.5 GiB in whole pages, naming a rejected size', () => {
    expect(MachineMap.identity(4096).pages).toBe(1);
    expect(MachineMap.identity(MAX_MAPPED_RAM).pages).toBe(MAX_MAPPED_RAM / 4096);
    for (const bad of [0, -4096, 4097, 4096.5, MAX_MAPPED_RAM + 4096]) {
      expect(() => MachineMap.identity(bad), String(bad)).toThrow(new RegExp(`got ${bad}$`));
    }
  });
});

describe('MmioMap', () => {
  it('unmapping a device without a window leaves the others in place', () => {
    const map = new MmioMap();
    map.map(new LoggingDevice(), WINDOW, 0x1000);
    map.unmap(new LoggingDevice());
    expect(map.covers(WINDOW)).toBe(true);
  });

  it('gives the device an access ending exactly at the window end whole', () => {
    const map = new MmioMap();
    const dev = new LoggingDevice();
    map.map(dev, WINDOW, 0x1000);
    map.read(WINDOW + 0xffc, 4);
    map.write(WINDOW + 0xffc, 4, 0x11223344);
    expect(dev.log).toEqual(['r4@ffc', 'w4@ffc=11223344']);
  });

  it('splits a write straddling either edge into the window\'s own bytes, and leaves if any byte asks', () => {
    const map = new MmioMap();
    const dev = new LoggingDevice();
    map.map(dev, WINDOW, 0x1000);
    dev.leave = 1;
    expect(map.write(WINDOW - 2, 4, 0xddccbbaa)).toBe(1);
    expect(map.write(WINDOW + 0xffe, 4, 0x44332211)).toBe(1);
    expect(dev.log).toEqual(['w1@0=cc', 'w1@1=dd', 'w1@ffe=11', 'w1@fff=22']);
    expect(map.read(WINDOW - 2, 4)).toBe(0xa1a0ffff);
  });

  it('tells the open-bus listener of accesses whose first byte lies in no window', () => {
    const map = new MmioMap();
    map.map(new LoggingDevice(), WINDOW, 0x1000);
    const heard: string[] = [];
    map.openBus = (pa, size, value) => heard.push(`${pa.toString(16)}/${size}/${value}`);
    map.read(WINDOW + 8, 4);
    map.write(WINDOW + 8, 4, 1);
    map.read(WINDOW + 0xffe, 4); // straddles the edge, but its first byte is the window's
    map.write(WINDOW + 0xffe, 4, 1);
    map.read(0x1000, 2);
    map.write(0x2000, 1, 7);
    expect(heard).toEqual(['1000/2/null', '2000/1/7']);
  });
});

describe('PhysicalMemory', () => {
  it('a shared buffer is the RAM; one of another length is refused', () => {
    const buffer = new ArrayBuffer(8192);
    const m = new PhysicalMemory(8192, buffer);
    m.write32(16, 0xa1b2c3d4);
    expect(new DataView(buffer).getUint32(16, true)).toBe(0xa1b2c3d4);
    expect(() => new PhysicalMemory(8192, new ArrayBuffer(4096))).toThrow(/4096 bytes cannot be guest RAM of 8192/);
  });

  it('contains() takes whole ranges at non-negative addresses and lengths only; an empty range at the end is inside', () => {
    const m = new PhysicalMemory(8192);
    expect(m.contains(0, 0)).toBe(true);
    expect(m.contains(8192, 0)).toBe(true);
    expect(m.contains(1.5, 2)).toBe(false);
    expect(m.contains(0, 1.5)).toBe(false);
    expect(m.contains(-1, 2)).toBe(false);
    expect(m.contains(4, -1)).toBe(false);
    expect(() => m.slice(8190, 4)).toThrow(GuestMemoryError);
  });

  it('errors name the rejected range and the RAM size', () => {
    expect(() => new PhysicalMemory(8192).load(0x1ffe, new Uint8Array(4))).toThrow(
      'guest range 0x1ffe..0x2002 (4 bytes) lies outside guest RAM of 0x2000 bytes');
    expect(() => new PhysicalMemory(4097)).toThrow(/got 4097$/);
  });
});
