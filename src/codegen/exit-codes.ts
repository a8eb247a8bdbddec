/**
 * What a compiled region's function returns, telling the dispatcher why it
 * left and how to find what runs next.
 *
 * A non-negative value is the index of a direct exit (a jump or branch to a
 * known address outside the region): the dispatcher follows the region's
 * chain link for that index, or looks the target up once and patches the
 * link. Negative values need more work; in every case cpu.eip already holds
 * the guest address to continue at and all guest state is in CpuState.
 */
export const enum ExitCode {
  /** Computed target (ret, jmp r/m): the fast direct-mapped lookup. */
  Indirect = -1,
  /** The block asked for the dispatcher (mode may have changed, or it was cut). */
  Dispatch = -2,
  /** The next block did not fit in cpu.budget; it has not run. */
  Budget = -3,
  /** The monitor took over (emulate said Leave, or an exception was raised): re-derive the mode. */
  Leave = -4,
  /** A store invalidated the running region: continue at the next instruction with a fresh translation. */
  CodeModified = -5,
}

export function describeExit(code: number): string {
  switch (code) {
    case ExitCode.Indirect: return 'indirect';
    case ExitCode.Dispatch: return 'dispatch';
    case ExitCode.Budget: return 'budget';
    case ExitCode.Leave: return 'leave';
    case ExitCode.CodeModified: return 'code-modified';
    default: return code >= 0 ? `direct#${code}` : `unknown(${code})`;
  }
}
