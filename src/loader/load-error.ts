/**
 * Why a guest image could not be loaded.
 *
 * Raised by the Multiboot, Linux bzImage and flat loaders for problems a user can cause
 * with a bad kernel or options (no Multiboot header, segments that do not fit
 * in guest RAM, …). Malformed ELF structure is reported by the ELF parser's
 * own ElfFormatError instead. `code` is stable for tests and the CLI;
 * `fileOffset` / `address` locate the problem when there is one.
 */
export type LoadErrorCode =
  | 'no-multiboot-header'
  | 'bad-multiboot-checksum'
  | 'unsupported-multiboot-flags'
  | 'bad-address-fields'
  | 'outside-ram'
  | 'overlaps-boot-info'
  | 'no-loadable-segments'
  | 'overlapping-segments'
  | 'cmdline-too-long'
  | 'not-bzimage'
  | 'truncated-bzimage'
  | 'unsupported-boot-protocol'
  | 'bad-bzimage-field'
  | 'ram-too-small';

export class LoadError extends Error {
  override readonly name = 'LoadError';
  constructor(
    readonly code: LoadErrorCode,
    message: string,
    readonly details: { fileOffset?: number; address?: number; length?: number } = {},
  ) {
    super(message);
  }
}
