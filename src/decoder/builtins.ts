/**
 * The Node built-ins that loading the decoder tables needs (fs, path, url,
 * module), taken without their ES module facades.
 *
 * `import … from 'node:fs'` makes Node build an ES module namespace for fs,
 * which reads every export — including the lazy ones — and so loads the
 * whole streams stack (some 30 internal modules); `node:module` pulls in the
 * source-map support. In a fresh process that was most of the decoder's cold
 * start (isa-tables.ts getTables(), target < 30 ms). process.getBuiltinModule
 * (Node ≥ 20.16) returns the plain CommonJS objects instead; older Nodes fall
 * back to the ordinary imports.
 */
import type * as FsModule from 'node:fs';
import type * as NodeModule from 'node:module';
import type * as PathModule from 'node:path';
import type * as UrlModule from 'node:url';

const builtin = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule.bind(process) : null;

export const fs: typeof FsModule = builtin !== null ? builtin('node:fs') : await import('node:fs');
export const path: typeof PathModule = builtin !== null ? builtin('node:path') : await import('node:path');
export const url: typeof UrlModule = builtin !== null ? builtin('node:url') : await import('node:url');

/** node:module's createRequire, for the one CommonJS package (moo) a parse of isa/ needs. */
export function createRequire(from: string): NodeJS.Require {
  const m = builtin !== null ? (builtin('node:module') as unknown as typeof NodeModule) : moduleFallback!;
  return m.createRequire(from);
}
const moduleFallback = builtin !== null ? null : ((await import('node:module')) as unknown as typeof NodeModule);
