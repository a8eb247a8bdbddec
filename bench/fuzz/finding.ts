/**
 * What the fuzz harness reports: a case that broke one of btvm's promises
 * about hostile input (issue 18) — an internal error (exit 70), a host stack
 * trace on the user's terminal, a V8 abort, a timeout or a memory peak above
 * guest RAM + 512 MiB — with the seed that reproduces it.
 */
export type FindingKind = 'internal-error' | 'stack-trace' | 'abort' | 'timeout' | 'memory';

export interface Finding {
  readonly kind: FindingKind;
  /** 'image' or 'guest' and the seed: `npm run fuzz -- --images 1 --from SEED` reproduces it. */
  readonly family: 'image' | 'guest';
  readonly seed: number;
  readonly detail: string;
}

/** Host memory a case may use beyond guest RAM before it counts as a finding. */
export const MEMORY_SLACK_BYTES = 512 << 20;

export function describeFinding(f: Finding): string {
  return `${f.family} seed ${f.seed}: ${f.kind}: ${f.detail}`;
}
