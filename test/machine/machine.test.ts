/**
 * Machine wiring without the translator: a scripted executor stands in for
 * translated code, performing each "instruction" through the same Monitor
 * calls generated code makes and calling the event hook between them. This
 * checks what the Machine owns — devices on virtual time, PIC interrupts
 * through the IDT, hlt waking on the PIT, run endings and their statuses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExecutorFactory, ExecutorParts } from '../../src/exec/executor.js';
import { routineIndex } from '../../src/vmm-interface/interface.js';
import type { VmmRoutine } from '../../src/ir/types.js';
import { Machine } from '../../src/machine/machine.js';
import { EXIT_STATUS_HALTED, EXIT_STATUS_INSN_LIMIT } from '../../src/vmm/run-end.js';
import { gateDesc, segDesc } from '../vmm/guest-builder.js';
import { fixture } from '../cli/run-capture.js';

type Step = (p: ExecutorParts, emu: (r: VmmRoutine, a?: number, b?: number, c?: number) => void) => void;

/** Each program entry is one guest instruction at that EIP: it may call the monitor, then falls through to EIP+1. */
function scripted(program: Record<number, Step>): ExecutorFactory {
  return (p) => ({
    run() {
      for (;;) {
        const eip = p.cpu.eip;
        const step = program[eip];
        if (step === undefined) throw new Error(`no scripted instruction at 0x${eip.toString(16)}`);
        let left = false;
        const emu = (r: VmmRoutine, a = 0, b = 0, c = 0) => {
          if (left) return;
          if (p.monitor.emulate(routineIndex(r), eip + 1, a, b, c) === 1) left = true;
        };
        step(p, emu);
        if (!left) p.cpu.eip = eip + 1;
        p.cpu.icount++;
        if (!p.events()) return;
      }
    },
  });
}

const out8 = (emu: Parameters<Step>[1], port: number, v: number) => emu('out', port, v, 1);

/** Program both PICs (vectors 0x20/0x28), unmask only IRQ0, and start PIT channel 0 at `divisor`. */
const setupTimer = (divisor: number): Step => (_p, emu) => {
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1], [0x21, 0xfe], [0xa1, 0xff]]) out8(emu, port!, v!);
  out8(emu, 0x43, 0x34);
  out8(emu, 0x40, divisor & 0xff);
  out8(emu, 0x40, divisor >>> 8);
};

function machineWith(program: Record<number, Step>, options: { maxInsns?: number } = {}): { m: Machine; out: number[] } {
  const out: number[] = [];
  const m = new Machine({
    image: { kind: 'flat', bytes: new Uint8Array(16), loadAddress: 0x100, entry: 0x100 },
    memoryBytes: 1 << 20,
    time: { kind: 'icount', shift: 0 },
    serialOutput: (b) => out.push(b),
    executor: scripted(program),
    maxInsns: options.maxInsns,
  });
  // A GDT with a flat ring-0 code segment and an IDT whose vector 0x20 goes to 0x300.
  const mem = m.memory;
  const [clo, chi] = segDesc(0, 0xfffff, 0x9a);
  mem.write32(0x808, clo); mem.write32(0x80c, chi);
  const [dlo, dhi] = segDesc(0, 0xfffff, 0x92);
  mem.write32(0x810, dlo); mem.write32(0x814, dhi);
  const [glo, ghi] = gateDesc(0x08, 0x300, 0xe, 0);
  mem.write32(0x1000 + 0x20 * 8, glo); mem.write32(0x1000 + 0x20 * 8 + 4, ghi);
  m.cpu.gdtBase = 0x800; m.cpu.gdtLimit = 0x17;
  m.cpu.idtBase = 0x1000; m.cpu.idtLimit = 0x7ff;
  return { m, out };
}

