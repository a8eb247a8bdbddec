/**
 * The assembler's public surface: assemble() and its error type. Used by
 * `btvm asm` (src/cli/commands/asm.ts) and by tests that need guest code.
 */
export { assemble, type AssembleOptions, type AssembleResult, type ListingLine } from './assemble.js';
export { AssemblyError } from './errors.js';
