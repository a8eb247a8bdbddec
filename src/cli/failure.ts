/**
 * describeFailure: the one place an escaped error becomes a one-line message
 * and an exit status.
 *
 * Errors a user can cause (bad files, bad options, malformed guests) are
 * typed classes that carry their own context; they exit 2. Messages may
 * quote names from files or the command line, so they are printed through
 * printable(): a hostile name cannot put escapes on the terminal. Anything else is a
 * bug in btvm: it is still one line (no stack trace unless BTVM_DEBUG is set),
 * exit 70 (EX_SOFTWARE), and says so.
 */
import { printable } from '../text/printable.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Errors that carry a user-facing message. Their constructor names end in "Error". */
const USER_ERROR_NAMES = new Set([
  'UsageError', 'ElfFormatError', 'LoadError', 'GuestMemoryError', 'AssemblyError', 'IsaFormatError',
  'UnknownPassError', 'CpuModelError', 'TcpSerialError',
]);

export function describeFailure(error: unknown): { message: string; status: number } {
  if (error instanceof Error) {
    if (USER_ERROR_NAMES.has(error.name) || USER_ERROR_NAMES.has(error.constructor.name)) {
      return { message: firstLine(error.message), status: 2 };
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      return { message: firstLine(error.message), status: 2 };
    }
    return { message: `internal error: ${firstLine(error.message)} (BTVM_DEBUG=1 shows where)`, status: 70 };
  }
  return { message: `internal error: ${String(error)}`, status: 70 };
}

/** The first line, with any control characters a file or argument put in it made visible (src/text/printable.ts). */
function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return printable(i < 0 ? s : s.slice(0, i));
}
