/**
 * Code fetch and near branch targets against CS's limit (src/lift/context.ts
 * checkFetch/checkBranchTarget; the mode word's code-limit field,
 * src/state/code-limit.ts):
 *
 *  - a flat CS (4 GiB): no mode bit and not one IR op more, so flat guests'
 *    translations are what they were;
 *  - a limited CS: the compiled code, run by the real codegen for CS
 *    limits around every instruction end and branch target, against the
 *    SDM's rule (vol. 3 §5.3 and the JMP/Jcc/CALL/RET pseudo-code) written
 *    here as plain arithmetic: an instruction runs only if its last byte is
 *    within the limit; a near transfer whose target is beyond it raises
 *    #GP(0) at the transfer, before it pushes or pops anything. Both forms:
 *    a translation per limit with the limit interned in the mode word
 *    (decided at translation time), and the dynamic field's single
 *    translation that reads the limit and serves every limit.
 * The host CPU confirms the same rules end to end: test/system/code-limit.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CODE_LIMIT_DYNAMIC, codeLimitOfField } from '../../src/state/code-limit.js';
import {
  MODE_CODE32, MODE_CODE_LIMIT, MODE_CODE_LIMIT_SHIFT, MODE_FLAT, MODE_PROTECTED, MODE_STACK32, codeLimitFieldOf, describeMode, modeOf,
} from '../../src/state/mode.js';
import { dataAccessFault } from '../../src/state/segment-access.js';
import { CpuState, SEG_CS } from '../../src/state/state.js';
import { printBlock } from '../../src/ir/print.js';
import type { Block } from '../../src/ir/types.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { optimize } from '../../src/passes/pipeline.js';
import { TestMachine } from '../codegen/harness.js';

const BASE = 0x1000;
const GP = 13;
const P = 0x8000, S = 0x1000, DB = 0x400000;
const DATA_RW = P | S | 0x200, CODE_RX = P | S | 0xa00, CODE_X = P | S | 0x800;

/** Flat ring-0 segments except CS: limit and attributes given. */
function cpuWithCs(limit: number, attr = CODE_RX | DB, cpu = new CpuState()): CpuState {
  cpu.cr0 = 0x11;
  cpu.segLimit.fill(0xffffffff);
  cpu.segAttr.fill(DATA_RW | DB);
  cpu.segLimit[SEG_CS] = limit >>> 0;
  cpu.segAttr[SEG_CS] = attr;
  return cpu;
}

function lift(bytes: number[], mode: number): Block {
  const b = liftBlock(new ArrayCodeFetcher(Uint8Array.from(bytes), BASE), BASE, { codeSize: 4, flatSegments: true, mode });
  expect(verifyBlock(b), printBlock(b)).toEqual([]);
  return b;
}

const JMP_FAR_AHEAD = [0xe9, 0x00, 0x01, 0x00, 0x00]; // jmp BASE+0x105
const CALL_AHEAD = [0xe8, 0x00, 0x01, 0x00, 0x00];
const RET = [0xc3];
const JZ_AHEAD = [0x0f, 0x84, 0x00, 0x01, 0x00, 0x00]; // jz BASE+0x106
const JMP_EAX = [0xff, 0xe0];

describe('the mode word and CS window', () => {
  it('a flat CS has code-limit field 0; a CS below 4 GiB an interned limit, with first + span = limit + 1', () => {
    expect(modeOf(cpuWithCs(0xffffffff)) & MODE_CODE_LIMIT).toBe(0);
    const cpu = cpuWithCs(0xfff);
    const mode = modeOf(cpu);
    expect(codeLimitOfField(codeLimitFieldOf(mode))).toBe(0xfff);
    expect(describeMode(mode)).toContain('cslimit=0xfff');
    expect(codeLimitFieldOf(modeOf(cpuWithCs(0xfff)))).toBe(codeLimitFieldOf(mode)); // one index per limit
    expect(codeLimitFieldOf(modeOf(cpuWithCs(0x1fff)))).not.toBe(codeLimitFieldOf(mode));
    expect((cpu.segFirst[SEG_CS]! + cpu.segSpan[SEG_CS]!) >>> 0).toBe(0x1000);
  });

  it('execute-only CS: fetch window limit + 1, yet no data access through CS fits', () => {
    const cpu = cpuWithCs(0xfff, CODE_X | DB);
    expect(codeLimitOfField(codeLimitFieldOf(modeOf(cpu)))).toBe(0xfff);
    expect((cpu.segFirst[SEG_CS]! + cpu.segSpan[SEG_CS]!) >>> 0).toBe(0x1000);
    expect(dataAccessFault(cpu, SEG_CS, 0, 1, false)).toBe(GP);
    expect(modeOf(cpuWithCs(0xffffffff, CODE_X | DB)) & MODE_CODE_LIMIT).toBe(0);
  });

  it('caches never filled (CS attributes 0) check nothing, as for data segments', () => {
    expect(modeOf(cpuWithCs(0xfff, 0)) & MODE_CODE_LIMIT).toBe(0);
  });
});

describe('flat CS: the IR is exactly what it was', () => {
  const mode = modeOf(cpuWithCs(0xffffffff));
  for (const [name, bytes] of [['jmp', JMP_FAR_AHEAD], ['call', CALL_AHEAD], ['ret', RET], ['jz', JZ_AHEAD], ['jmp *eax', JMP_EAX]] as const) {
    it(`${name}: no read of cs.first or cs.span, no raise`, () => {
      const text = printBlock(lift([...bytes], mode));
      expect(text).not.toMatch(/cs\.(first|span)|raise/);
    });
  }
});

