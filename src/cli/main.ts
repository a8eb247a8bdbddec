/**
 * The `btvm` command: one entry point dispatching to subcommands.
 *
 * Each subcommand lives in src/cli/commands/NAME.ts and exports an async
 * function taking its arguments and returning the process exit status. This
 * file only dispatches and turns failures into one line on stderr: a user
 * never sees a host stack trace (set BTVM_DEBUG=1 to see one).
 *
 * Importing this module runs nothing: the executable is src/cli/bin.ts,
 * which calls runCli with the process's arguments (so the library, tests
 * and tools can import the command table without starting the CLI).
 */
import { COMMANDS, usage } from './commands.js';
import { describeFailure } from './failure.js';

async function dispatch(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write('btvm 0.1.0\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(`btvm: unknown command '${name}' (see btvm --help)\n`);
    return 2;
  }
  return command.run(rest);
}

/** Runs `btvm ARGV...` and returns its exit status; a failure is one line on stderr, never a stack trace. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    const { message, status } = describeFailure(error);
    process.stderr.write(`btvm: ${message}\n`);
    if (process.env.BTVM_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return status;
  }
}
