/**
 * The Multiboot loader on ELF kernels built to make loading slow (issue
 * 18): program headers that all name the same stretch of guest memory would
 * each copy or zero it again — 65,000 headers over 64 MiB is four terabytes
 * of memset from a 2 MB file. Overlapping segments are refused in one line
 * naming two of them; a file of many disjoint segments loads in time linear
 * in its size.
 */
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../src/loader/load-error.js';
import { loadMultiboot } from '../../src/loader/multiboot.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { buildElf, KERNEL_BASE } from '../support/hostile-elf.js';

/** The hostile-elf kernel with `count` extra PT_LOAD headers from `segment(i)`: [paddr, memsz]. */
function kernelWithSegments(count: number, segment: (i: number) => [number, number]): Uint8Array {
  const names = new TextEncoder().encode('\0.strtab\0');
  const base = buildElf({ size: 0x3000, shoff: 0x3000, count: 1, sections: [{ name: 1, type: 3, offset: 0x2000, size: names.length }], chunks: [{ at: 0x2000, bytes: names }] });
  const phoff = base.length;
  const bytes = new Uint8Array(phoff + (count + 1) * 32);
  bytes.set(base);
  const v = new DataView(bytes.buffer);
  bytes.copyWithin(phoff, 52, 84); // the kernel's own PT_LOAD first
  for (let i = 0; i < count; i++) {
    const [paddr, memsz] = segment(i);
    [1, 0, paddr, paddr, 0, memsz, 6, 0x1000].forEach((x, k) => v.setUint32(phoff + (i + 1) * 32 + 4 * k, x, true));
  }
  v.setUint32(28, phoff, true);
  v.setUint16(44, count + 1, true);
  return bytes;
}

describe('loadMultiboot on hostile program headers', () => {
  it('refuses segments that overlap in guest memory, quickly, naming two of them', () => {
    const image = kernelWithSegments(60_000, () => [0x400000, 64 << 20]);
    const t0 = performance.now();
    let error: unknown;
    try {
      loadMultiboot(new PhysicalMemory(128 << 20), image);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).code).toBe('overlapping-segments');
    expect((error as LoadError).message).toMatch(/^segments \d+ and \d+ overlap in guest memory at 0x400000$/);
    expect(performance.now() - t0).toBeLessThan(30_000); // without the check: hours of memset
  });

  it('loads 60,000 disjoint segments, zeroing each once', () => {
    const mem = new PhysicalMemory(8 << 20);
    mem.fill(0x200000, 60_000 * 16, 0xee);
    const state = loadMultiboot(mem, kernelWithSegments(60_000, (i) => [0x200000 + 16 * i, 16]));
    expect(state.eip).toBe(KERNEL_BASE + 12);
    expect(mem.read8(0x200000)).toBe(0);
    expect(mem.read8(0x200000 + 60_000 * 16 - 1)).toBe(0);
  });
});
