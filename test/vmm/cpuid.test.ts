import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuidLeaf } from '../../src/state/cpu-model.js';
import { TestGuest } from './guest-builder.js';

/** QEMU's answers, printed by test/system/kernels/cpuid.asm under qemu-system-i386 (default CPU qemu32). */
const transcript = readFileSync(new URL('../system/kernels/cpuid.expected', import.meta.url), 'latin1');

describe('cpuid', () => {
  const lines = transcript.trim().split('\n');
  it('the QEMU transcript has every leaf the probe prints', () => expect(lines.length).toBe(19));
  for (const line of lines) {
    const [, leaf, sub, ...regs] = /^(\w{8})\/(\w{8}): (\w{8}) (\w{8}) (\w{8}) (\w{8})$/.exec(line)!;
    it(`leaf ${leaf}/${sub} matches qemu32`, () => {
      expect(cpuidLeaf(parseInt(leaf!, 16), parseInt(sub!, 16)).map((v) => (v >>> 0).toString(16).padStart(8, '0'))).toEqual(regs);
    });
  }

  it('the routine reads EAX/ECX and writes EAX EBX ECX EDX, also in ring 3', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.cpu.regs[0] = 0;
    g.emulate('cpuid');
    const text = String.fromCharCode(...[3, 2, 1].flatMap((r) => [0, 8, 16, 24].map((s) => (g.cpu.regs[r]! >>> s) & 0xff)));
    expect(text).toBe('GenuineIntel');
    expect(g.cpu.regs[0]).toBe(4);
  });
});
