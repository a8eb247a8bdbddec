/**
 * The lifter's structural promises: blocks are verifyBlock-clean (precise
 * exceptions, SSA), blocks end where lifter.ts says, system instructions
 * become the documented emulate calls, 16-bit addressing wraps and picks
 * SS for bp, segment bases appear exactly when segments are not flat, and
 * unreadable code becomes a #PF block.
 */
import { describe, expect, it } from 'vitest';
import { printBlock } from '../../src/ir/print.js';
import type { Block, Op } from '../../src/ir/types.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { ArrayCodeFetcher, type CodeFetcher } from '../../src/lift/code-fetcher.js';
import type { LiftMode } from '../../src/lift/lift-mode.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { assemble } from './native-oracle.js';
import { toolsFor } from '../support/external-tools.js';

const FLAT32: LiftMode = { codeSize: 4, flatSegments: true, mode: 1 };
const SEG32: LiftMode = { codeSize: 4, flatSegments: false, mode: 2 };
const BASE = 0x100000;

function lift(bytes: number[] | Uint8Array, mode: LiftMode = FLAT32, opts = {}): Block {
  const b = liftBlock(new ArrayCodeFetcher(Uint8Array.from(bytes), BASE), BASE, mode, opts);
  expect(verifyBlock(b), printBlock(b)).toEqual([]);
  return b;
}

const opsOf = (b: Block, kind: Op['op']): Op[] => b.ops.filter((o) => o.op === kind);

describe('representative instructions lift to verifyBlock-clean IR', () => {
  // Hand-encoded: add [eax],ebx; sub ax,[bx+si+4] (67 66); push dword [esp+8]; pop dword [esp+4];
  // rol byte [ecx],cl; idiv dword [esi]; cmpxchg8b [edi]; xadd [ebx],ecx; shrd [eax],edx,cl; bt [esi],eax;
  // imul eax,[ebx],0x12345678; daa; aam 0; enter 8,2; pusha; popa; lea ax,[bp+di-2]; movsx ecx,byte [edx]
  const samples: [string, number[]][] = [
    ['add [eax],ebx', [0x01, 0x18]], ['sub ax,[bx+si+4]', [0x67, 0x66, 0x2b, 0x40, 0x04]],
    ['push [esp+8]', [0xff, 0x74, 0x24, 0x08]], ['pop [esp+4]', [0x8f, 0x44, 0x24, 0x04]],
    ['rol byte [ecx],cl', [0xd2, 0x01]], ['idiv dword [esi]', [0xf7, 0x3e]], ['cmpxchg8b [edi]', [0x0f, 0xc7, 0x0f]],
    ['xadd [ebx],ecx', [0x0f, 0xc1, 0x0b]], ['shrd [eax],edx,cl', [0x0f, 0xad, 0x10]], ['bt [esi],eax', [0x0f, 0xa3, 0x06]],
    ['imul eax,[ebx],imm32', [0x69, 0x03, 0x78, 0x56, 0x34, 0x12]], ['daa', [0x27]], ['aam 0', [0xd4, 0x00]],
    ['enter 8,2', [0xc8, 0x08, 0x00, 0x02]], ['pusha', [0x60]], ['popa', [0x61]], ['lea ax,[bp+di-2]', [0x67, 0x66, 0x8d, 0x43, 0xfe]],
    ['movsx ecx,byte [edx]', [0x0f, 0xbe, 0x0a]], ['rcr word [eax],1', [0x66, 0xd1, 0x18]], ['bound eax,[ecx]', [0x62, 0x01]],
    ['xlat', [0xd7]], ['les eax,[ebx]', [0xc4, 0x03]], ['mov ds,ax', [0x8e, 0xd8]], ['in al,dx', [0xec]],
    ['out 0x80,al', [0xe6, 0x80]], ['mov cr0,eax', [0x0f, 0x22, 0xc0]], ['mov eax,cr3', [0x0f, 0x20, 0xd8]],
    ['lgdt [eax]', [0x0f, 0x01, 0x10]], ['pop ds', [0x1f]], ['rep outsb', [0xf3, 0x6e]], ['fld st(1)', [0xd9, 0xc1]],
  ];
  for (const [name, bytes] of samples) {
    it(name, () => {
      lift(bytes);
      lift(bytes, SEG32);
    });
  }
});

