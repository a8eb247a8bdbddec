/**
 * A one-line progress bar on stderr for long benchmark runs (nothing when
 * stderr is not a terminal, so logs stay clean).
 */
export class Progress {
  private done = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly total: number) {}

  step(label: string): void {
    this.done++;
    if (!this.tty) return;
    const width = 30;
    const filled = Math.round((this.done / Math.max(1, this.total)) * width);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    process.stderr.write(`\r[${bar}] ${this.done}/${this.total} ${label}`.slice(0, 120).padEnd(120));
  }

  finish(): void {
    if (this.tty) process.stderr.write('\r' + ' '.repeat(120) + '\r');
  }
}
