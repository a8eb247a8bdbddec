/**
 * rep ins/outs under the real translator are resumable, as on hardware: a
 * long string instruction is cut into bounded monitor calls, every element
 * counts as an instruction, and between the calls the machine serves
 * --max-insns and interrupts, the instruction resuming where it stopped
 * (src/vmm/io.ts). Two guests: `rep outsb` with ECX = 0xFFFFFFFF under an
 * instruction limit, and a PIT interrupt handler that records where it
 * caught a `rep insb` of a million bytes from a counting port.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.js';
import type { PortDevice } from '../../src/vmm/devices/port-bus.js';
import { toolsFor } from '../support/external-tools.js';

const LOAD = 0x100000;

describe('rep outsb with ECX = 0xFFFFFFFF under --max-insns 1000', () => {
  it('stops at the limit inside the instruction, ECX and ESI counting the elements done', async () => {
    const code = new Uint8Array([
      0x66, 0xba, 0xf8, 0x03, //             mov dx, 0x3f8
      0xbe, 0x00, 0x00, 0x20, 0x00, //       mov esi, 0x200000
      0xb9, 0xff, 0xff, 0xff, 0xff, //       mov ecx, 0xffffffff
      0xfc, //                               cld
      0xf3, 0x6e, //                         rep outsb       (at LOAD + 15)
      0xf4, //                               hlt
    ]);
    let bytes = 0;
    const m = new Machine({
      image: { kind: 'flat', bytes: code, loadAddress: LOAD, entry: LOAD },
      memoryBytes: 4 << 20,
      time: { kind: 'icount', shift: 0 },
      maxInsns: 1000,
      serialOutput: () => void bytes++,
    });
    const t0 = performance.now();
    const result = await m.run();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(result.reason.kind).toBe('insn-limit');
    const elements = 1000 - 4; // four instructions ran before the rep
    expect(m.cpu.icount).toBe(1000);
    expect(bytes).toBe(elements);
    expect(m.cpu.regs[1]! >>> 0).toBe(0xffffffff - elements);
    expect(m.cpu.regs[6]! >>> 0).toBe(0x200000 + elements);
    expect(m.cpu.eip).toBe(LOAD + 15);
  });
});

const COUNT = 1_000_000;
const DEST = 0x200000;

/** Offsets of the guest's labels, from the table it keeps at LOAD + 0x800. */
const TABLE = 0x800;
const TIMER_GUEST = `
bits 32
org ${LOAD}
    lgdt [gdtr]
    jmp 0x08:flat
flat:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x90000
    mov eax, timer
    mov [idt + 0x20 * 8], ax
    mov word [idt + 0x20 * 8 + 2], 0x08
    mov word [idt + 0x20 * 8 + 4], 0x8E00
    shr eax, 16
    mov [idt + 0x20 * 8 + 6], ax
    lidt [idtr]
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xA1, al
    mov al, 1
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    mov al, 0x34              ; PIT channel 0, mode 2, divisor 100: a tick every 83.8 us
    out 0x43, al
    mov al, 100
    out 0x40, al
    xor al, al
    out 0x40, al
    mov dx, 0x300
    mov edi, ${DEST}
    mov ecx, ${COUNT}
    cld
    sti
rep_insn:
    rep insb
    cli
    mov [done_ecx], ecx
    mov [done_edi], edi
    hlt
timer:
    push eax
    push ebx
    mov ebx, [ticks]
    cmp ebx, 64
    jae .full
    mov [seen_ecx + ebx * 4], ecx
    mov eax, [esp + 8]
    mov [seen_eip + ebx * 4], eax
.full:
    inc dword [ticks]
    mov al, 0x20
    out 0x20, al
    pop ebx
    pop eax
    iret
align 8
gdt: dq 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF
gdtr: dw 23
    dd gdt
idtr: dw 256 * 8 - 1
    dd idt
    times ${TABLE} - ($ - $$) db 0
    dd rep_insn, ticks, done_ecx, done_edi, seen_ecx, seen_eip
ticks: dd 0
done_ecx: dd 0
done_edi: dd 0
seen_ecx: times 64 dd 0
seen_eip: times 64 dd 0
align 8
idt: times 256 * 8 db 0
`;

function assemble(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-rep-'));
  try {
    writeFileSync(join(dir, 'g.asm'), source);
    const r = spawnSync('nasm', ['-f', 'bin', '-o', join(dir, 'g.bin'), join(dir, 'g.asm')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nasm: ${r.stderr}`);
    return new Uint8Array(readFileSync(join(dir, 'g.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Port 0x300: each read returns the next byte of 0, 1, 2, … */
class CountingPort implements PortDevice {
  readonly accessWidth = 1;
  reads = 0;
  readPort(): number { return this.reads++ & 0xff; }
  writePort(): void {}
}

describe.skipIf(!toolsFor('rep insb with a timer interrupt', 'nasm'))('a timer interrupt in the middle of a long rep insb', () => {
  it('is delivered between elements, sees the instruction as the return address, and the string resumes where it was', async () => {
    const m = new Machine({
      image: { kind: 'flat', bytes: assemble(TIMER_GUEST), loadAddress: LOAD, entry: LOAD },
      memoryBytes: 4 << 20,
      time: { kind: 'icount', shift: 0 },
      serialOutput: () => {},
    });
    const port = new CountingPort();
    m.devices.bus.register(0x300, 1, port);
    const result = await m.run();
    expect(result.reason.kind, JSON.stringify(result.reason)).toBe('halted'); // the final cli; hlt
    const mem = m.memory;
    const [repInsn, ticksAt, doneEcx, doneEdi, seenEcx, seenEip] = [0, 4, 8, 12, 16, 20].map((o) => mem.read32(LOAD + TABLE + o) >>> 0);
    const ticks = mem.read32(ticksAt!);
    // About COUNT instructions at 1 ns each, a tick every 83.8 us: a dozen interrupts inside the rep.
    expect(ticks).toBeGreaterThanOrEqual(5);
    const caught = Array.from({ length: Math.min(ticks, 64) }, (_, i) => mem.read32(seenEcx! + 4 * i) >>> 0);
    const at = Array.from({ length: Math.min(ticks, 64) }, (_, i) => mem.read32(seenEip! + 4 * i) >>> 0);
    const inside = caught.filter((c) => c > 0 && c < COUNT);
    expect(inside.length).toBeGreaterThanOrEqual(5);
    caught.forEach((c, i) => {
      if (c > 0 && c < COUNT) expect(at[i], `tick ${i} with ECX=${c}`).toBe(repInsn);
      if (i > 0) expect(c).toBeLessThan(caught[i - 1]!);
    });
    // Every element exactly once, in order: no byte skipped or read twice across the interruptions.
    expect(mem.read32(doneEcx!)).toBe(0);
    expect(mem.read32(doneEdi!) >>> 0).toBe(DEST + COUNT);
    expect(port.reads).toBe(COUNT);
    const dest = mem.bytes.subarray(DEST, DEST + COUNT);
    const wrong = dest.findIndex((b, i) => b !== (i & 0xff));
    expect(wrong).toBe(-1);
    expect(m.cpu.icount).toBeGreaterThan(COUNT);
  });
});
