/**
 * What the bench scripts ask of their command line and of the host: an
 * option's value (`--runs 5`), and whether a peer tool (qemu, nasm) is
 * installed. One copy for run.ts, nano.ts, passes.ts and the peer lists.
 */
import { spawnSync } from 'node:child_process';

/** The word after `name` in `argv`, or undefined when the option is absent. */
export function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** True when `tool` is a command on PATH. */
export function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}
