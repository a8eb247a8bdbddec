/** Raw images: copied byte for byte, entered in flat protected mode. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { loadFlat } from '../../src/loader/flat.js';
import { LoadError } from '../../src/loader/load-error.js';
import { toolsFor } from '../support/external-tools.js';

describe('loadFlat', () => {
  it.skipIf(!toolsFor('loadFlat of a nasm image', 'nasm'))('places a nasm -f bin image at its origin and starts at the entry with the Multiboot machine state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btvm-flat-'));
    writeFileSync(join(dir, 'p.asm'), 'bits 32\norg 0x7c00\nstart: mov eax, 0x12345678\nhlt\ndata: dd data\n');
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'p.bin'), join(dir, 'p.asm')]);
    const image = new Uint8Array(readFileSync(join(dir, 'p.bin')));
    const mem = new PhysicalMemory(1024 * 1024);
    const boot = loadFlat(mem, image, 0x7c00, 0x7c00);
    expect([...mem.slice(0x7c00, image.length)]).toEqual([...image]);
    expect(mem.read32(0x7c00 + 1)).toBe(0x12345678);
    expect(mem.read32(0x7c00 + 6)).toBe(0x7c06); // `data` resolved against the origin
    expect(boot.eip).toBe(0x7c00);
    expect(boot.cr0 & 0x80000001).toBe(1); // PE on, PG off
    expect(boot.eflags & 0x200).toBe(0);
    expect(boot.cs).toMatchObject({ base: 0, limit: 0xffffffff, access: 0x9b, big: true });
    expect(boot.ss).toMatchObject({ base: 0, limit: 0xffffffff, access: 0x93, big: true });
  });

  it('refuses an image that does not fit in RAM', () => {
    const mem = new PhysicalMemory(8192);
    expect(() => loadFlat(mem, new Uint8Array(100), 8100, 8100)).toThrow(LoadError);
  });
});
