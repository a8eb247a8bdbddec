/**
 * The VMM's own stack frames against SS's limit (src/vmm/stack.ts and its
 * callers in far-transfers.ts and exceptions.ts), where the host CPU cannot
 * be asked from ring 3 (test/system/code-limit.test.ts covers what it can:
 * lcall, lret, iret, pushf, popf at CPL 3). These rest on the SDM alone
 * (vol. 2 CALL, INT n and IRET pseudo-code; vol. 3 §6.12): a frame that
 * does not fit on the inner stack of a privilege change is #SS(new SS
 * selector), with nothing pushed and the caller's state as it was; on the
 * current stack #SS(0); the fit is decided for the whole frame, expand-up
 * or expand-down, 16- or 32-bit, before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { SEG_CS, SEG_SS } from '../../src/state/state.js';
import { GuestFault } from '../../src/vmm/fault.js';
import { pushFrame, readFrame, segmentRangeOk, type StackSegment } from '../../src/vmm/stack.js';
import { FREE_SLOT, KCODE, TSS, TestGuest, UCODE, UDATA, USTACK, gateDesc, handlerOf, segDesc } from './guest-builder.js';

const SS_VECTOR = 12;
const SMALL_STACK = FREE_SLOT + 8; // a ring-0 data segment of limit 0x1f, byte granular

/** A guest whose TSS ring-0 stack is SMALL_STACK:esp0. */
function guestWithSmallInnerStack(esp0: number): TestGuest {
  const g = new TestGuest();
  g.setDesc(SMALL_STACK, segDesc(0x6000, 0x1f, 0x92, 0x4));
  g.phys.write32(TSS + 4, esp0);
  g.phys.write16(TSS + 8, SMALL_STACK);
  return g;
}

describe('inner stack of a privilege change (SDM only)', () => {
  it('call gate with 4 parameters, 28 bytes of room for a 32-byte frame: #SS(new SS), caller unchanged', () => {
    const g = guestWithSmallInnerStack(0x1c);
    g.setDesc(FREE_SLOT, gateDesc(KCODE, 0x7000, 0xc, 3, true, 4));
    g.enterRing(3);
    g.cpu.eip = 0x4000;
    g.cpu.regs[4] = USTACK - 16;
    g.emulate('farCall', FREE_SLOT | 3, 0, 4, 0x4007);
    // The #SS itself (24 bytes with its error code) fits: delivered from the lcall, with CS:EIP and ESP as they were.
    expect([g.cpu.eip, g.cpu.cpl, g.cpu.segSel[SEG_SS], g.cpu.regs[4]]).toEqual([handlerOf(SS_VECTOR), 0, SMALL_STACK, 0x1c - 24]);
    const frame: number[] = [];
    for (let i = 0; i < 6; i++) frame.push(g.phys.read32(0x6000 + 0x1c - 24 + 4 * i));
    expect(frame).toEqual([SMALL_STACK, 0x4000, UCODE, 0x2, USTACK - 16, UDATA]);
  });

  it('the same call with room for the frame goes through', () => {
    const g = guestWithSmallInnerStack(0x20);
    g.setDesc(FREE_SLOT, gateDesc(KCODE, 0x7000, 0xc, 3, true, 4));
    g.enterRing(3);
    g.cpu.regs[4] = USTACK - 16;
    g.emulate('farCall', FREE_SLOT | 3, 0, 4, 0x4007);
    expect([g.cpu.eip, g.cpu.segSel[SEG_CS], g.cpu.regs[4]]).toEqual([0x7000, KCODE, 0]);
  });

  it('int 0x80 from ring 3 with 16 bytes of room for its 20-byte frame: #SS(new SS), which cannot be delivered either', () => {
    const g = guestWithSmallInnerStack(0x10);
    g.enterRing(3);
    g.cpu.eip = 0x4000;
    g.emulate('int', 0x80, 0, 0, 0x4002);
    // #SS(0x38) from the int; its own delivery and then #DF's need the same stack: the last one, raised while
    // delivering an exception, carries EXT (bit 0).
    // The chain: int 0x80's #SS(new SS), the #DF its delivery raised, and that #DF's own #SS (EXT set).
    expect(g.core.end).toEqual({ kind: 'triple-fault',
      detail: `#SS(0x${(SMALL_STACK | 1).toString(16)}) while delivering #DF at eip=0x4000 (exceptions: #SS(0x${(SMALL_STACK & ~3).toString(16)}) -> #DF(0x0) -> #SS(0x${(SMALL_STACK | 1).toString(16)}))` });
  });
});

describe('pushFrame and readFrame decide the whole frame first (SDM §5.3 rule as plain arithmetic)', () => {
  const DATA_RW = 0x9200, EXPAND_DOWN = 0x400, DB = 0x400000;
  function sdmFits(first: number, length: number, limit: number, expandDown: boolean, big: boolean): boolean {
    const last = first + length - 1;
    if (!expandDown) return last <= limit;
    return first > limit && last <= (big ? 0xffffffff : 0xffff);
  }
  const segments: { limit: number; expandDown: boolean; big: boolean }[] = [
    { limit: 0xfff, expandDown: false, big: true },
    { limit: 0xfff, expandDown: true, big: true },
    { limit: 0xfff, expandDown: true, big: false },
    { limit: 0xfff, expandDown: false, big: false },
  ];

  it('a frame that does not fit throws #SS(code) and writes nothing; one that fits is written whole', () => {
    let checked = 0;
    for (const s of segments) {
      const seg: StackSegment = { base: 0x10000, limit: s.limit, attr: DATA_RW | (s.expandDown ? EXPAND_DOWN : 0) | (s.big ? DB : 0) };
      for (const esp of [0, 4, 8, 12, 0xffc, 0x1000, 0x1004, 0x100c, 0x10000, 0x10004]) {
        const g = new TestGuest();
        const mask = s.big ? 0xffffffff : 0xffff;
        const newSp = ((esp - 12) & mask) >>> 0;
        const fits = sdmFits(newSp, 12, s.limit, s.expandDown, s.big);
        expect(segmentRangeOk(seg, newSp, 12)).toBe(fits);
        const before = g.phys.bytes.slice(0x10000, 0x30000);
        let fault: unknown = null;
        try {
          pushFrame(g.core, seg, esp, s.big, [1, 2, 3], 3, 4, 0x38);
        } catch (e) {
          fault = e;
        }
        if (fits) {
          expect(fault).toBeNull();
          expect(readFrame(g.core, seg, newSp, s.big, 3, 4, 0)).toEqual([3, 2, 1]);
        } else {
          expect(fault).toBeInstanceOf(GuestFault);
          expect(fault).toMatchObject({ vector: SS_VECTOR, errorCode: 0x38 });
          expect(g.phys.bytes.slice(0x10000, 0x30000)).toEqual(before);
          expect(() => readFrame(g.core, seg, newSp, s.big, 3, 4, 0)).toThrow(GuestFault);
        }
        checked++;
      }
    }
    expect(checked).toBe(40);
  });
});
