/**
 * Who runs a nanobenchmark kernel: btvm — once per MMU that `btvm run
 * --mmu` offers, or once without the option while it offers none — and
 * qemu-system-i386 (TCG) for reference. Each peer turns (kernel, N) into a
 * command line that passes `iters=N` on the Multiboot command line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath } from '../command-line.js';

/** The repository root: the first directory above this file with package.json and fixtures/ (from bench/ or dist/bench/). */
export const repoRoot = ((): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'fixtures')))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench/nano: repository root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

export interface NanoPeer {
  /** Key in the JSON report: btvm, btvm-shadow, btvm-nested, qemu. */
  readonly name: string;
  readonly label: string;
  command(kernel: string, iters: number): { file: string; args: string[] };
}

export const btvmMain = path.join(repoRoot, 'dist', 'src', 'cli', 'bin.js');

/** The MMU kinds the nanobenchmarks compare when btvm has them. */
export const MMU_KINDS = ['shadow', 'nested'] as const;

/** Whether `btvm run` accepts `--mmu KIND` (it exits 0 on --help only when every option before it parsed). */
export function btvmAcceptsMmu(kind: string, main = btvmMain): boolean {
  const r = spawnSync(process.execPath, [main, 'run', '--mmu', kind, '--help'], { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

export interface PeerSelection {
  readonly peers: NanoPeer[];
  /** Lines for the report: peers skipped and why, and how btvm was run. */
  readonly notes: string[];
}

function btvmPeer(mmu: string | null, main: string): NanoPeer {
  return {
    name: mmu === null ? 'btvm' : `btvm-${mmu}`,
    label: mmu === null ? 'btvm' : `btvm --mmu ${mmu}`,
    command: (kernel, iters) => ({
      file: process.execPath,
      args: [main, 'run', kernel, '--append', `iters=${iters}`, ...(mmu === null ? [] : ['--mmu', mmu])],
    }),
  };
}

export const qemuPeer: NanoPeer = {
  name: 'qemu',
  label: 'QEMU TCG',
  command: (kernel, iters) => ({
    file: 'qemu-system-i386',
    args: ['-kernel', kernel, '-append', `iters=${iters}`, '-serial', 'stdio', '-display', 'none', '-no-reboot',
      '-monitor', 'none', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'],
  }),
};

/** The peers available here, with a note for each one left out. */
export function selectPeers(wanted: ReadonlySet<string> | null, main = btvmMain): PeerSelection {
  const peers: NanoPeer[] = [], notes: string[] = [];
  const want = (name: string): boolean => wanted === null || wanted.has(name) || (name.startsWith('btvm') && wanted.has('btvm'));
  if (!existsSync(main)) {
    notes.push('btvm: not built (npm run build)');
  } else {
    const kinds = MMU_KINDS.filter((k) => btvmAcceptsMmu(k, main));
    if (kinds.length === 0) {
      notes.push(`btvm: 'btvm run --mmu' is not accepted yet, so btvm ran without it (no MMU: kernels that enable paging stop as unsupported)`);
      if (want('btvm')) peers.push(btvmPeer(null, main));
    } else {
      for (const k of kinds) if (want(`btvm-${k}`)) peers.push(btvmPeer(k, main));
      const missing = MMU_KINDS.filter((k) => !kinds.includes(k));
      if (missing.length > 0) notes.push(`btvm: --mmu ${missing.join(', ')} not accepted`);
    }
  }
  if (want('qemu')) {
    if (onPath('qemu-system-i386')) peers.push(qemuPeer);
    else notes.push('QEMU: qemu-system-i386 not found (apt-get install qemu-system-x86)');
  }
  return { peers, notes };
}
