/**
 * The host terminal while a guest owns it, as `qemu-system-i386 -nographic`
 * treats it: raw mode (every key goes to the guest as typed, Ctrl-C
 * included; no echo, no line editing), and the mode it had restored on
 * every way out — the run's end, an error, a signal, even process.exit.
 *
 * Signals: in raw mode the keyboard sends none, but `kill` still can.
 * SIGINT, SIGTERM and SIGHUP end the run (`onSignal`) so the normal path
 * restores the terminal and reports; a second one exits at once, after
 * restoring it.
 */

/** As much of tty.ReadStream as raw mode needs. */
export interface RawModeTerminal {
  readonly isRaw: boolean;
  setRawMode(mode: boolean): unknown;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof SIGNALS)[number];
const SIGNAL_NUMBERS: Readonly<Record<HandledSignal, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

export class RawTerminalSession {
  private wasRaw = false;
  private active = false;
  private signalled = false;
  private readonly onExit = (): void => this.restore();
  private readonly handlers = new Map<HandledSignal, () => void>();

  constructor(
    private readonly terminal: RawModeTerminal,
    private readonly onSignal: (name: HandledSignal) => void,
  ) {}

  /** Raw mode on, with the restoring handlers installed. */
  enter(): void {
    if (this.active) return;
    this.wasRaw = this.terminal.isRaw;
    this.terminal.setRawMode(true);
    this.active = true;
    process.once('exit', this.onExit);
    for (const name of SIGNALS) {
      const handler = (): void => {
        if (this.signalled) {
          this.restore();
          process.exit(128 + SIGNAL_NUMBERS[name]);
        }
        this.signalled = true;
        this.onSignal(name);
      };
      this.handlers.set(name, handler);
      process.on(name, handler);
    }
  }

  /** The terminal as it was before enter(); safe to call more than once. */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    this.terminal.setRawMode(this.wasRaw);
    process.off('exit', this.onExit);
    for (const [name, handler] of this.handlers) process.off(name, handler);
    this.handlers.clear();
  }
}