describe('limited CS: compiled checks against the SDM at every edge', () => {
  const PM32 = MODE_CODE32 | MODE_STACK32 | MODE_PROTECTED | MODE_FLAT;

  /**
   * Runs `bytes` under CS limits around `edges`, both as a translation per
   * limit (interned in the mode word) and as one dynamic translation,
   * optimised and not; `want(limit)` is the SDM's answer.
   */
  function sweep(bytes: number[], edges: number[], setup: (cpu: CpuState, machine: TestMachine) => void,
    want: (limit: number) => { eip: number } | null, after?: (cpu: CpuState, faulted: boolean) => void): number {
    let checked = 0;
    const DYNAMIC = CODE_LIMIT_DYNAMIC << MODE_CODE_LIMIT_SHIFT;
    for (const form of ['interned', 'dynamic'] as const) {
      for (const optimised of [false, true]) {
        const machine = new TestMachine();
        const cpu = cpuWithCs(0xfff, CODE_RX | DB, machine.cpu);
        const compile = (): ReturnType<TestMachine['compile']>['region'] => {
          const field = codeLimitFieldOf(modeOf(cpu));
          expect(field === 0 || field === CODE_LIMIT_DYNAMIC).toBe(false);
          const mode = PM32 | (form === 'dynamic' ? DYNAMIC : field << MODE_CODE_LIMIT_SHIFT);
          const block = lift(bytes, mode);
          return machine.compile([optimised ? optimize(block) : block]).region;
        };
        const once = form === 'dynamic' ? compile() : null;
        for (const edge of edges) {
          for (const limit of [edge - 2, edge - 1, edge, edge + 1, edge + 2]) {
            cpuWithCs(limit, CODE_RX | DB, cpu);
            const region = once ?? compile();
            modeOf(cpu);
            setup(cpu, machine);
            cpu.eip = BASE;
            machine.monitor.raises.length = 0;
            region.run();
            const w = want(limit);
            const label = `limit ${limit.toString(16)}, ${form}, ${optimised ? 'optimised' : 'as lifted'}`;
            expect(machine.monitor.raises, label).toEqual(w === null ? [] : [{ vector: GP, errorCode: 0, eip: w.eip }]);
            after?.(cpu, w !== null);
            checked++;
          }
        }
      }
    }
    return checked;
  }

  it('straight-line: the instruction whose bytes reach beyond the limit faults; those before it ran', () => {
    // nop; mov eax, 0x12345678; inc ecx; jmp $+0x100 (its target is checked too)
    const bytes = [0x90, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x41, ...JMP_FAR_AHEAD];
    const ends = [BASE + 1, BASE + 6, BASE + 7, BASE + 12];
    const target = BASE + 12 + 0x100;
    const n = sweep(bytes, [...ends.map((e) => e - 1), target], (cpu) => {
      cpu.regs[0] = 0;
      cpu.regs[1] = 0;
    }, (limit) => {
      const starts = [BASE, BASE + 1, BASE + 6, BASE + 7];
      for (let i = 0; i < ends.length; i++) if (ends[i]! - 1 > limit) return { eip: starts[i]! };
      return target > limit ? { eip: BASE + 7 } : null;
    }, (cpu) => {
      const lim = cpu.segLimit[SEG_CS]!;
      expect(cpu.regs[0], `mov ran iff its bytes fit (limit ${lim.toString(16)})`).toBe(BASE + 5 <= lim ? 0x12345678 : 0);
      expect(cpu.regs[1]).toBe(BASE + 6 <= lim ? 1 : 0);
    });
    expect(n).toBeGreaterThan(80);
  });

  it('call beyond the limit: #GP(0) at the call, nothing pushed', () => {
    const target = BASE + 5 + 0x100;
    sweep(CALL_AHEAD, [target], (cpu) => {
      cpu.regs[4] = 0x8000;
    }, (limit) => (target > limit ? { eip: BASE } : null), (cpu, faulted) => {
      expect(cpu.regs[4]).toBe(faulted ? 0x8000 : 0x7ffc);
    });
  });

  it('ret to beyond the limit: #GP(0) at the ret, ESP not moved', () => {
    const target = BASE + 0x200;
    sweep(RET, [target], (cpu, machine) => {
      cpu.regs[4] = 0x8000;
      machine.mem.write32(0x8000, target);
    }, (limit) => (target > limit ? { eip: BASE } : null), (cpu, faulted) => {
      expect(cpu.regs[4]).toBe(faulted ? 0x8000 : 0x8004);
    });
  });

  it('jz: only a taken branch checks its target', () => {
    const target = BASE + 6 + 0x100;
    for (const zf of [0, 1]) {
      sweep(JZ_AHEAD, [target], (cpu) => {
        cpu.ccOp = 0; // explicit flags
        cpu.ccRes = zf << 6;
      }, (limit) => (zf === 1 && target > limit ? { eip: BASE } : null));
    }
  });

  it('jmp *eax: the computed target against the limit', () => {
    for (const t of [BASE + 0x80, 0xffffffff]) {
      sweep(JMP_EAX, [BASE + 0x80], (cpu) => {
        cpu.regs[0] = t | 0;
      }, (limit) => (t > limit ? { eip: BASE } : null));
    }
  });
});
