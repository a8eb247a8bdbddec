/**
 * CPU models (-cpu): each advertises only what btvm executes, modifiers
 * work as QEMU spells them, and the monitor's cpuid answers from the model.
 */
import { describe, expect, it } from 'vitest';
import { cpuidLeaf } from '../../src/state/cpu-model.js';
import { CpuModelError, DEFAULT_CPU_MODEL, FEATURES, parseCpuModel } from '../../src/state/cpu-features.js';
import { TestGuest } from '../vmm/guest-builder.js';

const bit = (name: string): number => 1 << FEATURES.get(name)!.bit;

describe('CPU models', () => {
  it('the default model is qemu32: QEMU\'s CPUID without PAE, which btvm does not execute, with MMX FXSR SSE SSE2 SSE3', () => {
    expect(DEFAULT_CPU_MODEL).toBe('qemu32');
    const m = parseCpuModel(DEFAULT_CPU_MODEL);
    const q = cpuidLeaf(1, 0);
    expect(m.cpuid(1, 0)).toEqual([q[0], q[1], q[2] | 0, (q[3] & ~bit('pae')) | 0]);
    for (const f of ['mmx', 'fxsr', 'sse', 'sse2', 'sse3', 'fpu', 'cmov']) expect(m.has(f), f).toBe(true);
    for (const f of ['pae', 'ssse3', 'clflush']) expect(m.has(f), f).toBe(false);
  });

  it('btvm32 is qemu32 without the SIMD extensions (MMX FXSR SSE SSE2 SSE3) and PAE', () => {
    const m = parseCpuModel('btvm32');
    const q = cpuidLeaf(1, 0);
    const gone = ['mmx', 'fxsr', 'sse', 'sse2', 'pae'].reduce((a, n) => a | bit(n), 0);
    expect(m.cpuid(1, 0)).toEqual([q[0], q[1], (q[2] & ~bit('sse3')) | 0, (q[3] & ~gone) | 0]);
    for (const f of ['fpu', 'tsc', 'cx8', 'cmov', 'sep', 'apic', 'pge']) expect(m.has(f), f).toBe(true);
    for (const f of ['mmx', 'sse', 'sse2', 'sse3', 'fxsr', 'pae', 'popcnt', 'movbe']) expect(m.has(f), f).toBe(false);
    // Leaves other than 1 are qemu32's.
    expect(m.cpuid(0, 0)).toEqual(cpuidLeaf(0, 0));
    expect(m.cpuid(0x80000002, 0)).toEqual(cpuidLeaf(0x80000002, 0));
  });

  it('every model advertises only executed features', () => {
    for (const spec of ['btvm32', 'btvm32,-cmov', 'btvm32,+popcnt', 'btvm32,movbe=on', 'btvm32,cx8=off']) {
      const m = parseCpuModel(spec);
      for (const [name, f] of FEATURES) if (!f.executed) expect(m.has(name), `${spec}: ${name}`).toBe(false);
    }
    expect(parseCpuModel('btvm32,-cmov').has('cmov')).toBe(false);
    expect(parseCpuModel('btvm32,+popcnt').has('popcnt')).toBe(true);
    expect(parseCpuModel('btvm32,cx8=off').has('cx8')).toBe(false);
  });

  it('refuses models and features it cannot honour, in one line naming them', () => {
    expect(() => parseCpuModel('qemu32,+pae')).toThrow(/advertises pae, which btvm does not execute/);
    expect(() => parseCpuModel('btvm32,+ssse3,+sse4.1')).toThrow(/advertises ssse3, sse4.1, which btvm does not execute/);
    expect(() => parseCpuModel('btvm32,+pae')).toThrow(CpuModelError);
    expect(() => parseCpuModel('pentium9')).toThrow(/unknown CPU model 'pentium9'/);
    expect(() => parseCpuModel('btvm32,+frobnicate')).toThrow(/unknown CPU feature 'frobnicate'/);
    expect(() => parseCpuModel('btvm32,+cmov=on')).toThrow(/bad -cpu feature/);
    expect(() => parseCpuModel('btvm32,__proto__')).toThrow(CpuModelError);
    expect(() => parseCpuModel('__proto__')).toThrow(/unknown CPU model/);
    expect(() => parseCpuModel('btvm32,constructor')).toThrow(/unknown CPU feature 'constructor'/);
    // qemu32 without the SIMD extensions is btvm32.
    expect(parseCpuModel('qemu32,-mmx,-fxsr,-sse,-sse2,-sse3').cpuid(1, 0)).toEqual(parseCpuModel('btvm32').cpuid(1, 0));
  });

  it("the cpuid routine answers from the CPU's model", () => {
    const g = new TestGuest();
    g.cpu.model = parseCpuModel('btvm32,-cmov');
    g.cpu.regs[0] = 1;
    g.emulate('cpuid');
    expect(g.cpu.regs[2]! & bit('cmov')).toBe(0);
    expect(g.cpu.regs[2]! & bit('fpu')).toBe(bit('fpu'));
    g.cpu.model = parseCpuModel('btvm32');
    g.cpu.regs[0] = 1;
    g.emulate('cpuid');
    expect(g.cpu.regs[2]! & bit('cmov')).toBe(bit('cmov'));
  });
});
