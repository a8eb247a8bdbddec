/**
 * Why a run ended, and the process exit status each reason maps to.
 *
 * The guest's own way to end a run is QEMU's isa-debug-exit: status
 * (V << 1) | 1, always odd. Every other ending gets a distinct even status so
 * scripts can tell them apart, except a triple fault (or reset request),
 * which exits 0 exactly as `qemu-system-i386 -no-reboot` does. `btvm run
 * --help` prints this table.
 */

export type RunEnd =
  /** The guest wrote V to isa-debug-exit. */
  | { readonly kind: 'exit'; readonly status: number }
  /** Shutdown after a triple fault (QEMU -no-reboot exits 0). */
  | { readonly kind: 'triple-fault'; readonly detail: string }
  /** The guest asked for a reset or power-off. */
  | { readonly kind: 'reset'; readonly detail: string }
  /** hlt with nothing that could ever wake the CPU (IF=0, or no timer or input). */
  | { readonly kind: 'halted'; readonly detail: string }
  /** --max-insns reached. */
  | { readonly kind: 'insn-limit'; readonly detail: string }
  /** The guest used something btvm does not model. */
  | { readonly kind: 'unsupported'; readonly detail: string }
  /** The user ended the run at the console (C-a x) or with a signal; exit status 0, as QEMU's. */
  | { readonly kind: 'quit'; readonly detail: string }
  /** A host exception escaped translated code: a bug in btvm, reported in one line. */
  | { readonly kind: 'internal-error'; readonly detail: string };

export const EXIT_STATUS_HALTED = 4;
export const EXIT_STATUS_INSN_LIMIT = 6;
export const EXIT_STATUS_UNSUPPORTED = 8;
/** EX_SOFTWARE, as for every other btvm bug. */
export const EXIT_STATUS_INTERNAL_ERROR = 70;

export function exitStatusOf(end: RunEnd): number {
  switch (end.kind) {
    case 'exit':
      return end.status;
    case 'triple-fault':
    case 'reset':
    case 'quit':
      return 0;
    case 'halted':
      return EXIT_STATUS_HALTED;
    case 'insn-limit':
      return EXIT_STATUS_INSN_LIMIT;
    case 'unsupported':
      return EXIT_STATUS_UNSUPPORTED;
    case 'internal-error':
      return EXIT_STATUS_INTERNAL_ERROR;
  }
}

/** One line for stderr, or null when the ending needs no comment (a debug-exit). */
export function describeRunEnd(end: RunEnd): string | null {
  switch (end.kind) {
    case 'exit':
      return null;
    case 'triple-fault':
      return `guest triple fault (shutdown): ${end.detail}`;
    case 'reset':
      return `guest requested ${end.detail}`;
    case 'halted':
      return `guest halted forever: ${end.detail}`;
    case 'insn-limit':
      return `instruction limit reached: ${end.detail}`;
    case 'unsupported':
    case 'quit':
      return end.detail;
    case 'internal-error':
      return end.detail;
  }
}
