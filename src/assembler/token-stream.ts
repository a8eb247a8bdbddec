/**
 * The tokens of one source line with a cursor: what the line parser
 * (syntax.ts) and the expression parser (expr.ts) read from. Whitespace and
 * comments are already dropped by the caller.
 */
import { StatementError } from './errors.js';

export interface Token {
  readonly type: string;
  readonly text: string;
  /** 1-based column in the line. */
  readonly col: number;
}

export class TokenStream {
  private i = 0;
  constructor(readonly toks: readonly Token[], readonly endCol: number) {}

  peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }

  next(): Token {
    const t = this.toks[this.i];
    if (t === undefined) throw new StatementError('unexpected end of line', this.endCol);
    this.i++;
    return t;
  }

  atEnd(): boolean {
    return this.i >= this.toks.length;
  }

  /** True (and consumes it) when the next token has exactly this text. */
  accept(text: string): boolean {
    const t = this.toks[this.i];
    if (t !== undefined && t.text === text && t.type !== 'string') {
      this.i++;
      return true;
    }
    return false;
  }

  /** Case-insensitive keyword test on an identifier token; consumes it when it matches. */
  acceptWord(word: string): boolean {
    const t = this.toks[this.i];
    if (t !== undefined && t.type === 'ident' && t.text.toLowerCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  expect(text: string): Token {
    const t = this.toks[this.i];
    if (t === undefined || t.text !== text) {
      throw new StatementError(`expected '${text}' but found ${t === undefined ? 'end of line' : `'${t.text}'`}`, t?.col ?? this.endCol);
    }
    this.i++;
    return t;
  }

  col(): number {
    return this.toks[this.i]?.col ?? this.endCol;
  }
}
