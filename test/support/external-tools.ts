/**
 * The external programs the tests use as oracles or builders (nasm, objdump,
 * QEMU, gdb, …): whether each is installed, found once per process by
 * searching PATH, and the one line a suite prints when it skips for lack of
 * one, naming the Debian package to install.
 *
 * Every suite that needs such a tool asks here (`toolsFor`) rather than
 * spawning it and failing with ENOENT, so `npm test` on a fresh machine
 * passes with one skip line per suite. When BTVM_MISSING_TOOLS names a file,
 * each of these skips is also appended there: .ci/run installs every tool
 * and fails if the file is non-empty after the run. Skips that are the
 * host's nature (a PVM guest cannot run i386 programs: host-i386.ts) are not
 * recorded, because no package fixes them.
 */
import { accessSync, appendFileSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Tool → the Debian package that installs it (.ci/run's apt list). */
const DEBIAN_PACKAGE = {
  nasm: 'nasm',
  objdump: 'binutils',
  ld: 'binutils',
  readelf: 'binutils',
  strip: 'binutils',
  gcc: 'gcc-multilib',
  'qemu-system-i386': 'qemu-system-x86',
  gdb: 'gdb',
  python3: 'python3',
} as const;

export type ExternalTool = keyof typeof DEBIAN_PACKAGE;

/** The environment variable naming the file where missing-tool skips are recorded (for .ci/run). */
export const MISSING_TOOLS_ENV = 'BTVM_MISSING_TOOLS';

const found = new Map<ExternalTool, boolean>();

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Whether `tool` is an executable on PATH (looked up once per process). */
export function haveTool(tool: ExternalTool): boolean {
  let have = found.get(tool);
  if (have === undefined) found.set(tool, (have = onPath(tool)));
  return have;
}

/** The Debian packages providing `tools`, each once, in order. */
export function debianPackages(tools: readonly ExternalTool[]): string[] {
  return [...new Set(tools.map((t) => DEBIAN_PACKAGE[t]))];
}

/**
 * Whether the suite `what` can run. When a tool is missing, prints one line
 * (`WHAT skipped: install the Debian package(s) P (missing: tool)`), records
 * it for .ci/run, and returns false: the caller skips (describe.skipIf).
 */
export function toolsFor(what: string, ...tools: ExternalTool[]): boolean {
  const missing = tools.filter((t) => !haveTool(t));
  if (missing.length === 0) return true;
  const packages = debianPackages(missing);
  const line = `${what} skipped: install the Debian package${packages.length > 1 ? 's' : ''} ${packages.join(' ')} (missing: ${missing.join(', ')})`;
  console.log(line);
  const record = process.env[MISSING_TOOLS_ENV];
  if (record !== undefined && record !== '') appendFileSync(record, line + '\n');
  return false;
}
