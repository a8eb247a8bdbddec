#!/usr/bin/env node
/**
 * The `btvm` executable (package.json "bin"): runs src/cli/main.ts's runCli
 * on the process's arguments and sets the exit status.
 *
 * A reader that goes away (`btvm disasm FILE | head`) makes the next write
 * to stdout or stderr fail with EPIPE; Node would report that as an uncaught
 * error with a stack trace. Here it ends the process quietly with the status
 * a shell reports for a tool killed by SIGPIPE (128 + 13), as objdump's is
 * under `set -o pipefail`.
 */
import { runCli } from './main.js';

export const EXIT_STATUS_BROKEN_PIPE = 141;

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_STATUS_BROKEN_PIPE);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
