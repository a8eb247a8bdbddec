/**
 * The folders of src/ depend on each other in one direction (issue 12).
 *
 * The allowed imports of each folder are written once, as the table under
 * "The folders" in docs/architecture.md. This test reads that table and the
 * import statements of every file in src/, and fails when
 *   - a file imports from a folder its folder's row does not list,
 *   - the table itself contains a cycle (so a back-edge cannot be "allowed"),
 *   - a folder of src/ has no row, or a row names no folder,
 *   - a folder's README.md says something else than its row.
 * The cycle finder is also run on the real graph plus a deliberate
 * back-edge, to show it finds one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

type Graph = Map<string, Set<string>>;

/** Rows `| \`name/\` | a, b | … |` of the table under "## The folders". */
function allowedFromDocs(): Graph {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const start = doc.indexOf('## The folders');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const g: Graph = new Map();
  for (const m of section.matchAll(/^\| `([a-z0-9-]+)\/` \| ([^|]*) \|/gm)) {
    const deps = m[2]!.trim();
    g.set(m[1]!, new Set(deps === '—' ? [] : deps.split(',').map((d) => d.trim())));
  }
  return g;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0]!;

/** Folder → folders it imports, with one example file per edge. */
function actualEdges(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const file of tsFiles(SRC)) {
    const from = folderOf(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]!);
      if (!target.startsWith(SRC + '/')) continue;
      const to = folderOf(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      edges.get(from)!.set(to, relative(ROOT, file));
    }
  }
  return edges;
}

/** One cycle of `g` as a path a → … → a, or null. */
export function findCycle(g: Graph): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const m of g.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (state.get(m) === undefined) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of g.keys()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

describe('src/ folder graph', () => {
  const allowed = allowedFromDocs();
  const edges = actualEdges();
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());

  it('lists every folder of src/ in docs/architecture.md, and no other', () => {
    expect([...allowed.keys()].sort()).toEqual([...folders].sort());
  });

  it('has no import that the table does not allow', () => {
    const bad: string[] = [];
    for (const [from, tos] of edges) {
      for (const [to, example] of tos) {
        if (!allowed.get(from)?.has(to)) bad.push(`${from} -> ${to} (e.g. ${example})`);
      }
    }
    expect(bad, 'imports against the direction in docs/architecture.md').toEqual([]);
  });

  it('allows no cycle: the folders read as the pipeline, leaves first', () => {
    expect(findCycle(allowed)).toBeNull();
  });

  it('finds the cycle a deliberate back-edge would make', () => {
    const g: Graph = new Map([...edges].map(([k, v]) => [k, new Set(v.keys())]));
    expect(findCycle(g)).toBeNull();
    g.get('lift')!.add('exec'); // exec imports lift: lift -> exec closes a loop
    expect(findCycle(g)).toEqual(expect.arrayContaining(['lift', 'exec']));
  });

  it("matches each folder's README.md", () => {
    for (const f of folders) {
      const readme = readFileSync(join(SRC, f, 'README.md'), 'utf8');
      const line = /^May import: (.*)\.$/m.exec(readme)?.[1];
      const said = line === 'nothing outside this folder' ? [] : (line ?? '?').split(',').map((s) => s.trim());
      expect(said.sort(), `src/${f}/README.md`).toEqual([...(allowed.get(f) ?? [])].sort());
    }
  });
});
