/**
 * What the bench scripts ask of their command line and of the host: an
 * option's value (`--runs 5`), whether a peer tool (qemu, nasm) is
 * installed, and whether the kernel runs i386 programs (the native peer).
 * One copy for run.ts, nano.ts, passes.ts and the peer lists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The word after `name` in `argv`, or undefined when the option is absent. */
export function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** True when `tool` is a command on PATH. */
export function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

let i386Verdict: boolean | null = null;

/**
 * True when the kernel starts static i386 programs (the native twins in
 * fixtures/bench/). Some x86-64 kernels refuse them though the CPU could run
 * their code; exec then fails with ENOEXEC and execvp hands the file to
 * /bin/sh, so only the exit status of a real run tells. Runs `probe` (a twin
 * that exits 0) once per process.
 */
export function runsI386Programs(probe: string): boolean {
  i386Verdict ??= existsSync(probe) && spawnSync(probe, [], { stdio: 'ignore', timeout: 60_000 }).status === 0;
  return i386Verdict;
}