describe('block ends', () => {
  it('a jcc ends the block with a branch to target and fallthrough', () => {
    const b = lift([0x39, 0xd8, 0x7c, 0x05, 0x90]); // cmp eax,ebx; jl +5; nop
    expect(b.guestInsns).toBe(2);
    expect(b.exit).toMatchObject({ kind: 'branch', taken: BASE + 9, fallthrough: BASE + 4 });
  });

  it('ret is an indirect exit with the return hint; ret imm16 releases the bytes', () => {
    const b = lift([0xc2, 0x08, 0x00]);
    expect(b.exit).toMatchObject({ kind: 'indirect', hint: 'ret' });
    expect(printBlock(b)).toMatch(/add t\d+, 4\n.*add t\d+, 8\n/s);
  });

  it('maxInsns and single-step cut blocks', () => {
    const nops = new Array(10).fill(0x90);
    expect(lift(nops, FLAT32, { maxInsns: 3 })).toMatchObject({ guestInsns: 3, exit: { kind: 'jump', target: BASE + 3 } });
    expect(lift(nops, FLAT32, { singleStep: true })).toMatchObject({ guestInsns: 1, exit: { kind: 'dispatch', next: BASE + 1 } });
  });

  it('a block does not run onto the next 4 KiB page', () => {
    const code = new Uint8Array(0x2000).fill(0x90);
    const b = liftBlock(new ArrayCodeFetcher(code, 0x1000), 0x1ffe, FLAT32);
    expect(b).toMatchObject({ guestInsns: 2, exit: { kind: 'jump', target: 0x2000 } });
  });

  it('mode-changing emulates end the block with dispatch next; others do not', () => {
    const b = lift([0x0f, 0x22, 0xc0, 0x90]); // mov cr0,eax; nop
    expect(b.guestInsns).toBe(1);
    expect(b.exit).toEqual({ kind: 'dispatch', next: BASE + 3 });
    const c = lift([0xe6, 0x80, 0x90]); // out 0x80,al; nop
    expect(c.guestInsns).toBe(2);
    for (const bytes of [[0xfb], [0xf4], [0x9d], [0x8e, 0xd0], [0xcd, 0x80], [0xcf], [0xea, 0, 0, 0, 0, 8, 0]]) {
      expect(lift([...bytes, 0x90]).exit.kind, bytes.join(',')).toBe('dispatch');
    }
  });

  it('a rep string instruction is a block of its own that loops on itself', () => {
    const before = lift([0x90, 0xf3, 0xa4]);
    expect(before).toMatchObject({ guestInsns: 1, exit: { kind: 'jump', target: BASE + 1 } });
    const b = liftBlock(new ArrayCodeFetcher(Uint8Array.from([0xf3, 0xa4, 0x90]), BASE), BASE, FLAT32);
    expect(verifyBlock(b)).toEqual([]);
    expect(b.guestInsns).toBe(1);
    expect(b.ops[2]).toMatchObject({ op: 'binary', name: 'eq' });
    expect(opsOf(b, 'exitIf')).toEqual([expect.objectContaining({ target: BASE + 2 })]);
    expect(b.exit).toMatchObject({ kind: 'branch', taken: BASE, fallthrough: BASE + 2 });
  });

  it('unreadable code: the first instruction becomes raise #14, a later one ends the block before it', () => {
    const none: CodeFetcher = { read: () => 0 };
    const b = liftBlock(none, BASE, FLAT32);
    expect(verifyBlock(b)).toEqual([]);
    expect(opsOf(b, 'raise')).toEqual([{ op: 'raise', vector: 14, errorCode: null, cond: null }]);
    const partial = lift([0x90, 0x05, 0x01]); // nop; add eax,imm32 cut short
    expect(partial).toMatchObject({ guestInsns: 1, exit: { kind: 'jump', target: BASE + 1 } });
  });

  it('undefined and over-long encodings raise #UD and #GP(0)', () => {
    expect(opsOf(lift([0x0f, 0x0b]), 'raise')).toEqual([expect.objectContaining({ vector: 6, cond: null })]);
    expect(opsOf(lift([0xf0, 0x90]), 'raise')).toEqual([expect.objectContaining({ vector: 6 })]);
    expect(opsOf(lift(new Array(16).fill(0x66)), 'raise')).toEqual([expect.objectContaining({ vector: 13, errorCode: 0 })]);
  });
});

