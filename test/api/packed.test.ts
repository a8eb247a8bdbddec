/**
 * The package as users get it: `npm pack` holds what they need and nothing
 * else (dist JavaScript and declarations, isa/, docs/, README, LICENSE; no
 * tests, benchmarks or source maps), and `npm install btvm-0.1.0.tgz` into
 * an empty project — offline: its dependencies (moo, ts-pattern) are
 * installed from the repository's node_modules alongside — gives a root import that type-checks (tsc --noEmit,
 * declarations from the exports map) and boots a fixture kernel with its
 * serial output captured and its registers read.
 *
 * Packs the built dist/ (`npm run build`; CI's `npm ci` builds it through
 * `prepare`), built here first when absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'btvm-packed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface PackInfo { filename: string; size: number; unpackedSize: number; files: { path: string }[] }
let pack: PackInfo;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/api/index.d.ts'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const json = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  pack = (JSON.parse(json) as PackInfo[])[0]!;
}, 240_000);

const PROGRAM = `
import { readFileSync } from 'node:fs';
import { Btvm, kernelImage, type Registers } from 'btvm';

const chunks: Uint8Array[] = [];
const vm = new Btvm(kernelImage(readFileSync(process.argv[2]!)), { memory: '16M', serialOutput: (b) => chunks.push(b) });
const result = await vm.run();
const registers: Registers = vm.registers();
// @ts-expect-error the declarations are real: a register that does not exist is a type error
registers.rax;
process.stdout.write(JSON.stringify({ status: result.exitStatus, serial: Buffer.concat(chunks).toString('latin1'), eax: registers.eax, eip: registers.eip }));
`;

describe('the packed package', () => {
  it('holds dist, isa, docs, README and LICENSE, and no tests, benchmarks or maps', () => {
    const paths = pack.files.map((f) => f.path);
    for (const p of ['dist/src/api/index.js', 'dist/src/api/index.d.ts', 'dist/src/cli/bin.js', 'isa/onebyte.isa', 'docs/api.md', 'README.md', 'LICENSE', 'package.json']) {
      expect(paths).toContain(p);
    }
    expect(paths.filter((p) => /^(test|bench|dist\/bench|dist\/test|fixtures|src)\//.test(p) || p.endsWith('.map'))).toEqual([]);
  });

  it('installs offline into an empty project, type-checks and boots a kernel from the root import', () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-btvm', private: true, type: 'module' }));
    // The dependencies from the repository's node_modules, so no registry (nor a filled npm cache) is needed.
    const deps = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies as object).map((d) => join(ROOT, 'node_modules', d));
    execFileSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir, pack.filename), ...deps], { cwd: project, stdio: 'pipe' });
    writeFileSync(join(project, 'main.ts'), PROGRAM);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
        typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'],
      },
      files: ['main.ts'],
    }));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project, stdio: 'pipe' });
    return build({ entryPoints: [join(project, 'main.ts')], outfile: join(project, 'main.mjs'), format: 'esm', platform: 'node', logLevel: 'error' }).then(() => {
      const out = execFileSync(process.execPath, ['main.mjs', join(ROOT, 'fixtures/kernels/hello.elf')], { cwd: project, encoding: 'utf8' });
      const r = JSON.parse(out) as { status: number; serial: string; eax: number; eip: number };
      expect(r.serial).toBe(readFileSync(join(ROOT, 'fixtures/kernels/hello.expected'), 'latin1'));
      expect(r.status).toBe(Number(readFileSync(join(ROOT, 'fixtures/kernels/hello.status'), 'latin1')));
      expect(r.eax).toBe(0);
      expect(r.eip).toBeGreaterThanOrEqual(0x100000);
    });
  }, 60_000);
});
