/**
 * The build-time table snapshot (src/decoder/isa-snapshot.ts): loading it
 * must give exactly the tables a fresh parse of isa/ gives, and any
 * difference in the isa/ texts, the code or the format must make the loader
 * refuse it (getTables() then parses isa/).
 */
import { describe, expect, it } from 'vitest';
import type { DecoderForm } from '../../src/decoder/form.js';
import { buildTables, findIsaDir, readIsaDir, type IsaTables } from '../../src/decoder/isa-tables.js';
import { makeSnapshot, tablesFromSnapshot, type IsaSnapshot } from '../../src/decoder/isa-snapshot.js';

const sources = readIsaDir(findIsaDir());
const fresh = buildTables(sources);
// Stand-ins for the compiled modules the build would store (their content only has to match).
const code = [{ file: 'isa-parser.js', text: 'parser v1' }, { file: 'isa-tables.js', text: 'tables v1' }];
const stored = (): IsaSnapshot => JSON.parse(JSON.stringify(makeSnapshot(sources, code, fresh))) as IsaSnapshot;
const load = (snap: IsaSnapshot, src = sources, c = code): IsaTables | null => tablesFromSnapshot(snap, src, c, performance.now());

type Slots = readonly (readonly DecoderForm[] | null)[];
const ids = (slots: Slots) => slots.map((l) => (l === null ? null : l.map((f) => f.id)));
const frozenLists = (slots: Slots) => slots.map((l) => (l === null ? null : Object.isFrozen(l)));

describe('isa table snapshot', () => {
  const t = load(stored())!;

  it('loads tables equal to freshly parsed ones', () => {
    expect(t).not.toBeNull();
    expect(t.loadedFrom).toBe('snapshot');
    expect(fresh.loadedFrom).toBe('parsed');
    expect(t.forms.length).toBe(fresh.forms.length);
    expect(t.forms).toEqual(fresh.forms);
    // Same field order (so V8 gives both one hidden class) and the very same operand spec objects.
    expect(t.forms.map((f) => Object.keys(f).join())).toEqual(fresh.forms.map((f) => Object.keys(f).join()));
    t.forms.forEach((f, i) => {
      expect(f.id).toBe(i);
      f.ops.forEach((s, j) => expect(s).toBe(fresh.forms[i]!.ops[j]));
    });
    expect([...t.modrmNeed]).toEqual([...fresh.modrmNeed]);
    expect([...t.vexModrmNeed]).toEqual([...fresh.vexModrmNeed]);
    expect(ids(t.cands)).toEqual(ids(fresh.cands));
    expect(ids(t.vexCands)).toEqual(ids(fresh.vexCands));
    expect(ids(t.fwait)).toEqual(ids(fresh.fwait));
  });

  it('keeps the parsed tables\' structure: shared form objects, frozen where parsing freezes', () => {
    for (const slots of [t.cands, t.vexCands, t.fwait]) {
      for (const l of slots) for (const f of l ?? []) expect(f).toBe(t.forms[f.id]);
    }
    expect(frozenLists(t.cands)).toEqual(frozenLists(fresh.cands));
    expect(frozenLists(t.fwait)).toEqual(frozenLists(fresh.fwait));
    for (const x of [t, t.forms, t.cands, t.vexCands, t.fwait]) expect(Object.isFrozen(x)).toBe(true);
    expect(t.forms.every((f) => Object.isFrozen(f.ops))).toBe(true);
  });

  it('is refused when one isa/ character differs', () => {
    const edited = sources.map((s, i) => (i === 2 ? { file: s.file, text: s.text.replace('\n', ' \n') } : s));
    expect(load(stored(), edited)).toBeNull();
    expect(load(stored(), sources.slice(1))).toBeNull();
    expect(load(stored(), [...sources, { file: 'isa/extra.isa', text: '' }])).toBeNull();
    expect(load(stored(), sources.map((s, i) => (i === 0 ? { file: 'isa/renamed.isa', text: s.text } : s)))).toBeNull();
  });

  it('is refused when the code that made it differs (tsc ran without build-tables)', () => {
    expect(load(stored(), sources, [code[0]!, { file: 'isa-tables.js', text: 'tables v2' }])).toBeNull();
    expect(load(stored(), sources, code.slice(1))).toBeNull();
  });

  it('is refused when its format is foreign or damaged', () => {
    expect(load({ ...stored(), version: 2 })).toBeNull();
    const s = stored();
    expect(load({ ...s, fields: [...s.fields].reverse() })).toBeNull();
    expect(load({ ...s, opLists: s.opLists.map((l) => l.map(() => 'Qz')) })).toBeNull();
    expect(load({ ...s, layout: { ...s.layout, cands: [0, 1, 99999] } })).toBeNull();
    expect(load({ ...s, layout: { ...s.layout, fwait: [1 << 20, 1, 0] } })).toBeNull();
    expect(load({ ...s, count: s.count - 1 })).toBeNull();
    expect(load({ ...s, columns: s.columns.map((c) => c.slice(1)), count: s.count - 1 })).toBeNull(); // ids no longer 0, 1, 2 …
    expect(load({ ...s, columns: s.columns.slice(1) })).toBeNull();
  });
});