describe('Machine', () => {
  it('hlt with IF=1 sleeps until the PIT fires; the IRQ0 handler runs and exits through isa-debug-exit', async () => {
    const { m } = machineWith({
      0x100: setupTimer(1193), // ~1 ms
      0x101: (_p, emu) => emu('sti'),
      0x102: (_p, emu) => emu('hlt'),
      0x300: (p, emu) => {
        // The frame the CPU pushed: EIP after the hlt, CS, EFLAGS with IF.
        const esp = p.cpu.regs[4]! >>> 0;
        expect([p.memory.read32(esp), p.memory.read32(esp + 4), p.memory.read32(esp + 8) & 0x200]).toEqual([0x103, 0x08, 0x200]);
        emu('out', 0xf4, 0x2a, 1);
      },
    });
    const r = await m.run();
    expect(r.reason).toEqual({ kind: 'exit', status: 0x55 });
    expect(r.exitStatus).toBe(0x55);
    expect(r.stats.externalInterrupts).toBe(1);
    // Virtual time skipped to the timer deadline: 1193 PIT ticks ≈ 999.8 µs.
    expect(r.stats.virtualNs).toBeGreaterThan(999_000);
    expect(r.stats.virtualNs).toBeLessThan(1_001_000);
  });

  it('an interrupt is not taken in the shadow of sti, but right after the next instruction', async () => {
    const seen: number[] = [];
    const { m } = machineWith({
      0x100: setupTimer(2),
      0x101: (p) => { p.cpu.icount += 100_000; }, // let the timer expire while IF=0
      0x102: (_p, emu) => emu('sti'),
      0x103: () => { seen.push(0x103); },
      0x104: () => { seen.push(0x104); },
      0x300: (_p, emu) => { seen.push(0x300); emu('out', 0xf4, 0, 1); },
    });
    await m.run();
    expect(seen).toEqual([0x103, 0x300]);
  });

  it('hlt with IF=0 ends the run with the halted status instead of hanging', async () => {
    const { m } = machineWith({ 0x100: (_p, emu) => emu('cli'), 0x101: (_p, emu) => emu('hlt') });
    const r = await m.run();
    expect(r.reason.kind).toBe('halted');
    expect(r.exitStatus).toBe(EXIT_STATUS_HALTED);
  });

  it('hlt with IF=1 but no timer and no input ends the run too', async () => {
    const { m } = machineWith({ 0x100: (_p, emu) => emu('sti'), 0x101: (_p, emu) => emu('hlt') });
    const r = await m.run();
    expect(r.reason.kind).toBe('halted');
  });

  it('--max-insns stops the guest', async () => {
    const prog: Record<number, Step> = {};
    for (let a = 0x100; a < 0x200; a++) prog[a] = () => {};
    const { m } = machineWith(prog, { maxInsns: 50 });
    const r = await m.run();
    expect(r.exitStatus).toBe(EXIT_STATUS_INSN_LIMIT);
    expect(r.stats.instructions).toBe(50);
  });

  it('console input wakes a guest waiting in hlt for the UART interrupt', async () => {
    const got: number[] = [];
    const { m } = machineWith({
      0x100: (_p, emu) => {
        for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0x21, 0xef]]) out8(emu, port!, v!);
        out8(emu, 0x3f9, 1); // IER: received data
        out8(emu, 0x3fc, 0x08); // MCR.OUT2 gates the UART's IRQ on a PC
      },
      0x101: (_p, emu) => emu('sti'),
      0x102: (_p, emu) => emu('hlt'),
      0x103: (_p, emu) => emu('out', 0xf4, 1, 1),
    });
    const [glo, ghi] = gateDesc(0x08, 0x103, 0xe, 0);
    m.memory.write32(0x1000 + 0x24 * 8, glo); m.memory.write32(0x1000 + 0x24 * 8 + 4, ghi);
    m.setInputOpen(true);
    setTimeout(() => { got.push(1); m.receiveInput(new Uint8Array([0x41])); }, 5);
    const r = await m.run();
    expect(got).toEqual([1]);
    expect(r.exitStatus).toBe(3);
  });
});

describe('Machine with 3.5 GiB of scattered RAM', () => {
  // Scattering moves the pages the loader wrote; finding them by reading every page of RAM
  // would commit all 3 GiB of host memory behind it (and take seconds).
  it('moves only the loaded pages, without touching the rest of RAM', () => {
    const module = Uint8Array.from({ length: 3 * 4096 }, (_, i) => (i * 7 + 1) & 0xff);
    const rssBefore = process.memoryUsage().rss;
    const m = new Machine({
      image: { kind: 'multiboot', bytes: new Uint8Array(readFileSync(fixture('kernels/hello.elf'))), modules: [{ cmdline: 'mod', bytes: module }] },
      memoryBytes: 3584 * 2 ** 20, scatterSeed: 7, serialOutput: () => {},
    });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 2 ** 20);
    const mem = m.pagingMmu.mem;
    expect(m.memory.size).toBe(3 * 2 ** 30);
    expect(mem.read32(0x100000)).toBe(0x1badb002); // hello.elf's Multiboot header, where the map put page 0x100
    expect(mem.map.toMachine[0x100]).not.toBe(0x100);
    const moduleStart = mem.read32(0x9100); // the first module record (src/loader/multiboot.ts)
    expect(mem.slice(moduleStart, module.length)).toEqual(module);
  }, 20_000);
});
