/**
 * The access functions of the paged emitter's compact form: one per
 * operation (load, store), size (1, 2, 4) and privilege class (supervisor,
 * user half of the TLB), twelve in all, each compiled once per machine.
 *
 * Their bodies are the paged emitter's own inline text (the one place that
 * knows how a TLB entry becomes a machine index), wrapped so that a page
 * fault sets a flag instead of leaving a region: the calling code tests
 * `FL[0]` after the call, clears it and takes its #PF exit, with CR2 and
 * MMU.fault already written by the MMU, exactly as after the inline form.
 * A store returns what the inline form ORs into `inv` (1: it hit
 * translated code, or the MMU asked the region to be left).
 *
 * The functions are closures over the same TLB arrays, machine memory views
 * and MMU the inline text is bound to, created by `new Function` from fixed
 * text at construction: nothing is compiled per region or per access.
 */
import type { MemSize } from '../ir/types.js';
import type { MemoryBindings } from './memory-access.js';

/** The name generated code uses for the fault flag (an Int32Array of one element). */
export const ACCESS_FAULT_FLAG = 'FL';

/** The name generated code calls for one access: LD4S, ST1U, … */
export function accessFunctionName(operation: 'load' | 'store', size: MemSize, user: boolean): string {
  return `${operation === 'load' ? 'LD' : 'ST'}${size}${user ? 'U' : 'S'}`;
}

/** What builds the bodies: the paged emitter's inline text. */
export interface InlineAccessText {
  inlineLoad(size: MemSize, dst: string, addr: string, m: string, onFault: string, user: boolean): string;
  inlineStore(size: MemSize, addr: string, value: string, m: string, onFault: string, user: boolean): string;
}

const SIZES: readonly MemSize[] = [1, 2, 4];
const ON_FAULT = `${ACCESS_FAULT_FLAG}[0] = 1; return 0;`;

export class PagedAccessFunctions {
  /** The fault flag: set by a function on a page fault, cleared by the caller's exit. */
  readonly fault = new Int32Array(1);
  private readonly names: string[] = [];
  private readonly functions: unknown[] = [];

  constructor(inline: MemoryBindings, text: InlineAccessText) {
    const params = [...inline.names, ACCESS_FAULT_FLAG];
    const args = [...inline.values, this.fault];
    for (const user of [false, true]) {
      for (const size of SIZES) {
        const load = `return function ${accessFunctionName('load', size, user)}(a) {\n` +
          `${text.inlineLoad(size, 'v', 'a', 'm', ON_FAULT, user)}\nreturn v;\n};`;
        // `inv` and `REGION` are what the inline store text expects in scope.
        const store = `return function ${accessFunctionName('store', size, user)}(a, x, REGION) {\nlet inv = 0;\n` +
          `${text.inlineStore(size, 'a', 'x', 'm', ON_FAULT, user)}\nreturn inv;\n};`;
        this.add(accessFunctionName('load', size, user), params, load, args);
        this.add(accessFunctionName('store', size, user), params, store, args);
      }
    }
  }

  /** The flag and the twelve functions, by the names generated code uses. */
  bindings(): MemoryBindings {
    return { names: [ACCESS_FAULT_FLAG, ...this.names], values: [this.fault, ...this.functions] };
  }

  private add(name: string, params: string[], body: string, args: unknown[]): void {
    this.names.push(name);
    this.functions.push((new Function(...params, body) as (...a: unknown[]) => unknown)(...args));
  }
}
