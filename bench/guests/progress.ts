/**
 * A one-line progress bar on stderr for long benchmark runs (nothing when
 * stderr is not a terminal, so logs stay clean).
 *
 * The planned total is an estimate: the nanobenchmark retries a cell whose
 * measurement is too noisy, so steps may run past it. The bar then stays
 * full and the count shows the steps done so far as the total.
 */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const WIDTH = 30;
const LINE = 120;

/** The bar line after `done` of `total` planned steps; never fuller than full, even past the plan. */
export function progressLine(done: number, total: number, label: string): string {
  const shown = Math.max(total, done, 1);
  const filled = Math.min(WIDTH, Math.max(0, Math.round((done / shown) * WIDTH)));
  return `\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${shown} ${label}`.slice(0, LINE).padEnd(LINE);
}

export class Progress {
  private done = 0;
  private readonly tty: boolean;

  constructor(private readonly total: number, private readonly sink: ProgressSink = process.stderr) {
    this.tty = sink.isTTY === true;
  }

  step(label: string): void {
    this.done++;
    if (this.tty) this.sink.write(progressLine(this.done, this.total, label));
  }

  finish(): void {
    if (this.tty) this.sink.write('\r' + ' '.repeat(LINE) + '\r');
  }
}
