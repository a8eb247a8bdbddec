/**
 * The segment checks the lifter emits (src/lift/context.ts `linear`, classes
 * and windows from src/state/segment-access.ts):
 *
 *  - flat segments: no check at all, the IR exactly as with no class bits;
 *  - writes through read-only classes (a flat CS, read-only data): #GP(0);
 *  - limited segments: the window compare, compiled by the real codegen and
 *    run for offsets around every edge, against the SDM's rule (vol. 3
 *    §5.3) written here as plain integer arithmetic: expand-up allows
 *    offset..offset+n-1 ≤ limit; expand-down allows limit < offset and
 *    offset+n-1 ≤ 0xFFFF (B=0) or 0xFFFFFFFF (B=1); faults through SS are
 *    #SS(0), through the others #GP(0), with EIP at the instruction and the
 *    store not done.
 */
import { describe, expect, it } from 'vitest';
import { MODE_CODE32, MODE_FLAT, MODE_PROTECTED, MODE_SEG_SHIFT, MODE_STACK32, modeOf } from '../../src/state/mode.js';
import { SEG_OPEN, SEG_OPEN_READ_ONLY, SEG_WINDOW, SEG_WINDOW_READ_ONLY, segmentAccessField } from '../../src/state/segment-access.js';
import { CpuState, SEG_CS, SEG_DS, SEG_ES, SEG_SS } from '../../src/state/state.js';
import { printBlock } from '../../src/ir/print.js';
import type { Block } from '../../src/ir/types.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { optimize } from '../../src/passes/pipeline.js';
import { TestMachine } from '../codegen/harness.js';

const BASE = 0x1000;
const PM32 = MODE_CODE32 | MODE_STACK32 | MODE_PROTECTED;
const GP = 13, SS = 12;

// Access rights as CpuState.segAttr keeps them (descriptor bits 8–23).
const P = 0x8000, S = 0x1000, DB = 0x400000;
const DATA_RW = P | S | 0x200, DATA_RO = P | S, CODE_RX = P | S | 0xa00, CODE_X = P | S | 0x800;
const EXPAND_DOWN = 0x400;

function lift(bytes: number[], mode: number, flat = true): Block {
  const b = liftBlock(new ArrayCodeFetcher(Uint8Array.from(bytes), BASE), BASE, { codeSize: 4, flatSegments: flat, mode }, { maxInsns: 1 });
  expect(verifyBlock(b), printBlock(b)).toEqual([]);
  return b;
}

/** A CPU whose segments are flat ring-0 ones except `seg` (limit and attributes given, base 0). */
function cpuWith(seg: number, limit: number, attr: number): CpuState {
  const cpu = new CpuState();
  cpu.segLimit.fill(0xffffffff);
  cpu.segAttr.fill(DATA_RW | DB);
  cpu.segAttr[SEG_CS] = CODE_RX | DB;
  cpu.segLimit[seg] = limit >>> 0;
  cpu.segAttr[seg] = attr;
  return cpu;
}

const classOf = (field: number, seg: number): number => (field >>> (2 * seg)) & 3;

describe('access classes from the descriptor caches', () => {
  it('a flat protected-mode guest: data segments open, CS open for reads only', () => {
    const field = segmentAccessField(cpuWith(SEG_DS, 0xffffffff, DATA_RW | DB));
    expect([0, 1, 2, 3, 4, 5].map((s) => classOf(field, s))).toEqual([SEG_OPEN, SEG_OPEN_READ_ONLY, SEG_OPEN, SEG_OPEN, SEG_OPEN, SEG_OPEN]);
  });

  it('limited, read-only, null, execute-only and never-filled caches', () => {
    expect(classOf(segmentAccessField(cpuWith(SEG_ES, 0xfff, DATA_RW | DB)), SEG_ES)).toBe(SEG_WINDOW);
    expect(classOf(segmentAccessField(cpuWith(SEG_ES, 0xfff, DATA_RO | DB)), SEG_ES)).toBe(SEG_WINDOW_READ_ONLY);
    expect(classOf(segmentAccessField(cpuWith(SEG_ES, 0xffffffff, DATA_RO | DB)), SEG_ES)).toBe(SEG_OPEN_READ_ONLY);
    const nul = cpuWith(SEG_DS, 0xffffffff, 0); // mov ds, 0 leaves attr 0
    expect(classOf(segmentAccessField(nul), SEG_DS)).toBe(SEG_WINDOW_READ_ONLY);
    expect(nul.segSpan[SEG_DS]).toBe(0);
    const xonly = cpuWith(SEG_DS, 0xffffffff, CODE_X | DB);
    expect(classOf(segmentAccessField(xonly), SEG_DS)).toBe(SEG_WINDOW_READ_ONLY);
    expect(xonly.segSpan[SEG_DS]).toBe(0);
    expect(segmentAccessField(new CpuState())).toBe(0); // a loader that filled no cache: nothing checked, as before
  });

  it('real mode: every segment writable, only the limit counts', () => {
    const cpu = cpuWith(SEG_CS, 0xffff, CODE_RX);
    cpu.cr0 = 0;
    const field = segmentAccessField(cpu);
    expect(classOf(field, SEG_CS)).toBe(SEG_WINDOW);
    expect([cpu.segFirst[SEG_CS], cpu.segSpan[SEG_CS]]).toEqual([0, 0x10000]);
  });

  it('modeOf carries the classes; describe names them', () => {
    const cpu = cpuWith(SEG_ES, 0xfff, DATA_RO | DB);
    expect((modeOf(cpu) >>> MODE_SEG_SHIFT) & 0xfff).toBe(segmentAccessField(cpu));
  });
});

