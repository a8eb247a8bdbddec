/**
 * The paged MemoryEmitter's generated JavaScript, compiled and run against
 * real MMUs: it must give exactly what the MMU protocol gives (GuestDriver
 * on a twin world) for random accesses over random tables, take the fault
 * exit with #PF's error code in `re` and CR2 written, and report stores
 * into code pages to the SMC hook by machine address.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MissingFaultExit, PagedMemoryEmitter } from '../../src/codegen/paged-memory-access.js';
import { ModalMemoryEmitter } from '../../src/codegen/modal-memory-access.js';
import type { MmuCore } from '../../src/mmu/mmu-core.js';
import { NestedMmu } from '../../src/mmu/nested-mmu.js';
import { ShadowMmu } from '../../src/mmu/shadow-mmu.js';
import type { Outcome } from './guest-driver.js';
import { GuestTables, P, RW, US, pagedCpu } from './guest-tables.js';
import { apply, buildWorld, linearOf, op, setup, type Op, type World } from './random-world.js';

type Access = (addr: number, value: number) => { out: Outcome; inv: number };

/** Compiles one load or store as a function, with the region function's locals around it. */
function compile(mmu: MmuCore, kind: 'load' | 'store', size: 1 | 2 | 4, codePages = new Uint8Array(1024),
  smc: (a: number, n: number, r: unknown) => number = () => 0, user = false, compact = false): Access {
  const inline = new PagedMemoryEmitter(mmu, codePages, smc, () => user);
  const e = compact ? inline.compact : inline;
  const exit = 'break out;';
  const body = kind === 'load' ? e.load(size, 'v', 'addr', 'm0', exit) : e.store(size, 'addr', 'value', 'm0', exit);
  const result = kind === 'load' ? `${size === 4 ? 'v >>> 0' : 'v'}` : '0';
  const src = `return function (addr, value) {
    let rv = -1, re = -1, inv = 0;
    out: { ${body}
      return { out: { kind: 'ok', value: ${result} }, inv };
    }
    return { out: { kind: 'fault', errorCode: re, cr2: cpu.cr2 >>> 0, rv }, inv };
  };`;
  const b = e.bindings();
  return new Function('cpu', 'REGION', ...b.names, src)(mmu.cpu, 'region', ...b.values) as Access;
}

function compiledApply(w: World, fns: Map<string, Access>, o: Op): Outcome | null {
  if (o.kind !== 'access') return apply(w, o);
  const la = (linearOf(o.pdi, o.j) + o.off) >>> 0;
  // Code runs only at the CPL it was compiled for (the CPL is in the mode word).
  const f = fns.get(`${o.write ? 'store' : 'load'}${o.size}${w.cpu.cpl === 3 ? 'u' : 's'}`)!;
  const r = f(la | 0, o.value | 0).out as Outcome & { rv?: number };
  if (r.kind === 'fault') {
    expect(r.rv).toBe(14);
    return { kind: 'fault', errorCode: r.errorCode, cr2: r.cr2 };
  }
  return r;
}

describe.each([
  ['shadow', ShadowMmu, false], ['nested', NestedMmu, false],
  ['shadow, compact form', ShadowMmu, true], ['nested, compact form', NestedMmu, true],
] as const)('PagedMemoryEmitter over %s', (_n, Kind, compact) => {
  it('generated loads and stores match the MMU protocol on random tables and activity', () => {
    fc.assert(
      fc.property(setup, fc.array(op, { minLength: 20, maxLength: 60, size: 'max' }), (s, ops) => {
        const a = buildWorld(s, (cpu, t) => new Kind(cpu, t.mem), 77);
        const b = buildWorld(s, (cpu, t) => new Kind(cpu, t.mem), 77);
        const fns = new Map<string, Access>();
        for (const kind of ['load', 'store'] as const) {
          for (const size of [1, 2, 4] as const) {
            fns.set(`${kind}${size}s`, compile(a.mmu, kind, size, undefined, undefined, false, compact));
            fns.set(`${kind}${size}u`, compile(a.mmu, kind, size, undefined, undefined, true, compact));
          }
        }
        ops.forEach((o, k) => {
          expect({ k, r: compiledApply(a, fns, o) }).toEqual({ k, r: apply(b, o) });
          if (Kind === NestedMmu && (o.kind === 'pte' || o.kind === 'pde')) {
            a.mmu.onCr3Write();
            b.mmu.onCr3Write();
          }
        });
      }),
      { numRuns: 25 },
    );
  });
});

