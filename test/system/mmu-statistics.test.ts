/**
 * Shadow and nested paging do different work for the same guest, and the
 * MMU statistics (RunResult.stats.mmu, printed by --stats) must show it:
 * nested paging walks the guest's tables on every TLB miss and has no
 * shadows (so no hidden page faults and no write tracing); shadow paging
 * takes hidden faults to fill its shadows, traces writes to guest page
 * tables, and so walks less. Both report the same guest-visible page
 * faults: that count is the guest's behaviour, not the MMU's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGuestExecutor } from '../../src/exec/guest-executor.js';
import { Machine } from '../../src/machine/machine.js';
import type { MmuKind } from '../../src/mmu/create-mmu.js';
import type { MmuStatistics } from '../../src/mmu/mmu.js';
import { root } from './mmu-run.js';

async function statsOf(kernel: string, mmu: MmuKind, append?: string): Promise<MmuStatistics> {
  let out = '';
  const machine = new Machine({
    image: { kind: 'multiboot', bytes: readFileSync(join(root, kernel)), cmdline: append },
    time: { kind: 'icount', shift: 0 },
    serialOutput: (b) => void (out += String.fromCharCode(b)),
    executor: createGuestExecutor,
    mmu,
  });
  const result = await machine.run();
  expect(out).toBe(readFileSync(join(root, kernel.replace(/\.elf$/, '.expected')), 'latin1'));
  expect(result.stats.mmu).not.toBeNull();
  return result.stats.mmu!;
}

describe('MMU statistics: shadow vs nested on the same guest', () => {
  // paging.elf edits live page tables (traced writes) and takes page faults; exceptions.elf takes a #PF.
  for (const [kernel, append, traced] of [['fixtures/system/paging.elf', undefined, true], ['fixtures/system/exceptions.elf', undefined, false]] as const) {
    it(kernel, async () => {
      const shadow = await statsOf(kernel, 'shadow', append);
      const nested = await statsOf(kernel, 'nested', append);
      expect(nested.hiddenPageFaults).toBe(0);
      expect(nested.tracedWrites).toBe(0);
      expect(shadow.hiddenPageFaults).toBeGreaterThan(0);
      if (traced) expect(shadow.tracedWrites).toBeGreaterThan(0);
      expect(nested.walkAccesses).toBeGreaterThan(shadow.walkAccesses);
      expect(nested.walks).toBeGreaterThan(shadow.walks);
      expect(nested.guestPageFaults).toBe(shadow.guestPageFaults);
      expect(shadow.guestPageFaults).toBeGreaterThan(0);
    }, 60_000);
  }
});
