/**
 * The library API (src/api/, docs/api.md) in-process: boot a fixture kernel
 * with its serial output captured, read its registers, memory and
 * statistics, and translate one block. test/api/packed.test.ts does the
 * same through the packed, installed package.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btvm, flatImage, GuestMemoryError, kernelImage, translateBlock } from '../../src/api/index.js';
import { fixture } from '../cli/run-capture.js';

describe('Btvm', () => {
  it('boots a Multiboot kernel with serial output captured, and reports where it stopped', async () => {
    const chunks: Uint8Array[] = [];
    const vm = new Btvm(kernelImage(readFileSync(fixture('kernels/hello.elf'))), { serialOutput: (b) => chunks.push(b), memory: '16M' });
    const result = await vm.run();
    expect(result.exitStatus).toBe(Number(readFileSync(fixture('kernels/hello.status'), 'latin1')));
    expect(Buffer.concat(chunks).toString('latin1')).toBe(readFileSync(fixture('kernels/hello.expected'), 'latin1'));
    const r = vm.registers();
    expect(r.eax).toBe(0); // xor eax, eax; out 0xf4, al
    expect(r.eip).toBeGreaterThanOrEqual(0x100000);
    expect(r.eflags & 2).toBe(2);
    expect(Buffer.from(vm.readMemory(0x100000, 0x10000)).toString('latin1')).toContain('Hello from btvm guest\n');
    const stats = vm.statistics();
    expect(stats.guest.instructions).toBeGreaterThan(0);
    expect(stats.exit.status).toBe(result.exitStatus);
  }, 20_000);

  it('runs a flat image for a budget of instructions', async () => {
    // inc eax; jmp $-1 (back to inc): a loop that only the budget ends.
    const vm = new Btvm(flatImage(Uint8Array.of(0x40, 0xeb, 0xfd), 0x10000, 0x10000), { maxInsns: 1001, icountShift: 0, memory: 1 << 20 });
    const result = await vm.run();
    expect(result.reason.kind).toBe('insn-limit');
    expect(vm.statistics().guest.instructions).toBe(1001);
    expect(vm.registers().eax).toBe(501); // inc, jmp, inc, …, inc
  }, 20_000);

  it('gives the guest 3.5 GiB as QEMU lays it out: 3 GiB below 4 GiB, reachable above 2 GiB', async () => {
    // mov dword [0xbffffffc], 0x12345678; mov dword [0x80000000], 0x9abcdef0
    const code = Uint8Array.of(0xc7, 0x05, 0xfc, 0xff, 0xff, 0xbf, 0x78, 0x56, 0x34, 0x12, 0xc7, 0x05, 0x00, 0x00, 0x00, 0x80, 0xf0, 0xde, 0xbc, 0x9a);
    const vm = new Btvm(flatImage(code, 0x10000, 0x10000), { maxInsns: 2, icountShift: 0, memory: '3.5G' });
    expect((await vm.run()).reason.kind).toBe('insn-limit');
    expect(Array.from(vm.readMemory(0xbffffffc, 4))).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(Array.from(vm.readMemory(0x80000000, 4))).toEqual([0xf0, 0xde, 0xbc, 0x9a]);
    expect(() => vm.readMemory(0xc0000000, 4)).toThrow(GuestMemoryError);
    const below = new Btvm(flatImage(code, 0x10000, 0x10000), { maxInsns: 0, memory: 3583 * 2 ** 20 });
    expect(below.readMemory(0xdfeffffc, 4)).toEqual(new Uint8Array(4));
    expect(() => below.readMemory(0xdff00000, 4)).toThrow(GuestMemoryError);
  }, 20_000);
});

describe('translateBlock', () => {
  it('gives the block after lifting, each pass and codegen', () => {
    // add eax, 1; add eax, 2; ret
    const t = translateBlock(Uint8Array.of(0x83, 0xc0, 0x01, 0x83, 0xc0, 0x02, 0xc3), 0x1000, 0x1000);
    expect(t.lifted).toMatch(/add/);
    expect(t.passes.map((p) => p.name)).toContain('const-fold');
    expect(t.javascript.length).toBeGreaterThan(0);
    expect(translateBlock(Uint8Array.of(0xc3), 0, 0, { disabledPasses: ['all'] }).passes).toEqual([]);
  });
});
