/**
 * The Ctrl-A commands of an interactive console, as `qemu-system-i386
 * -nographic` has them: the host's key bytes go to the guest's COM1 except
 * Ctrl-A and the key after it, which are a command for btvm.
 *
 *   C-a x    quit (exit status 0, as QEMU's)
 *   C-a h    help (also C-a ?)
 *   C-a c    switch the keyboard between the guest and the monitor
 *   C-a C-a  one Ctrl-A for the guest
 *
 * Any other key after Ctrl-A is dropped, as QEMU drops it. A Ctrl-A at the
 * end of one chunk of input and its key at the start of the next work as
 * if typed together.
 */

export const CTRL_A = 0x01;

export type ConsoleCommand = 'quit' | 'help' | 'monitor';

const COMMANDS: ReadonlyMap<number, ConsoleCommand> = new Map([
  [0x78 /* x */, 'quit'],
  [0x68 /* h */, 'help'],
  [0x3f /* ? */, 'help'],
  [0x63 /* c */, 'monitor'],
]);

export const ESCAPE_HELP =
  '\r\nbtvm console keys:\r\n' +
  'C-a h    show these keys\r\n' +
  'C-a x    quit btvm\r\n' +
  'C-a c    switch between the console and the monitor\r\n' +
  'C-a C-a  send C-a to the guest\r\n';

export class EscapeKeys {
  private afterCtrlA = false;

  constructor(
    private readonly toGuest: (bytes: Uint8Array) => void,
    private readonly command: (c: ConsoleCommand) => void,
  ) {}

  /** Splits one chunk of key bytes into guest input and commands, in order. */
  feed(keys: Uint8Array): void {
    let from = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (this.afterCtrlA) {
        this.afterCtrlA = false;
        // C-a C-a: the second one is guest input, sent with what follows it.
        if (k === CTRL_A) { from = i; continue; }
        from = i + 1;
        const c = COMMANDS.get(k);
        if (c !== undefined) this.command(c);
      } else if (k === CTRL_A) {
        if (i > from) this.toGuest(keys.subarray(from, i));
        this.afterCtrlA = true;
        from = i + 1;
      }
    }
    if (!this.afterCtrlA && from < keys.length) this.toGuest(keys.subarray(from));
  }
}