describe('what the lifter emits', () => {
  const flatField = segmentAccessField(cpuWith(SEG_DS, 0xffffffff, DATA_RW | DB));
  const flatMode = PM32 | MODE_FLAT | (flatField << MODE_SEG_SHIFT);
  const samples: [string, number[]][] = [
    ['mov eax,[ebx]', [0x8b, 0x03]], ['add [ebx],eax', [0x01, 0x03]], ['push dword [ebx]', [0xff, 0x33]],
    ['pop dword [ebx]', [0x8f, 0x03]], ['movsd', [0xa5]], ['rep stosb', [0xf3, 0xaa]], ['cmpxchg8b [edi]', [0x0f, 0xc7, 0x0f]],
    ['bts [esi],eax', [0x0f, 0xab, 0x06]], ['enter 8,2', [0xc8, 0x08, 0x00, 0x02]], ['xlat', [0xd7]], ['lgdt [eax]', [0x0f, 0x01, 0x10]],
  ];

  it.each(samples)('flat: %s lifts exactly as with no class bits (no window, no raise)', (_, bytes) => {
    const withClasses = printBlock(lift(bytes, flatMode)).replace(/mode=0x[0-9a-f]+/, '');
    const plain = printBlock(lift(bytes, PM32 | MODE_FLAT)).replace(/mode=0x[0-9a-f]+/, '');
    expect(withClasses).toBe(plain);
    expect(withClasses).not.toMatch(/\.first|\.span|raise/);
  });

  it('flat: a store through a CS override is #GP(0), a load through it is free', () => {
    const store = lift([0x2e, 0x89, 0x03], flatMode); // mov cs:[ebx],eax
    expect(store.ops.find((o) => o.op === 'raise')).toMatchObject({ vector: GP, errorCode: 0, cond: { kind: 'const', value: 1 } });
    const opt = optimize(store);
    expect(opt.ops.some((o) => o.op === 'store')).toBe(false); // const-fold ends the block at the certain fault
    expect(printBlock(lift([0x2e, 0x8b, 0x03], flatMode))).not.toContain('raise');
  });

  it('a limited DS: one window compare per access; read-modify-write checks once', () => {
    const mode = PM32 | MODE_FLAT | (segmentAccessField(cpuWith(SEG_DS, 0xfff, DATA_RW | DB)) << MODE_SEG_SHIFT);
    const text = printBlock(lift([0x01, 0x03], mode)); // add [ebx],eax
    expect(text.match(/raise/g)).toHaveLength(1);
    expect(text).toContain('get ds.first');
    expect(text).toContain('get ds.span');
    expect(text).not.toContain('ss.');
  });

  it('through SS the fault is #SS(0): [ebp], push, pop', () => {
    const mode = PM32 | MODE_FLAT | (segmentAccessField(cpuWith(SEG_SS, 0xffff, DATA_RW | DB)) << MODE_SEG_SHIFT);
    for (const bytes of [[0x8b, 0x45, 0x00], [0x50], [0x58]]) {
      const raises = lift(bytes, mode).ops.filter((o) => o.op === 'raise');
      expect(raises).toEqual([expect.objectContaining({ vector: SS, errorCode: 0 })]);
    }
  });

  it('invlpg names an address without a check', () => {
    const mode = PM32 | MODE_FLAT | (segmentAccessField(cpuWith(SEG_DS, 0, 0)) << MODE_SEG_SHIFT);
    expect(printBlock(lift([0x0f, 0x01, 0x38], mode))).not.toContain('raise'); // invlpg [eax]
  });
});

/** The SDM's rule in plain integers (no 32-bit wrap): may `n` bytes at `off` be accessed? */
function sdmAllows(off: number, n: number, limit: number, expandDown: boolean, big: boolean): boolean {
  const last = off + n - 1;
  if (!expandDown) return last <= limit;
  return off > limit && last <= (big ? 0xffffffff : 0xffff);
}

interface Segment { readonly limit: number; readonly expandDown: boolean; readonly big: boolean }

