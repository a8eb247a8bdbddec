/**
 * Cold start of the decoder tables, measured the way the CLI meets it: a
 * fresh node process that has started its ES module loader (as the CLI has,
 * by the time it needs tables — a trivial module is imported first) imports
 * isa-tables.js and calls getTables(). The time including the loader's own
 * start is reported too.
 *
 * The current src/decoder/*.ts is compiled (TypeScript's transpileModule)
 * into a scratch directory under dist/, where the build step
 * (build-tables.js) writes its snapshot — so the test measures this
 * checkout's code, never a stale dist/. The requirement (< 30 ms) is
 * reported, not asserted: speed is measured in bench/ (decode.bench.ts
 * prints cold-load medians), since a timed assertion fails on a busy
 * machine. What the test asserts is that the CLI path really loads from the
 * snapshot. CPU time (process.cpuUsage) is printed beside wall time: on a
 * shared box the wall time of the same run triples while the work does not.
 * It also checks that the snapshot and the parse fallback decode the same
 * bytes identically.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRATCH = join(ROOT, 'dist', `.cold-start-test-${process.pid}`);
const OUT = join(SCRATCH, 'src', 'decoder');
const TARGET_MS = 30;

function compileDecoder(): void {
  mkdirSync(OUT, { recursive: true });
  const dir = join(ROOT, 'src', 'decoder');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const js = ts.transpileModule(readFileSync(join(dir, f), 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
      fileName: f,
    }).outputText;
    writeFileSync(join(OUT, f.replace(/\.ts$/, '.js')), js);
  }
}

/** Run an ES module snippet in a fresh node; its last stdout line is JSON. */
function child(code: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

const tablesUrl = () => pathToFileURL(join(OUT, 'isa-tables.js')).href;
const coldLoad = () => child(`
  const t00 = performance.now();
  await import(${JSON.stringify(pathToFileURL(join(SCRATCH, 'warm.js')).href)});
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const m = await import(${JSON.stringify(tablesUrl())});
  const t = m.getTables();
  const t1 = performance.now();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ ms: t1 - t0, cpuMs: (c.user + c.system) / 1000, withLoader: t1 - t00, loadedFrom: t.loadedFrom, forms: t.forms.length }));`);

/** A digest of decoding libc's first MiB and 256 KiB of fixed pseudo-random bytes, in a fresh process. */
const decodeDigest = () => child(`
  import { createHash } from 'node:crypto';
  import { existsSync, readFileSync } from 'node:fs';
  const { decode } = await import(${JSON.stringify(pathToFileURL(join(OUT, 'decode.js')).href)});
  const { getTables } = await import(${JSON.stringify(tablesUrl())});
  const h = createHash('sha256');
  let seed = 7;
  const rnd = new Uint8Array(1 << 18).map(() => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
  const libc = '/usr/lib32/libc.so.6';
  let n = 0;
  for (const bytes of [rnd, existsSync(libc) ? new Uint8Array(readFileSync(libc)).subarray(0, 1 << 20) : rnd]) {
    for (let off = 0; off < bytes.length; n++) {
      const i = decode(bytes, off, off);
      h.update(JSON.stringify([i.length, i.status, i.mnemonic, i.form && i.form.id, i.operands, i.rep, i.modrm, i.sib]));
      off += i.length > 0 ? i.length : 1;
    }
  }
  console.log(JSON.stringify({ digest: h.digest('hex'), n, loadedFrom: getTables().loadedFrom }));`);

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

describe('decoder tables at cold start', () => {
  beforeAll(() => {
    compileDecoder();
    writeFileSync(join(SCRATCH, 'warm.js'), 'export {};\n');
    execFileSync(process.execPath, [join(OUT, 'build-tables.js')], { encoding: 'utf8' });
  }, 60_000);
  afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

  it(`load from the build's snapshot in a fresh process (time reported; target < ${TARGET_MS} ms)`, () => {
    expect(existsSync(join(OUT, 'isa-tables.snapshot.json'))).toBe(true);
    const runs = [coldLoad(), coldLoad(), coldLoad(), coldLoad(), coldLoad()];
    for (const r of runs) expect(r).toMatchObject({ loadedFrom: 'snapshot' });
    const list = (k: string) => runs.map((r) => (r[k] as number).toFixed(1)).join(', ');
    const cpu = median(runs.map((r) => r.cpuMs as number));
    const wall = median(runs.map((r) => r.ms as number));
    const withLoader = median(runs.map((r) => r.withLoader as number));
    console.log(`cold import + getTables from snapshot (median of 5, target < ${TARGET_MS} ms): CPU ${cpu.toFixed(1)} ms [${list('cpuMs')}], ` +
      `wall ${wall.toFixed(1)} ms [${list('ms')}], wall counting the ES module loader's start ${withLoader.toFixed(1)} ms`);
  });

  it('decode the same with snapshot tables and parsed tables', () => {
    const fromSnapshot = decodeDigest();
    rmSync(join(OUT, 'isa-tables.snapshot.json'));
    const parsed = coldLoad();
    expect(parsed.loadedFrom).toBe('parsed');
    console.log(`cold import + getTables by parsing isa/ (no snapshot): ${(parsed.ms as number).toFixed(1)} ms`);
    const fromParse = decodeDigest();
    expect(fromSnapshot.loadedFrom).toBe('snapshot');
    expect(fromParse.loadedFrom).toBe('parsed');
    expect(fromSnapshot.n).toBeGreaterThan(100_000);
    expect(fromParse).toEqual({ ...fromSnapshot, loadedFrom: 'parsed' });
  });
});
