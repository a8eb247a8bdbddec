/**
 * Errors raised while reading isa/*.isa. They carry the file and line so the
 * message reads like a compiler's: `isa/onebyte.isa:12: error: …`.
 */
export class IsaSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: error: ${detail}`);
    this.name = 'IsaSyntaxError';
  }
}
