/**
 * Regions that make no access through GS run under every GS class
 * (src/state/mode.ts gsSharedMode): Linux keeps a user's TLS selector or
 * the null selector in GS while in the kernel, and each kernel region used
 * to be translated once per class. A guest alternates GS between a flat
 * data selector and the null selector around calls into a 24-block routine
 * that never touches GS, which calls a routine that reads [gs:…] — a #GP
 * under the null selector, counted by the guest's handler.
 *
 * What must hold: every null-GS read faults (a region compiled while GS was
 * open never runs while it is null, whether found by lookup or reached by a
 * chain link from a shared region), and the GS-free routine is translated
 * once for both classes: the alternating run translates only a few regions
 * more than the same guest with GS open throughout (the reading routine,
 * the handler), not the routine's 24 blocks again.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/assembler/index.js';
import { Machine } from '../../src/machine/machine.js';

const LOAD = 0x100000;
const ROUNDS = 50;
const BLOCKS = 24;

/** What both guests start with: flat segments, and a #GP handler (in TABLES) in the IDT. */
const HEAD = `
bits 32
org ${LOAD}
    lgdt [gdtr]
    jmp 0x08:start
start:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov ss, ax
    mov esp, 0x90000
    mov eax, on_gp
    mov [idt + 13 * 8], ax
    mov word [idt + 13 * 8 + 2], 0x08
    mov word [idt + 13 * 8 + 4], 0x8E00
    shr eax, 16
    mov [idt + 13 * 8 + 6], ax
    lidt [idtr]
    xor esi, esi
`;

/** The #GP handler (ESI counts; it skips the 6-byte mov eax, [gs:0x2000]) and the descriptor tables but the IDT itself. */
const TABLES = `
on_gp:
    inc esi
    add dword [esp + 4], 6
    add esp, 4                  ; the error code
    iret
gdtr:
    dw 23
    dd gdt
idtr:
    dw 256 * 8 - 1
    dd idt
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
`;

const IDT = `
align 8
idt:
    times 256 * 8 db 0
`;

/** The guest; `nullGs` selects what GS holds in the second half of each round. */
function guest(nullGs: boolean): Uint8Array {
  const work: string[] = [];
  for (let i = 0; i < BLOCKS; i++) work.push(`    add edx, ${i + 1}`, `    test edx, ${1 << (i % 8)}`, `    jz w${i}`, `    inc edi`, `w${i}:`);
  const source = `${HEAD}
    xor ebx, ebx
round:
    mov ax, 0x10
    mov gs, ax
    call work
    mov ax, ${nullGs ? 0 : 0x10}
    mov gs, ax
    call work
    inc ebx
    cmp ebx, ${ROUNDS}
    jb round
    hlt
work:
    mov edx, 0x5a5a5a5a         ; the same path through the blocks on every call
${work.join('\n')}
    call far_page
    ret
${TABLES}
    times 0x1000 - ($ - $$) db 0
far_page:                       ; on the next page, so never in work's regions
    mov eax, [gs:0x2000]
    ret
${IDT}`;
  return assemble(source, { file: 'gs-shared.s' }).bytes;
}

/** Runs a guest to its hlt; ESI is the handler's #GP count. */
async function runGuest(image: Uint8Array): Promise<{ m: Machine; stats: Readonly<Record<string, number>> }> {
  const m = new Machine({
    image: { kind: 'flat', bytes: image, loadAddress: LOAD, entry: LOAD },
    memoryBytes: 4 << 20,
    time: { kind: 'icount', shift: 0 },
    maxInsns: 1_000_000,
    serialOutput: () => {},
  });
  const result = await m.run();
  expect(result.reason.kind).toBe('halted');
  return { m, stats: result.stats.executor };
}

async function run(nullGs: boolean): Promise<{ faults: number; translations: number; gsShared: number }> {
  const { m, stats } = await runGuest(guest(nullGs));
  expect(m.cpu.regs[3]).toBe(ROUNDS);
  return { faults: m.cpu.regs[6]!, translations: stats.translations!, gsShared: stats.gsShared! };
}

/**
 * A tier-0 region whose one block makes no GS access is shared; its
 * promotion (at the 32nd run) takes in a successor that reads [gs:…] and
 * ran once while GS was open. The promotion happens while GS is null, and
 * the whole region must check GS as the null selector requires: ESI counts
 * the #GP of the read that follows it.
 */
const PROMOTION_GUEST = `${HEAD}
    mov ax, 0x10
    mov gs, ax
    mov ebp, 1
    call entry                  ; GS open: the read runs and gets its own tier-0 translation
    xor eax, eax
    mov gs, ax
    xor ebp, ebp
    mov ebx, 40
again:
    call entry                  ; GS null, read skipped: the entry is promoted on the way
    dec ebx
    jnz again
    mov ebp, 1
    call entry                  ; the read, in the promoted region: #GP
    hlt
entry:
    test ebp, 1
    jz skip
    mov eax, [gs:0x2000]
skip:
    ret
${TABLES}${IDT}`;

describe('regions without GS accesses are shared by every GS class', () => {
  it('a shared region promoted while GS is null checks GS in the blocks it takes in', async () => {
    const { m, stats } = await runGuest(assemble(PROMOTION_GUEST, { file: 'gs-promotion.s' }).bytes);
    expect(stats.promotions).toBeGreaterThan(0);
    expect(m.cpu.regs[6]).toBe(1);
  });

  it('a read through a null GS faults every time, after the same code ran with GS open', async () => {
    expect((await run(true)).faults).toBe(ROUNDS);
    expect((await run(false)).faults).toBe(0);
  });

  it('the GS-free routine is translated once for both classes', async () => {
    const alternating = await run(true), open = await run(false);
    // Measured: 10 more (the reading routine and the handler); with every region keyed by GS's class, 39 more.
    expect(alternating.translations - open.translations, `${alternating.translations} vs ${open.translations}`).toBeLessThan(BLOCKS);
    // --stats' "shared by GS classes": every translation but those of the reading routine.
    expect(alternating.gsShared).toBeGreaterThan(BLOCKS);
    expect(alternating.gsShared).toBeLessThan(alternating.translations);
  });
});
