/**
 * The -d item table and --trace-filter syntax (src/cli/debug-items.ts):
 * every accepted spelling, and one-line usage errors for the rest.
 */
import { describe, expect, it } from 'vitest';
import { DEBUG_ITEMS, debugHelp, parseDebugList, parseTraceFilter } from '../../src/cli/debug-items.js';

describe('-d items', () => {
  it('help lists every item on one line of its own', () => {
    const lines = debugHelp().split('\n');
    for (const [name] of DEBUG_ITEMS) expect(lines.filter((l) => l.startsWith(`${name} `))).toHaveLength(1);
    expect(DEBUG_ITEMS.map(([n]) => n)).toEqual(['in_asm', 'ir', 'opt', 'js', 'exec', 'cpu', 'int', 'mmu', 'tc', 'guest_errors', 'unimp', 'nochain']);
  });

  it('parses lists, all and help; rejects unknown items', () => {
    const s = new Set<string>();
    expect(parseDebugList('in_asm,exec', s)).toBeUndefined();
    expect([...s]).toEqual(['in_asm', 'exec']);
    const all = new Set<string>();
    parseDebugList('all', all);
    expect(all.size).toBe(DEBUG_ITEMS.length);
    expect(parseDebugList('int,help', new Set())).toBe('help');
    expect(() => parseDebugList('int,bogus', new Set())).toThrow(/unknown -d item 'bogus'/);
  });
});

describe('--trace-filter', () => {
  it('accepts LO-HI, LO+LEN and single addresses, inclusive at both ends', () => {
    const f = parseTraceFilter('0x100000-0x100fff,0x200000+0x10,4096');
    expect(f.ranges).toEqual([[0x100000, 0x100fff], [0x200000, 0x20000f], [4096, 4096]]);
    for (const a of [0x100000, 0x100fff, 0x200000, 0x20000f, 4096]) expect(f.has(a)).toBe(true);
    for (const a of [0xfffff, 0x101000, 0x200010, 4095, 4097]) expect(f.has(a)).toBe(false);
    expect(f.overlaps(0xff000, 0x100000)).toBe(true);
    expect(f.overlaps(0x101000, 0x1fffff)).toBe(false);
    expect(parseTraceFilter('0xffffff00-0xffffffff').has(0xffffffff)).toBe(true);
  });

  for (const bad of ['', 'x', '0x200-0x100', '0x100+0', '0x1-0x100000000', '0x10-', '-5', '1.5']) {
    it(`rejects '${bad}' with a usage error`, () => {
      expect(() => parseTraceFilter(bad)).toThrow(expect.objectContaining({ name: 'UsageError' }));
    });
  }
});
