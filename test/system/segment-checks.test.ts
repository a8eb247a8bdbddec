/**
 * Data-segment limit, rights and null-selector checks, end to end:
 * fixtures/system/segments.elf (a kernel with an LDT of window segments —
 * expand-up, read-only, not present, expand-down with B=1 and B=0, an
 * expand-down stack — probed from ring 3) must print, line for line, what
 * segments_native printed on the host CPU (segments_native.expected: a Linux process doing
 * the same accesses through modify_ldt segments). The host CPU is the
 * oracle, not QEMU: QEMU 7.2's TCG checks descriptors when a segment
 * register is loaded but not the limit or the read-only bit on a data
 * access, nor an access through a null DS, so its transcript
 * (segments.qemu, kept for reference) says "ok" where the silicon faults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runKernel } from './mmu-run.js';

const elf = join(root, 'fixtures/system/segments.elf');
const silicon = readFileSync(join(root, 'fixtures/system/segments_native.expected'), 'latin1');
const qemu = readFileSync(join(root, 'fixtures/system/segments.qemu'), 'latin1');

const run = (args: readonly string[]) => runKernel(elf, args, 10_000_000);

describe('segments.elf: data-segment checks as the host CPU makes them', () => {
  for (const args of [[], ['--mmu', 'shadow'], ['--mmu', 'nested'], ['--singlestep']]) {
    it(`btvm run ${args.join(' ') || '(defaults)'} prints segments_native.expected line for line`, async () => {
      const r = await run(args);
      expect(r.out.split('\n')).toEqual(silicon.split('\n'));
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: '' });
    }, 30_000);
  }

  it('QEMU differs from the silicon exactly on the checks its TCG skips', () => {
    const q = qemu.split('\n'), s = silicon.split('\n');
    expect(q.length).toBe(s.length);
    const differing = s.flatMap((line, i) => (line === q[i] ? [] : [`${line} | qemu: ${q[i]}`]));
    expect(differing).toEqual([
      'rw: read es:[0xffe] (crosses the limit): -> #GP(0) | qemu: rw: read es:[0xffe] (crosses the limit): ok',
      'rw: write es:[0x1000] (past the limit): -> #GP(0) | qemu: rw: write es:[0x1000] (past the limit): ok',
      'ro: write es:[0]: -> #GP(0) | qemu: ro: write es:[0]: ok',
      'window[0] after the refused write = 0 | qemu: window[0] after the refused write = 1',
      'ds=0 (allowed), then read ds:[window]: -> #GP(0) | qemu: ds=0 (allowed), then read ds:[window]: ok',
      'ed: expand-down (limit 0xfff, B=1), read es:[0xfff] (the limit itself): -> #GP(0) | qemu: ed: expand-down (limit 0xfff, B=1), read es:[0xfff] (the limit itself): ok',
      'ed16: read es:[0xfffe] (dword crossing 0xffff): -> #GP(0) | qemu: ed16: read es:[0xfffe] (dword crossing 0xffff): ok',
      'ed16: write es:[0x10000] (beyond 0xffff): -> #GP(0) | qemu: ed16: write es:[0x10000] (beyond 0xffff): ok',
      'ss: expand-down stack (base 0, limit 0xfffff, B=1), read ss:[0x100]: -> #SS(0) | qemu: ss: expand-down stack (base 0, limit 0xfffff, B=1), read ss:[0x100]: ok',
    ]);
  });
});
