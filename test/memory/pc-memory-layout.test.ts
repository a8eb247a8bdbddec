/**
 * pcMemoryLayout(): where `-m` bytes of RAM go around the PCI hole, as
 * qemu-system-i386's pc machine places them (the sizes below are the ones
 * src/memory/pc-memory-layout.ts records from QEMU 7.2 with a Multiboot kernel
 * printing its memory map, fixtures/system/bigmem.c): all of it below 4 GiB up
 * to 3583 MiB; from 3.5 GiB on, 3 GiB below and the rest from 4 GiB up.
 */
import { describe, expect, it } from 'vitest';
import { pcMemoryLayout } from '../../src/memory/pc-memory-layout.js';

const MiB = 1024 * 1024;

describe('pcMemoryLayout', () => {
  it('puts all of a small or just-below-3.5-GiB -m below 4 GiB', () => {
    expect(pcMemoryLayout(128 * MiB)).toEqual({ totalBytes: 128 * MiB, belowFourGiB: 128 * MiB, aboveFourGiB: 0 });
    expect(pcMemoryLayout(3583 * MiB)).toEqual({ totalBytes: 3583 * MiB, belowFourGiB: 0xdff00000, aboveFourGiB: 0 });
  });

  it('splits at 3 GiB from -m 3584M on, the rest above 4 GiB', () => {
    expect(pcMemoryLayout(3584 * MiB)).toEqual({ totalBytes: 3584 * MiB, belowFourGiB: 0xc0000000, aboveFourGiB: 512 * MiB });
    expect(pcMemoryLayout(4096 * MiB)).toEqual({ totalBytes: 4096 * MiB, belowFourGiB: 0xc0000000, aboveFourGiB: 1024 * MiB });
  });
});
