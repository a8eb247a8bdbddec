/**
 * Multiboot modules: what QEMU does with `-kernel K -initrd "a arg,b"` for a
 * Multiboot kernel (Multiboot Specification 0.6.96, section 3.3, mods_*).
 *
 * The -initrd text is a comma-separated list (",," stands for a comma inside
 * an item). Each item is a module: the file is the item up to its first
 * space, and the module's command line is the whole item, file name and
 * arguments, as QEMU passes it. Modules are loaded one after another, each
 * starting on a page boundary counted from the kernel's lowest load address,
 * the first after the kernel's last byte (bss included), as QEMU places them
 * (its buffer starts at the kernel's load address and grows in whole pages);
 * mod_end is the address just past the module's last byte.
 *
 * multiboot.ts calls placeModules() after loading the kernel and writes the
 * 16-byte module records (mod_start, mod_end, string, reserved) and their
 * strings into its boot information page.
 */
import { LoadError } from './load-error.js';

export interface MultibootModule {
  /** The module's command line: its file name and any arguments. */
  cmdline: string;
  bytes: Uint8Array;
}

export interface PlacedModule {
  start: number;
  end: number;
  cmdline: string;
}

/** Size of one module record in the info structure's mods_addr array. */
export const MODULE_RECORD_SIZE = 16;
const PAGE = 4096;

/** The items of a QEMU -initrd list: split at single commas, ",," being a literal comma. */
export function splitModuleList(text: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== ',') current += text[i];
    else if (text[i + 1] === ',') current += ',', i++;
    else items.push(current), (current = '');
  }
  items.push(current);
  return items;
}

/** The file a module item names: the item up to its first space. */
export function moduleFileName(item: string): string {
  const space = item.indexOf(' ');
  return space < 0 ? item : item.slice(0, space);
}

/** Where each module goes: whole pages from `kernelStart`, the first above `kernelEnd`. */
export function placeModules(ramSize: number, kernelStart: number, kernelEnd: number, modules: readonly MultibootModule[]): PlacedModule[] {
  const pageAbove = (address: number) => kernelStart + Math.ceil((address - kernelStart) / PAGE) * PAGE;
  let next = pageAbove(kernelEnd);
  return modules.map((m) => {
    const start = next;
    const end = start + m.bytes.length;
    if (end > ramSize) {
      throw new LoadError(
        'outside-ram',
        `Multiboot module '${m.cmdline}' (${m.bytes.length} bytes) at 0x${start.toString(16)} lies outside guest RAM (0x${ramSize.toString(16)} bytes)`,
        { address: start, length: m.bytes.length },
      );
    }
    next = pageAbove(end);
    return { start, end, cmdline: m.cmdline };
  });
}
