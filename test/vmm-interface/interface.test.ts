/**
 * The routine numbering generated code and the monitor agree on
 * (src/vmm-interface/interface.ts), held to its documented contract: the
 * "VMM routines" table of docs/ir.md names every routine translated code may
 * call, and each must have exactly one index that leads back to it, or an
 * emulate call would run the wrong routine (or none).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VmmRoutine } from '../../src/ir/types.js';
import { routineIndex, VMM_ROUTINES } from '../../src/vmm-interface/interface.js';

/** Routine names in the first column of docs/ir.md's "VMM routines" table. */
function documentedRoutines(): VmmRoutine[] {
  const doc = readFileSync(new URL('../../docs/ir.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## VMM routines'), doc.indexOf('\n## ', doc.indexOf('## VMM routines') + 1));
  const names: string[] = [];
  for (const row of section.split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(row)?.[1];
    if (first === undefined || first === 'Routine') continue;
    for (const m of first.matchAll(/`([A-Za-z0-9]+)`/g)) names.push(m[1]!);
  }
  return names as VmmRoutine[];
}

describe('VMM routine numbering', () => {
  const documented = documentedRoutines();

  it('numbers exactly the routines docs/ir.md documents', () => {
    expect(documented.length).toBeGreaterThan(40);
    expect([...VMM_ROUTINES].sort()).toEqual([...documented].sort());
  });

  it('gives every routine one index, which names it back', () => {
    const seen = new Set<number>();
    for (const name of documented) {
      const i = routineIndex(name);
      expect(i, name).toBeGreaterThanOrEqual(0);
      expect(VMM_ROUTINES[i], name).toBe(name);
      seen.add(i);
    }
    expect(seen.size).toBe(documented.length);
  });
});
