/**
 * How generated code reaches guest memory when the MMU is in charge
 * (paging on, or a scattered machine map): a MemoryEmitter whose fast path
 * is one software-TLB lookup.
 *
 *   load:  let p = TLBR[a >>> 12];
 *          if (p < 0 || <crosses page>) { p = MMU.fillRead(a, n); if (p === -1) { #PF exit } }
 *          const v = p >= 0 ? <typed-array access at p | (a & 0xfff)> : MMU.slowValue;
 *   store: let p = TLBW[a >>> 12];
 *          if (p < 0 || <crosses page>) { p = MMU.fillWrite(a, n, v, REGION); … }
 *          if (p >= 0) { <typed-array store>; <SMC check on the machine page> }
 *
 * TLBR/TLBW hold the machine offset of each linear page (-1 = miss; see
 * mmu/software-tlb.ts) for supervisor code; code compiled for CPL 3
 * indexes the user half, TLBUR/TLBUW, instead. A region is compiled for one
 * CPL (it is part of the translation mode word, and a region is translated
 * under the mode the CPU is in, so the CPU's CPL while generating is the
 * region's), and the MMU fills the half of the CPL the access runs at: a
 * privilege change flushes nothing, and an entry made for one class is
 * never consulted by code of the other. Everything unusual — a miss, a page crossing, a
 * page without RAM, a store into a write-traced guest page table — goes to
 * the MMU, which either returns the page's machine offset (now cached) or
 * performs the access itself (negative: Translation.Done, value in
 * MMU.slowValue) or reports a page fault (-1: CR2 already written, error
 * code in MMU.fault). A fault runs the block emitter's `faultExit`, which
 * must leave the region with the state as before the instruction and EIP
 * at it; this emitter sets rv/re (#PF and its error code) first, so the
 * region's epilogue raises the exception after write-back.
 *
 * Self-modifying code: the code-page array CP is indexed by *machine* page
 * and SMC receives the machine address (identical to guest-physical
 * without --scatter-memory); stores the MMU performs check the same array.
 *
 * Compact form (`compact`, for kernel regions not yet hot — the translator
 * and modal-memory-access.ts decide): each load and store is a call to one
 * of twelve access functions (paged-access-functions.ts), compiled once per
 * machine from the very text above, and a test of their fault flag. Such
 * code runs in V8's interpreter or baseline tier, where each operation of
 * the inline form is a builtin or inline-cache call: there a call to
 * optimised code is cheaper than the inline text, and the source V8 must
 * compile is a quarter as long. Once a region is hot it is translated again
 * with the inline form, which TurboFan turns into a few machine
 * instructions; calls there cost (sha256 under paging, 1.6x CPU).
 *
 * RAM above 2 GiB (-m up to 3.5 GiB): the TLB's int32 entries then hold
 * negative offsets for the high pages (mmu/software-tlb.ts), so the code
 * above would take them for misses and form negative indices. For such a
 * machine the emitter writes the *wide* form instead: a miss is
 * `p === -1` (the only odd entry), a machine page is `(p & 4095) === 0`
 * (the MMU's other answers are not page-aligned), and the index is
 * `(p | (m & 4095)) >>> 0`. RAM of 2 GiB or less keeps the narrow form
 * above, character for character, so the default machine's translations
 * and their speed are what they were.
 */
import type { MemSize } from '../ir/types.js';
import type { MmuCore } from '../mmu/mmu-core.js';
import type { CodeWriteHook, MemoryBindings, MemoryEmitter } from './memory-access.js';
import { ACCESS_FAULT_FLAG, PagedAccessFunctions, accessFunctionName } from './paged-access-functions.js';

/** Generated code would have nowhere to go on a page fault (a block emitter that passes no faultExit). */
export class MissingFaultExit extends Error {
  override readonly name = 'MissingFaultExit';
  constructor(readonly operation: 'load' | 'store' | 'probe', readonly address: string) {
    super(`paged memory ${operation} at ${address}: the block emitter supplied no fault exit`);
  }
}

/** Machine offsets of RAM this large or larger do not all fit a non-negative int32: the wide form is needed. */
const WIDE_RAM = 0x8000_0000 + 4096;

export class PagedMemoryEmitter implements MemoryEmitter {
  private readonly u16: Uint16Array;
  private readonly i32: Int32Array;
  /** RAM reaches 2 GiB: write the wide form (see above). */
  private readonly wide: boolean;