describe('PagedMemoryEmitter', () => {
  function small() {
    const t = new GuestTables(1 << 20, 5);
    const pd = t.allocPage();
    t.map4k(pd, 0x40000000, 0x30000, P | RW | US);
    t.map4k(pd, 0x40001000, 0x31000, P | RW | US);
    const cpu = pagedCpu(pd);
    return { t, cpu, mmu: new ShadowMmu(cpu, t.mem) };
  }

  it.each([['inline', false], ['compact', true]] as const)('reports a store into a code page to SMC with the machine address, also from the MMU slow path (%s form)', (_f, compact) => {
    const { t, mmu } = small();
    const codePages = new Uint8Array(256);
    const machinePage = t.mem.map.toMachine[0x31]!;
    codePages[machinePage] = 1;
    const calls: [number, number, unknown][] = [];
    const store = compile(mmu, 'store', 4, codePages, (a, n, r) => (calls.push([a, n, r]), 1), false, compact);
    expect(store(0x40001010, 5).inv).toBe(1); // TLB miss: the MMU sets D and returns the page; the generated code stores
    expect(store(0x40001010, 6).inv).toBe(1); // hit
    expect(calls).toEqual([[(machinePage << 12) | 0x10, 4, 'region'], [(machinePage << 12) | 0x10, 4, 'region']]);
    calls.length = 0;
    expect(store(0x40000ffe, 0x11223344).inv).toBe(1); // crosses into the code page: MMU performs it
    expect(calls).toEqual([[machinePage << 12, 2, 'region']]);
    expect(t.mem.read32(0x30ffe)).toBe(0x11223344);
  });

  it('sets rv/re and writes CR2 on a fault; the probe faults without storing', () => {
    const { t, cpu, mmu } = small();
    const load = compile(mmu, 'load', 2);
    expect(load(0x40002000, 0).out).toEqual({ kind: 'fault', errorCode: 0, cr2: 0x40002000, rv: 14 });
    expect(cpu.cr2).toBe(0x40002000);
    const e = new PagedMemoryEmitter(mmu, new Uint8Array(0), () => 0);
    const src = `return function (addr) { let rv = -1, re = -1; out: { ${e.probeStore(4, 'addr', 'm0', 'break out;')} return 0; } return re; };`;
    const b = e.bindings();
    const probe = new Function('cpu', 'REGION', ...b.names, src)(cpu, null, ...b.values) as (a: number) => number;
    expect(probe(0x40001ffe)).toBe(2);
    expect(cpu.cr2).toBe(0x40002000);
    expect(probe(0x40000ffe)).toBe(0);
    expect(t.mem.read32(t.pteAddress(cpu.cr3, 0x40000000)) & 0x40).toBe(0); // no D from a probe
    expect(() => e.load(4, 'v', 'a', 'm')).toThrow(MissingFaultExit);
  });

  it('the machine emitter offers calls for paged kernel code only: user code and paging-off code stay inline', () => {
    const { mmu } = small();
    let user = false, paging = true;
    const paged = new PagedMemoryEmitter(mmu, new Uint8Array(0), () => 0, () => user);
    const modal = new ModalMemoryEmitter(paged, paged, () => paging);
    expect(modal.compact.load(4, 'v', 'a', 'm', 'break out;')).toMatch(/= LD4S\(a \| 0\)/);
    user = true;
    expect(modal.compact === modal).toBe(true);
    expect(modal.compact.load(4, 'v', 'a', 'm', 'break out;')).toMatch(/TLBUR\[/);
    user = false; paging = false;
    expect(modal.compact === modal).toBe(true);
  });

  it('compact form: a fault takes the exit once, with the flag cleared for the next access', () => {
    const { cpu, mmu } = small();
    const load = compile(mmu, 'load', 4, undefined, undefined, false, true);
    const store = compile(mmu, 'store', 1, undefined, undefined, false, true);
    expect(load(0x40002ffc, 0).out).toEqual({ kind: 'fault', errorCode: 0, cr2: 0x40002ffc, rv: 14 });
    expect(store(0x40000010, 0x5a).out).toEqual({ kind: 'ok', value: 0 }); // not the previous access's fault
    expect(load(0x40000010, 0).out).toEqual({ kind: 'ok', value: 0x5a });
    expect(store(0x40003000, 1).out).toEqual({ kind: 'fault', errorCode: 2, cr2: 0x40003000, rv: 14 });
    expect(load(0x40000010, 0).out).toEqual({ kind: 'ok', value: 0x5a });
    expect(cpu.cr2).toBe(0x40003000);
  });
});

describe.each([['shadow', ShadowMmu], ['nested', NestedMmu]] as const)('PagedMemoryEmitter over %s, RAM above 2 GiB', (_n, Kind) => {
  // Machine offsets from 2 GiB up are negative in the TLB's int32 entries: the wide form must still hit on them.
  it('hits the TLB for pages from 2 GiB up, reaches their bytes and reports SMC by unsigned machine address', () => {
    const t = new GuestTables(0x8000_4000);
    const pd = t.allocPage();
    t.map4k(pd, 0x40000000, 0x80001000, P | RW | US);
    t.map4k(pd, 0x40001000, 0x80002000, P | RW | US);
    const mmu = new Kind(pagedCpu(pd), t.mem);
    const codePages = new Uint8Array(1 << 20);
    codePages[0x80002] = 1;
    const calls: [number, number][] = [];
    const store = compile(mmu, 'store', 4, codePages, (a, n) => (calls.push([a, n]), 0));
    const load4 = compile(mmu, 'load', 4, codePages), load2 = compile(mmu, 'load', 2, codePages);
    store(0x40000ff0, 0x12345678); // a miss: the MMU sets D and fills both entries
    store(0x40001008, 0x0badf00d);
    const misses = mmu.statistics.tlbMisses;
    store(0x40000ff4, 0x9abcdef0 | 0);
    store(0x40001008, 0x600dcafe);
    expect([load4(0x40000ff0, 0).out, load2(0x40000ff6, 0).out, load4(0x40001008, 0).out]).toEqual([
      { kind: 'ok', value: 0x12345678 }, { kind: 'ok', value: 0x9abc }, { kind: 'ok', value: 0x600dcafe }]);
    expect(mmu.statistics.tlbMisses).toBe(misses);
    expect(calls).toEqual([[0x80002008, 4], [0x80002008, 4]]);
    expect([t.mem.read32(0x80001ff0), t.mem.read32(0x80001ff4), t.mem.read32(0x80002008)]).toEqual([0x12345678, 0x9abcdef0, 0x600dcafe]);
  });
});
