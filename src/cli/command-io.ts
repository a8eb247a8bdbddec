/**
 * Where a command that prints text (`btvm disasm`, `btvm ir`) writes: the
 * process's stdout and stderr, or a caller's sinks (tests, the fuzz harness,
 * which run commands in-process and look at what they print).
 */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};
