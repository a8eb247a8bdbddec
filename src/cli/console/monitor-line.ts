/**
 * The monitor behind the interactive console's C-a c, as `qemu-system-i386
 * -nographic` has it: C-a c moves the keyboard from the guest's COM1 to the
 * monitor prompt and back; the guest runs on meanwhile and its output still
 * shows. The terminal is raw (terminal.ts), so this does the line editing
 * the terminal driver would: echo, backspace, Ctrl-U, Enter runs the line;
 * other control keys and escape sequences (arrow keys) are dropped. Output
 * goes out with \r\n line ends because raw mode does not translate them.
 *
 * The commands are the monitor's (src/debug/monitor.ts, through the
 * run's `runCommand`), with the prompt and banner of `-monitor stdio`.
 */

export const MONITOR_BANNER = "btvm monitor - type 'help' for more information\n";
export const MONITOR_PROMPT = '(btvm) ';

const BS = 0x08, DEL = 0x7f, CR = 0x0d, LF = 0x0a, ESC = 0x1b, CTRL_U = 0x15;

/** Text for a raw terminal: every \n as \r\n. */
export const rawLines = (text: string): string => text.replace(/\r?\n/g, '\r\n');

export class MonitorLine {
  private line = '';
  private bannerShown = false;
  /** 0 outside an escape sequence; 1 after ESC; 2 inside ESC [ … (until its final byte). */
  private escape = 0;
  /** The last key was CR: an LF right after it ends the same line (a pasted \r\n). */
  private afterCr = false;

  constructor(
    private readonly runCommand: (line: string) => string,
    private readonly write: (text: string) => void,
  ) {}

  /** C-a c from the console: the banner the first time, then a fresh prompt. */
  enter(): void {
    this.write(rawLines('\n' + (this.bannerShown ? '' : MONITOR_BANNER)) + MONITOR_PROMPT + this.line);
    this.bannerShown = true;
  }

  /** C-a c from the monitor: back to the guest, the partial line kept for next time. */
  leave(): void {
    this.write('\r\n');
  }

  /** Keys typed at the monitor prompt. */
  feed(keys: Uint8Array): void {
    let echo = '';
    for (const k of keys) {
      const lfAfterCr = k === LF && this.afterCr;
      this.afterCr = k === CR;
      if (lfAfterCr) continue;
      if (this.escape === 1) { this.escape = k === 0x5b /* [ */ ? 2 : 0; continue; }
      if (this.escape === 2) { if (k >= 0x40 && k <= 0x7e) this.escape = 0; continue; }
      if (k === ESC) this.escape = 1;
      else if (k === CR || k === LF) {
        const line = this.line;
        this.line = '';
        this.write(echo + '\r\n');
        echo = '';
        this.write(rawLines(this.runCommand(line)) + MONITOR_PROMPT);
      } else if (k === DEL || k === BS) {
        if (this.line.length > 0) { this.line = this.line.slice(0, -1); echo += '\b \b'; }
      } else if (k === CTRL_U) {
        echo += '\b \b'.repeat(this.line.length);
        this.line = '';
      } else if (k >= 0x20 && k < 0x7f) {
        this.line += String.fromCharCode(k);
        echo += String.fromCharCode(k);
      }
    }
    if (echo !== '') this.write(echo);
  }
}