describe('addressing and segments', () => {
  it('16-bit addressing wraps the offset and uses SS for bp', () => {
    const text = printBlock(lift([0x67, 0x8b, 0x46, 0xfe], SEG32)); // mov eax,[bp-2]
    expect(text).toMatch(/and t\d+, 0xffff/);
    expect(text).toContain('ss.base');
    expect(printBlock(lift([0x67, 0x8b, 0x07], SEG32))).toContain('ds.base'); // mov eax,[bx]
  });

  it('flat segments emit no segment base, other modes add it explicitly', () => {
    expect(printBlock(lift([0x8b, 0x03]))).not.toContain('.base');
    expect(printBlock(lift([0x64, 0x8b, 0x03], SEG32))).toContain('fs.base');
  });

  it('pop [esp+4] addresses with the incremented ESP', () => {
    const b = lift([0x8f, 0x44, 0x24, 0x04]);
    const text = printBlock(b);
    // the load is at esp, the store at (esp + 4) + 4
    expect(text).toMatch(/t(\d+) = add t0, 4\n {2}t\d+ = add t\1, 4\n {2}store32/);
  });
});

describe('system instructions call the VMM with the documented arguments', () => {
  const emulates = (bytes: number[]) => opsOf(lift(bytes), 'emulate').map((o) => (o.op === 'emulate' ? o : null));
  it('in/out/mov cr/loadSeg/far jmp/int', () => {
    expect(emulates([0xe4, 0x60])[0]).toMatchObject({ routine: 'in', args: [{ kind: 'tmp' }, { value: 1 }] });
    expect(emulates([0x0f, 0x22, 0xd8])[0]).toMatchObject({ routine: 'movToCr', args: [{ value: 3 }, { kind: 'tmp' }] });
    expect(emulates([0xea, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00])[0]).toMatchObject({
      routine: 'farJmp', args: [{ value: 8 }, { value: 0x12345678 }, { value: 4 }],
    });
    expect(emulates([0xcd, 0x80])[0]).toMatchObject({ routine: 'int', args: [{ value: 0x80 }, { value: 0 }] });
    // mov and pop ds may continue the block (c=1: the VMM leaves only if the mode word changed); pop ds also has
    // the VMM release its 4 (or, with 66, 2) stack bytes; pop ss may not continue.
    expect(emulates([0x8e, 0xd8])[0]).toMatchObject({ routine: 'loadSeg', args: [{ value: 3 }, { kind: 'tmp' }, { value: 1 }] });
    expect(emulates([0x1f])[0]).toMatchObject({ routine: 'loadSeg', args: [{ value: 3 }, { kind: 'tmp' }, { value: 0x401 }] });
    expect(emulates([0x66, 0x07])[0]).toMatchObject({ routine: 'loadSeg', args: [{ value: 0 }, { kind: 'tmp' }, { value: 0x201 }] });
    expect(emulates([0x17])[0]).toMatchObject({ routine: 'loadSeg', args: [{ value: 2 }, { kind: 'tmp' }] });
  });

  it('mov and pop to DS/ES/FS/GS go on in the block; mov ss, pop ss and lds end it', () => {
    expect(lift([0x8e, 0xd8, 0x8e, 0xc0, 0x90])).toMatchObject({ guestInsns: 3, exit: { kind: 'jump' } }); // mov ds; mov es; nop
    expect(lift([0x1f, 0x07, 0x0f, 0xa1, 0x0f, 0xa9, 0x90])).toMatchObject({ guestInsns: 5, exit: { kind: 'jump' } }); // pop ds/es/fs/gs; nop
    expect(lift([0x8e, 0xd0, 0x90]).exit.kind).toBe('dispatch'); // mov ss
    expect(lift([0x17, 0x90]).exit.kind).toBe('dispatch'); // pop ss
    expect(lift([0xc5, 0x06, 0x90]).exit.kind).toBe('dispatch'); // lds eax, [esi]
  });
});

// Only nasm is needed here (the lifted block is checked, not run on the host).
describe.skipIf(!toolsFor('nasm-assembled 16-bit code', 'nasm'))('nasm-assembled 16-bit code lifts clean', () => {
  it('a 16-bit sequence', () => {
    const [code] = assemble(['bits 16; push bp; mov bp, sp; mov ax, [bp+4]; add ax, [si+bx]; rep stosw; call 0x10; retf 2']);
    const mode: LiftMode = { codeSize: 2, flatSegments: false, mode: 3 };
    let at = 0;
    while (at < code!.length) {
      const b = liftBlock(new ArrayCodeFetcher(code!, 0), at, mode);
      expect(verifyBlock(b), printBlock(b)).toEqual([]);
      at += b.guestLength;
    }
  });
});
