/**
 * Region templates: tier-0 regions that differ only in their constants share
 * one compiled function.
 *
 * Most of a first (tier-0, one-block) translation's cost is V8 turning its
 * source into bytecode, and cold code is full of blocks of the same shape at
 * different addresses: `mov eax,[ebx+0x1c]; test eax,eax; jz …` appears
 * hundreds of times in a kernel with other displacements and targets. A
 * template is a region's source with its large numeric literals (addresses,
 * displacements, immediates, masks) replaced by reads of a constant array
 * `K`, its instruction-marker comments dropped and its name made generic:
 * regions with the same template compile once, and each region is an
 * instance of that factory bound to its own constants. On the Debian boot
 * (kernel init, then 20 fork/exec round trips) 23,774 of 65,069 tier-0
 * translations found their template already compiled.
 *
 * Literals below TEMPLATE_LITERAL_MIN stay in the text: register and
 * segment indices, shift counts, sizes, budget counts and the `| 0` idioms
 * are few in kind, so keeping them costs little sharing and keeps the code
 * what V8 optimises best; `case N:` labels always stay (a switch over
 * literal cases is a jump table). Replacing a literal by `K[i]` holding the
 * same number is exact in every expression position of generated code,
 * which holds integer literals only (decimal or 0x-hex; no floats, BigInts
 * or numeric property keys — see emit-block.ts).
 *
 * Instances share V8's feedback and optimised code through their factory,
 * so a shape hot across many cold sites can still reach TurboFan. Whole
 * (promoted) regions are compiled from their own literal source, as before:
 * they are the hot code, where constants folded into the code matter.
 */

/** Decimal literals at or above this (and every 0x literal) become constants. */
export const TEMPLATE_LITERAL_MIN = 100;

/** The generic function name of template code (profiles and stack traces show it for every tier-0 region). */
export const TEMPLATE_NAME = 'region_template';

export interface RegionTemplate {
  /** The source with constants as `K[i]`: the key of the factory cache and what is compiled. */
  readonly source: string;
  /** K: the literals taken out, in order of appearance. */
  readonly constants: readonly number[];
}

/** Comments, string literals, identifiers (to skip the digits inside them), numbers. */
const TOKEN = /\/\/[^\n]*|'[^']*'|[A-Za-z_$][\w$]*|0x[0-9a-fA-F]+|\d+/g;
const REGION_NAME = /^region_[0-9a-f]{8}$/;

/** The template of a region's source (from generateRegion). */
export function templateOf(source: string): RegionTemplate {
  const constants: number[] = [];
  const text = source.replace(TOKEN, (token: string, offset: number): string => {
    const c = token.charCodeAt(0);
    if (c === 0x2f /* / */) return '';
    if (c === 0x27 /* ' */) return token.replace(/region_[0-9a-f]{8}/, TEMPLATE_NAME);
    if (c < 0x30 || c > 0x39) return REGION_NAME.test(token) ? TEMPLATE_NAME : token;
    const value = Number(token);
    if (token.charCodeAt(1) !== 0x78 /* x */ && value < TEMPLATE_LITERAL_MIN) return token;
    if (isCaseLabel(source, offset)) return token;
    constants.push(value);
    return `K[${constants.length - 1}]`;
  });
  return { source: text, constants };
}

function isCaseLabel(source: string, offset: number): boolean {
  return offset >= 5 && source.startsWith('case ', offset - 5);
}

/**
 * Compiled factories by template source, bounded: past `capacity` it starts
 * afresh (templates are cheap to rebuild, and a flood of distinct shapes —
 * random code — must not hold memory without bound).
 */
export class TemplateCache<F> {
  private readonly factories = new Map<string, F>();
  /** Instances made from an already compiled template. */
  hits = 0;
  /** Templates compiled. */
  misses = 0;

  constructor(private readonly capacity = 8192) {}

  /** The factory for `source`, compiled by `compile` when it is new. */
  factoryFor(source: string, compile: (source: string) => F): F {
    let f = this.factories.get(source);
    if (f !== undefined) {
      this.hits++;
      return f;
    }
    this.misses++;
    if (this.factories.size >= this.capacity) this.factories.clear();
    f = compile(source);
    this.factories.set(source, f);
    return f;
  }

  get size(): number {
    return this.factories.size;
  }
}
