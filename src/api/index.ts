/**
 * The btvm package root (`import { Btvm } from 'btvm'`): the library API
 * documented in docs/api.md. Importing it runs nothing; the `btvm` command
 * is src/cli/bin.ts.
 */
export { Btvm, flatImage, kernelImage, type BtvmOptions, type GuestImage, type Registers, type RunReport, type RunResult } from './btvm.js';
export { translateBlock, type BlockTranslation, type TranslateOptions } from './inspect.js';
export { runCli } from '../cli/main.js';
export { describeFailure, UsageError } from '../cli/failure.js';
export { GuestMemoryError } from '../memory/physical-memory.js';
export { ElfFormatError } from '../loader/elf32.js';
