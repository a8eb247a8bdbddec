/**
 * The peers a guest benchmark runs under, each as "how to start it on one
 * kernel" plus "is it installed here, and if not, how to get it".
 *
 * Every peer runs the very same guest code: btvm, qemu-system-i386 (TCG) and
 * v86 boot the same Multiboot kernel; native runs the same C source built as
 * a static i386 Linux program. A peer that is missing is skipped with the
 * command that would install it, never silently; native is skipped on hosts
 * whose kernel refuses i386 programs (nothing to install there: the twins are
 * whole i386 libc programs, which no 64-bit wrapper can run).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath, runsI386Programs } from '../command-line.js';

export interface BenchGuest {
  readonly name: string;
  /** Multiboot kernel (btvm, QEMU, v86). */
  readonly kernel: string;
  /** Static i386 Linux build of the same source. */
  readonly native: string | null;
  /** Output QEMU printed when the fixture was recorded. */
  readonly expected: string | null;
}

export interface Peer {
  readonly name: 'btvm' | 'qemu' | 'v86' | 'native';
  readonly label: string;
  /** null when available, else why not and how to install. */
  unavailable(): string | null;
  command(guest: BenchGuest): { file: string; args: string[] } | null;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench/guests → repository root. */
export const repoRoot = path.resolve(here, '..', '..', '..');
export const btvmMain = path.join(repoRoot, 'dist', 'src', 'cli', 'bin.js');
/** Boots a kernel under v86 (bench/peers/v86-boot.ts). */
export const v86Boot = path.join(repoRoot, 'dist', 'bench', 'peers', 'v86-boot.js');

/** null when v86 and its boot script are here, else what to install or build. */
export function v86Unavailable(): string | null {
  try {
    createRequire(import.meta.url).resolve('v86/package.json');
  } catch {
    return 'npm package v86 not installed: npm install (it is a devDependency)';
  }
  return existsSync(v86Boot) ? null : 'bench not built: npm run build';
}

export const PEERS: readonly Peer[] = [
  {
    name: 'btvm',
    label: 'btvm',
    unavailable: () => (existsSync(btvmMain) ? null : 'not built: run npm install (or npm run build)'),
    command: (g) => ({ file: process.execPath, args: [btvmMain, 'run', g.kernel] }),
  },
  {
    name: 'qemu',
    label: 'QEMU TCG',
    unavailable: () => (onPath('qemu-system-i386') ? null : 'qemu-system-i386 not found: apt-get install qemu-system-x86'),
    command: (g) => ({
      file: 'qemu-system-i386',
      args: ['-kernel', g.kernel, '-serial', 'stdio', '-display', 'none', '-no-reboot', '-monitor', 'none',
        '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'],
    }),
  },
  {
    name: 'v86',
    label: 'v86',
    unavailable: v86Unavailable,
    command: (g) => ({ file: process.execPath, args: [v86Boot, g.kernel] }),
  },
  {
    name: 'native',
    label: 'native',
    unavailable: () =>
      runsI386Programs(path.join(repoRoot, 'fixtures', 'bench', 'sieve.native')) ? null : 'unavailable on this host (i386 programs refused)',
    command: (g) => (g.native ? { file: g.native, args: [] } : null),
  },
];