const SEGMENTS: Segment[] = [
  ...[0, 1, 2, 3, 0xfff, 0xffff, 0xfffff, 0xffffefff].map((limit) => ({ limit, expandDown: false, big: true })),
  ...[0, 0xfff, 0xfffe, 0xffff, 0x1ffff].map((limit) => ({ limit, expandDown: true, big: false })),
  ...[0, 0xfff, 0xfffffffd, 0xfffffffe, 0xffffffff].map((limit) => ({ limit, expandDown: true, big: true })),
];

function offsetsAround(s: Segment): number[] {
  const edges = [0, s.limit, s.limit + 1, 0xffff, 0x10000, 0xffffffff, 0x7fffffff];
  const out = new Set<number>();
  for (const e of edges) for (let d = -5; d <= 5; d++) out.add(((e + d) >>> 0));
  return [...out];
}

describe('the compiled window check agrees with the SDM rule', () => {
  // mov al,[ebx] / mov ax,[ebx] / mov eax,[ebx] / mov [ebx],eax through DS; mov eax,[ebp] through SS.
  const accesses: { name: string; bytes: number[]; size: number; seg: number; vector: number }[] = [
    { name: 'read 1', bytes: [0x8a, 0x03], size: 1, seg: SEG_DS, vector: GP },
    { name: 'read 2', bytes: [0x66, 0x8b, 0x03], size: 2, seg: SEG_DS, vector: GP },
    { name: 'read 4', bytes: [0x8b, 0x03], size: 4, seg: SEG_DS, vector: GP },
    { name: 'write 4', bytes: [0x89, 0x03], size: 4, seg: SEG_DS, vector: GP },
    { name: 'cmpxchg8b (8 bytes)', bytes: [0x0f, 0xc7, 0x0b], size: 8, seg: SEG_DS, vector: GP },
    { name: 'ss read 4', bytes: [0x8b, 0x45, 0x00], size: 4, seg: SEG_SS, vector: SS },
  ];

  for (const a of accesses) {
    it(`${a.name}, expand-up and expand-down, B=0 and B=1, optimised and not`, () => {
      let checked = 0;
      for (const optimised of [false, true]) {
        const machine = new TestMachine();
        const cpu = machine.cpu;
        cpu.segLimit.fill(0xffffffff);
        cpu.segAttr.fill(DATA_RW | DB);
        cpu.segAttr[SEG_CS] = CODE_RX | DB;
        cpu.segAttr[a.seg] = DATA_RW | DB; // a windowed class, whatever the window: compile once
        cpu.segLimit[a.seg] = 0xfff;
        const mode = PM32 | MODE_FLAT | (segmentAccessField(cpu) << MODE_SEG_SHIFT);
        const block = lift(a.bytes, mode);
        const { region } = machine.compile([optimised ? optimize(block) : block]);
        for (const s of SEGMENTS) {
          cpu.segLimit[a.seg] = s.limit >>> 0;
          cpu.segAttr[a.seg] = DATA_RW | (s.expandDown ? EXPAND_DOWN : 0) | (s.big ? DB : 0);
          segmentAccessField(cpu);
          for (const off of offsetsAround(s)) {
            cpu.regs[3] = off | 0; // ebx
            cpu.regs[5] = off | 0; // ebp
            cpu.regs[1] = 0; cpu.regs[0] = 1; cpu.regs[2] = 1; // cmpxchg8b: not equal, so it stores back what it read
            cpu.eip = BASE;
            machine.monitor.raises.length = 0;
            region.run();
            const allowed = sdmAllows(off, a.size, s.limit, s.expandDown, s.big);
            const want = allowed ? [] : [{ vector: a.vector, errorCode: 0, eip: BASE }];
            expect(machine.monitor.raises, `${a.name} at ${off.toString(16)}, ${JSON.stringify(s)}`).toEqual(want);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(500);
    });
  }

  it('a refused write leaves memory and registers as they were', () => {
    const machine = new TestMachine();
    const cpu = machine.cpu;
    cpu.segLimit.fill(0xffffffff);
    cpu.segAttr.fill(DATA_RW | DB);
    cpu.segAttr[SEG_CS] = CODE_RX | DB;
    cpu.segAttr[SEG_ES] = DATA_RO | DB;
    cpu.segLimit[SEG_ES] = 0xfff;
    const mode = PM32 | MODE_FLAT | (segmentAccessField(cpu) << MODE_SEG_SHIFT);
    const { region } = machine.compile([lift([0xab], mode)]); // stosd: es:[edi] = eax, edi += 4
    cpu.regs[0] = 0x11223344;
    cpu.regs[7] = 0x100;
    cpu.eip = BASE;
    region.run();
    expect(machine.monitor.raises).toEqual([{ vector: GP, errorCode: 0, eip: BASE }]);
    expect(machine.mem.read32(0x100)).toBe(0);
    expect(cpu.regs[7]).toBe(0x100);
  });
});