  constructor(
    private readonly mmu: MmuCore,
    private readonly codePages: Uint8Array,
    private readonly codeWrite: CodeWriteHook,
    /** True while generating code for CPL 3 (default: the CPU's CPL now, which is the region's). */
    private readonly userCode: () => boolean = () => mmu.cpu.cpl === 3,
  ) {
    // Stores the MMU performs (page crossings, traced pages) must watch the same code pages.
    mmu.codeWatch = { codePages, codeWrite };
    const mem = mmu.mem.machine;
    this.u16 = new Uint16Array(mem.bytes.buffer, mem.bytes.byteOffset, mem.size >>> 1);
    this.i32 = new Int32Array(mem.bytes.buffer, mem.bytes.byteOffset, mem.size >>> 2);
    this.wide = mem.size >= WIDE_RAM;
    this.functions = new PagedAccessFunctions(this.inlineBindings(), this);
    this.compact = new CompactPagedEmitter(this, this.functions);
  }

  /** The access functions the compact form calls (compiled once, here). */
  private readonly functions: PagedAccessFunctions;
  /** The same accesses as calls: for code that runs a few times (see the header). */
  readonly compact: MemoryEmitter;

  /** What the inline text refers to. */
  inlineBindings(): MemoryBindings {
    const mem = this.mmu.mem.machine;
    const tlb = this.mmu.tlb;
    return {
      names: ['TLBR', 'TLBW', 'TLBUR', 'TLBUW', 'MMU', 'U8', 'U16', 'I32', 'DV', 'CP', 'SMC'],
      values: [tlb.supervisorRead, tlb.supervisorWrite, tlb.userRead, tlb.userWrite, this.mmu, mem.bytes, this.u16,
        this.i32, mem.view, this.codePages, this.codeWrite],
    };
  }

  /** The inline text's names and the compact form's (one set serves both, so either form runs in any region). */
  bindings(): MemoryBindings {
    const inline = this.inlineBindings(), calls = this.functions.bindings();
    return { names: [...inline.names, ...calls.names], values: [...inline.values, ...calls.values] };
  }

  /** True while generating code for CPL 3: the user half of the TLB. */
  forUser(): boolean {
    return this.userCode();
  }

  load(size: MemSize, dst: string, addr: string, m: string, faultExit?: string): string {
    if (faultExit === undefined) throw new MissingFaultExit('load', addr);
    return this.inlineLoad(size, dst, addr, m, pageFault(faultExit), this.userCode());
  }

  /** The inline load; `onFault` is the statement run on a page fault (CR2 and MMU.fault already set). */
  inlineLoad(size: MemSize, dst: string, addr: string, m: string, onFault: string, user: boolean): string {
    const p = `${m}p`;
    const f = this.form();
    const at = f.index(p, m);
    const access = size === 1 ? `U8[${at}]`
      : size === 2 ? `((${m} & 1) === 0 ? U16[${at} ${f.shift} 1] : DV.getUint16(${at}, true))`
      : `((${m} & 3) === 0 ? I32[${at} ${f.shift} 2] : DV.getInt32(${at}, true))`;
    return [
      `const ${m} = ${addr} | 0;`,
      `let ${p} = ${user ? 'TLBUR' : 'TLBR'}[${m} >>> 12];`,
      `if (${f.miss(p)}${crosses(m, size)}) { ${p} = MMU.fillRead(${m}, ${size}); if (${p} === -1) { ${onFault} } }`,
      `const ${dst} = ${f.page(p)} ? ${access} : MMU.slowValue;`,
    ].join('\n');
  }

  store(size: MemSize, addr: string, value: string, m: string, faultExit?: string): string {
    if (faultExit === undefined) throw new MissingFaultExit('store', addr);
    return this.inlineStore(size, addr, value, m, pageFault(faultExit), this.userCode());
  }

  /** The inline store (ORs 1 into `inv` when it hit translated code); `onFault` as for inlineLoad. */
  inlineStore(size: MemSize, addr: string, value: string, m: string, onFault: string, user: boolean): string {
    const p = `${m}p`, at = `${m}m`;
    const f = this.form();
    const write = size === 1 ? `U8[${at}] = ${value};`
      : size === 2 ? `if ((${at} & 1) === 0) U16[${at} ${f.shift} 1] = ${value}; else DV.setUint16(${at}, ${value}, true);`
      : `if ((${at} & 3) === 0) I32[${at} ${f.shift} 2] = ${value}; else DV.setInt32(${at}, ${value}, true);`;
    return [
      `const ${m} = ${addr} | 0;`,
      `let ${p} = ${user ? 'TLBUW' : 'TLBW'}[${m} >>> 12];`,
      `if (${f.miss(p)}${crosses(m, size)}) { ${p} = MMU.fillWrite(${m}, ${size}, ${value}, REGION); ` +
        `if (${p} === -1) { ${onFault} } else if (${p} === -3) inv = 1; }`,
      `if (${f.page(p)}) { const ${at} = ${f.index(p, m)}; ${write} if (CP[${at} >>> 12] !== 0) inv |= SMC(${at}, ${size}, REGION); }`,
    ].join('\n');
  }

