/**
 * PhysicalMemory against a byte-at-a-time model: every multi-byte access
 * must equal the little-endian composition of single-byte accesses, with
 * 0xFF for bytes beyond RAM and dropped writes there.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GuestMemoryError, PhysicalMemory } from '../../src/memory/physical-memory.js';

const SIZE = 8192;

/** Reference model: a Map of bytes, undefined beyond RAM. */
function modelRead(model: Uint8Array, pa: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const a = (pa + i) >>> 0;
    const b = a < model.length ? model[a]! : 0xff;
    v += b * 2 ** (8 * i);
  }
  return v;
}
function modelWrite(model: Uint8Array, pa: number, n: number, value: number): void {
  for (let i = 0; i < n; i++) {
    const a = (pa + i) >>> 0;
    if (a < model.length) model[a] = (value >>> (8 * i)) & 0xff;
  }
}

describe('PhysicalMemory', () => {
  it('rejects sizes that are not positive multiples of 4 KiB', () => {
    expect(() => new PhysicalMemory(0)).toThrow(RangeError);
    expect(() => new PhysicalMemory(4095)).toThrow(RangeError);
    expect(new PhysicalMemory(4096).size).toBe(4096);
  });

  it('stores little-endian and reads back unaligned values', () => {
    const m = new PhysicalMemory(SIZE);
    m.write32(1, 0x11223344);
    expect([...m.bytes.subarray(1, 5)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(m.read16(2)).toBe(0x2233);
    expect(m.read32(1)).toBe(0x11223344);
    m.write32(100, 0xdeadbeef);
    expect(m.read32(100)).toBe(0xdeadbeef); // unsigned
    expect(m.read32(100) | 0).toBe(0xdeadbeef | 0);
  });

  it('reads 0xFF beyond RAM and drops writes there, also for straddling accesses', () => {
    const m = new PhysicalMemory(SIZE);
    m.write8(SIZE - 1, 0xab);
    expect(m.read32(SIZE - 1)).toBe(0xffffffab);
    expect(m.read16(SIZE - 1)).toBe(0xffab);
    expect(m.read8(SIZE)).toBe(0xff);
    expect(m.read32(0xfffffffc)).toBe(0xffffffff);
    m.write32(SIZE - 2, 0x12345678);
    expect(m.read16(SIZE - 2)).toBe(0x5678);
    m.write32(SIZE, 0);
    expect(m.read32(SIZE)).toBe(0xffffffff);
    // Wrap-around at 4 GiB: the upper two bytes land at 0 and 1.
    m.write32(0xfffffffe, 0xaabbccdd);
    expect(m.read16(0)).toBe(0xaabb);
    expect(m.read32(0xfffffffe)).toBe(0xaabbffff);
  });

  it('agrees with a byte model under random accesses', () => {
    const addr = fc.oneof(fc.integer({ min: 0, max: SIZE + 8 }), fc.integer({ min: SIZE - 8, max: SIZE + 8 }), fc.integer({ min: 0xfffffff8, max: 0xffffffff }));
    const op = fc.record({ write: fc.boolean(), size: fc.constantFrom(1, 2, 4), pa: addr, value: fc.integer({ min: 0, max: 0xffffffff }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const m = new PhysicalMemory(SIZE);
        const model = new Uint8Array(SIZE);
        for (const o of ops) {
          if (o.write) {
            if (o.size === 1) m.write8(o.pa, o.value);
            else if (o.size === 2) m.write16(o.pa, o.value);
            else m.write32(o.pa, o.value);
            modelWrite(model, o.pa, o.size, o.value);
          } else {
            const got = o.size === 1 ? m.read8(o.pa) : o.size === 2 ? m.read16(o.pa) : m.read32(o.pa);
            expect(got).toBe(modelRead(model, o.pa, o.size));
          }
        }
        expect(Buffer.compare(m.bytes, model)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('load/fill/slice throw GuestMemoryError outside RAM and work inside', () => {
    const m = new PhysicalMemory(SIZE);
    m.load(SIZE - 3, new Uint8Array([1, 2, 3]));
    expect([...m.slice(SIZE - 3, 3)]).toEqual([1, 2, 3]);
    expect(() => m.load(SIZE - 2, new Uint8Array(3))).toThrow(GuestMemoryError);
    expect(() => m.load(-1, new Uint8Array(1))).toThrow(GuestMemoryError);
    expect(() => m.fill(SIZE, 1)).toThrow(GuestMemoryError);
    const small = new PhysicalMemory(0x3000);
    expect(() => small.load(0x2ff8, new Uint8Array(16))).toThrow(
      expect.objectContaining({ name: 'GuestMemoryError', address: 0x2ff8, length: 16, ramSize: 0x3000 }),
    );
    m.fill(10, 4, 0xcc);
    expect(m.read32(10)).toBe(0xcccccccc);
  });
});
