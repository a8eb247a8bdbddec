/**
 * The `btvm` command as one JavaScript file built from src/ now, for tests
 * that must run it as a process of its own (pipes, pseudo-terminals,
 * signals, host memory). dist/ may be stale; esbuild (vitest's own
 * bundler) turns src/cli/bin.ts into a bundle in a scratch folder under
 * dist/ in well under a second. The folder sits inside the repository so
 * the bundle finds isa/ and node_modules as the real command does.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');

export interface CliBundle {
  /** Path of the bundled main.js: run it with process.execPath. */
  readonly main: string;
  remove(): void;
}

export async function bundleCli(): Promise<CliBundle> {
  const dir = join(ROOT, 'dist', `.cli-bundle-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const main = join(dir, 'main.mjs');
  await build({
    entryPoints: [join(ROOT, 'src', 'cli', 'bin.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: main,
    packages: 'external',
    logLevel: 'error',
  });
  return { main, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
