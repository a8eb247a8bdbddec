/**
 * AssemblyError: the one error type the assembler raises for bad input.
 *
 * Every user mistake (unknown mnemonic, operands no isa/ form accepts, an
 * undefined label, a short jump out of range…) becomes one of these, carrying
 * file, line and column so `btvm asm` can print `FILE:LINE: error: …` and
 * tests can check the position. The assembler never lets a host exception
 * escape on malformed source: assemble() wraps any internal failure in an
 * AssemblyError naming the line being processed.
 */
export class AssemblyError extends Error {
  override readonly name = 'AssemblyError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: error: ${detail}`);
  }
}

/** Thrown inside one statement; the pass loop adds file/line and rethrows as AssemblyError. */
export class StatementError extends Error {
  constructor(message: string, readonly column = 0) {
    super(message);
  }
}
