/**
 * The Linux guest of the benchmark (fixtures/linux: Debian 12's i386 kernel
 * and a busybox initramfs whose /init runs a fixed workload, fetch.sh) and
 * the peers that boot it, each with the command line a user would type:
 *
 *   btvm   node dist/src/cli/bin.js run -kernel … -initrd … -append … -m 128M
 *          --stats-json FILE (where its time went, read after the run)
 *   QEMU   qemu-system-i386 -nographic -no-reboot -kernel … -initrd …
 *          -append … -m 128M, as fixtures/linux/record-qemu.sh recorded
 *          boot.qemu (its SeaBIOS runs first; btvm has no firmware)
 *   v86    bench/peers/v86-boot.ts with QEMU's SeaBIOS, ended at the
 *          kernel's last line since v86 cannot reset on a triple fault
 *
 * A missing peer is skipped with the command that installs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { onPath } from '../command-line.js';
import { btvmMain, repoRoot, v86Boot, v86Unavailable } from '../guests/peers.js';

export interface LinuxGuest {
  readonly kernel: string;
  readonly initrd: string;
  readonly append: string;
  /** fixtures/linux/boot.qemu: QEMU's console for this boot. */
  readonly expected: string;
  /** fixtures/linux/cache/VERSIONS: the packages the kernel and busybox came from. */
  readonly versions: string;
}

export const LINUX_DIR = path.join(repoRoot, 'fixtures', 'linux');
/** The kernel command line boot.qemu was recorded with: reboot -f in /init then ends every peer's process. */
export const LINUX_APPEND = 'console=ttyS0 reboot=t';
const MEMORY = '128M';
/** QEMU's SeaBIOS, which v86 can run (Debian package seabios, a dependency of qemu-system-x86). */
export const SEABIOS = '/usr/share/seabios/bios.bin';
/** The kernel's last console line before the reset (kernel/reboot.c). */
const LAST_KERNEL_LINE = 'reboot: machine restart';

/** The guest, or why it is not here and how to get it. */
export function findLinuxGuest(dir = LINUX_DIR): LinuxGuest | string {
  const at = (f: string): string => path.join(dir, f);
  if (!existsSync(at('cache/vmlinuz')) || !existsSync(at('cache/initrd.gz'))) {
    return 'no Debian guest in fixtures/linux/cache: run fixtures/linux/fetch.sh (needs apt-get, dpkg-deb, cpio)';
  }
  if (!existsSync(at('boot.qemu'))) return 'fixtures/linux/boot.qemu is missing: record it with fixtures/linux/record-qemu.sh';
  return {
    kernel: at('cache/vmlinuz'),
    initrd: at('cache/initrd.gz'),
    append: LINUX_APPEND,
    expected: readFileSync(at('boot.qemu'), 'latin1'),
    versions: existsSync(at('cache/VERSIONS')) ? readFileSync(at('cache/VERSIONS'), 'utf8').trim() : 'unknown',
  };
}

/** --linux-btvm-args (after `btvm run …`) and --linux-node-args (node's own, e.g. --cpu-prof). */
export interface BtvmOptions {
  readonly run: readonly string[];
  readonly node: readonly string[];
}

export interface LinuxPeer {
  readonly name: 'btvm' | 'qemu' | 'v86';
  readonly label: string;
  /** null when available, else why not and how to install. */
  unavailable(): string | null;
  /** `statsFile`: where btvm writes its --stats-json; `btvm`: more options for btvm and for its node (the others ignore both). */
  command(guest: LinuxGuest, statsFile: string, btvm?: BtvmOptions): { file: string; args: string[] };
}

export const LINUX_PEERS: readonly LinuxPeer[] = [
  {
    name: 'btvm',
    label: 'btvm',
    unavailable: () => (existsSync(btvmMain) ? null : 'not built: run npm install (or npm run build)'),
    command: (g, statsFile, btvm = { run: [], node: [] }) => ({
      file: process.execPath,
      args: [...btvm.node, btvmMain, 'run', '-kernel', g.kernel, '-initrd', g.initrd, '-append', g.append, '-m', MEMORY, '--stats-json', statsFile, ...btvm.run],
    }),
  },
  {
    name: 'qemu',
    label: 'QEMU TCG',
    unavailable: () => (onPath('qemu-system-i386') ? null : 'qemu-system-i386 not found: apt-get install qemu-system-x86'),
    command: (g) => ({
      file: 'qemu-system-i386',
      args: ['-nographic', '-no-reboot', '-kernel', g.kernel, '-initrd', g.initrd, '-append', g.append, '-m', MEMORY],
    }),
  },
  {
    name: 'v86',
    label: 'v86',
    unavailable: () => v86Unavailable() ?? (existsSync(SEABIOS) ? null : `no BIOS for v86 at ${SEABIOS}: apt-get install seabios`),
    command: (g) => ({
      file: process.execPath,
      args: [v86Boot, g.kernel, '--bios', SEABIOS, '--initrd', g.initrd, '--append', g.append,
        '--memory', String(parseInt(MEMORY, 10)), '--end-line', LAST_KERNEL_LINE, '--timeout', '3600'],
    }),
  },
];