  /**
   * Statements that take the fault exit unless a `size`-byte store at `addr`
   * would succeed — for instructions with several stores, emitted before the
   * first of them. A TLB write hit needs no call.
   */
  probeStore(size: MemSize, addr: string, m: string, faultExit?: string): string {
    if (faultExit === undefined) throw new MissingFaultExit('probe', addr);
    const miss = this.form().miss(`${this.writeArray()}[${m} >>> 12]`);
    return `{ const ${m} = ${addr} | 0; if ((${miss}${crosses(m, size)}) && MMU.probeWrite(${m}, ${size}) === -1) { ${pageFault(faultExit)} } }`;
  }

  private form(): EntryForm {
    return this.wide ? WIDE : NARROW;
  }

  private writeArray(): string {
    return this.userCode() ? 'TLBUW' : 'TLBW';
  }
}

/**
 * The compact form: `const v = LD4S(a); if (FL[0] !== 0) { FL[0] = 0; <#PF exit> }`.
 * Probes (before an instruction's several stores) stay inline: they are rare.
 */
class CompactPagedEmitter implements MemoryEmitter {
  constructor(private readonly inline: PagedMemoryEmitter, private readonly functions: PagedAccessFunctions) {}

  load(size: MemSize, dst: string, addr: string, m: string, faultExit?: string): string {
    if (faultExit === undefined) throw new MissingFaultExit('load', addr);
    const f = accessFunctionName('load', size, this.inline.forUser());
    return `const ${dst} = ${f}(${addr} | 0);\n${faultTest(faultExit)}`;
  }

  store(size: MemSize, addr: string, value: string, m: string, faultExit?: string): string {
    if (faultExit === undefined) throw new MissingFaultExit('store', addr);
    const f = accessFunctionName('store', size, this.inline.forUser());
    return `inv |= ${f}(${addr} | 0, ${value}, REGION);\n${faultTest(faultExit)}`;
  }

  probeStore(size: MemSize, addr: string, m: string, faultExit?: string): string {
    return this.inline.probeStore(size, addr, m, faultExit);
  }

  bindings(): MemoryBindings {
    return this.inline.bindings();
  }
}

function faultTest(faultExit: string): string {
  return `if (${ACCESS_FAULT_FLAG}[0] !== 0) { ${ACCESS_FAULT_FLAG}[0] = 0; ${pageFault(faultExit)} }`;
}

/** How emitted code reads a TLB entry or a fill's answer `p` for address `m`. */
interface EntryForm {
  /** The entry is a miss. */
  miss(p: string): string;
  /** The answer is a machine page offset (not a Translation code). */
  page(p: string): string;
  /** The machine byte index of `m` in page `p`. */
  index(p: string, m: string): string;
  /** The shift turning a byte index into a 16- or 32-bit element index. */
  readonly shift: string;
}

/** RAM below 2 GiB: every offset is a non-negative int32, every other answer negative. */
const NARROW: EntryForm = {
  miss: (p) => `${p} < 0`,
  page: (p) => `${p} >= 0`,
  index: (p, m) => `(${p} | (${m} & 4095))`,
  shift: '>>',
};

/** RAM reaching 2 GiB: offsets from 2 GiB up are negative int32; TLB_MISS is odd, the MMU's codes unaligned. */
const WIDE: EntryForm = {
  miss: (p) => `${p} === -1`,
  page: (p) => `(${p} & 4095) === 0`,
  index: (p, m) => `((${p} | (${m} & 4095)) >>> 0)`,
  shift: '>>>',
};

function crosses(m: string, size: MemSize): string {
  return size === 1 ? '' : ` || (${m} & 4095) > ${4096 - size}`;
}

function pageFault(faultExit: string): string {
  return `rv = 14; re = MMU.fault.errorCode; ${faultExit}`;
}
