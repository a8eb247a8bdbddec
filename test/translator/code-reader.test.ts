/**
 * Code fetch with paging off: every linear address is fetchable; beyond RAM
 * the bus reads all ones and addresses wrap at 4 GiB. (A random-bytes guest
 * that jumped to 0xffffffff once looked unfetchable here and made the
 * monitor report a spurious #PF as an internal error.)
 */
import { describe, expect, it } from 'vitest';
import { PhysicalCodeSpace } from '../../src/translator/code-reader.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';

describe('PhysicalCodeSpace', () => {
  const mem = new PhysicalMemory(1 << 16);
  mem.bytes[0] = 0x90;
  mem.bytes[1] = 0xc3;
  mem.bytes[0xfffe] = 0x41;
  const code = new PhysicalCodeSpace(mem);

  it('reads RAM, then all ones past its end', () => {
    const into = new Uint8Array(4);
    expect(code.read(0xfffe, into)).toBe(4);
    expect([...into]).toEqual([0x41, 0, 0xff, 0xff]);
  });

  it('wraps at 4 GiB back into RAM', () => {
    const into = new Uint8Array(4);
    expect(code.read(0xfffffffe, into)).toBe(4);
    expect([...into]).toEqual([0xff, 0xff, 0x90, 0xc3]);
  });
});
