/**
 * Boots one kernel under v86 (the JavaScript/WebAssembly PC emulator)
 * headless in Node, the way a user of v86 would, serial output from the
 * `serial0-output-byte` event:
 * - a Multiboot kernel with no BIOS image (`multiboot: {buffer}`);
 * - with --bios, a Linux bzImage (`bzimage`, `initrd`, `cmdline`) started by
 *   that BIOS, as v86 boots Linux; QEMU's SeaBIOS (/usr/share/seabios/bios.bin,
 *   Debian package seabios) serves, and v86's npm package ships none.
 *
 * v86 has no isa-debug-exit device, so once the emulator has started we
 * register our own write handler for port 0xf4; a write of V ends the process
 * with status (V<<1)|1, exactly as QEMU's device does. That makes the same
 * kernel binary comparable under btvm, QEMU and v86 in one benchmark run.
 * v86 does not model a triple fault's reset (it panics: "Unimplemented: #GP
 * handler"), so a guest that ends by resetting the machine (Linux with
 * reboot=t) names its last console line with --end-line: the process exits
 * with status 0 once that line is out.
 *
 *   node dist/bench/peers/v86-boot.js KERNEL.elf [--memory MiB] [--timeout S]
 *   node dist/bench/peers/v86-boot.js BZIMAGE --bios BIOS.bin [--initrd FILE] [--append CMDLINE]
 *                                     [--end-line TEXT] [--memory MiB] [--timeout S]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { option } from '../command-line.js';

interface V86Like {
  add_listener(event: string, fn: (value: number) => void): void;
  stop(): Promise<void> | void;
  v86: { cpu: { io: { register_write(port: number, device: object, w8?: (v: number) => void, w16?: (v: number) => void, w32?: (v: number) => void): void } } };
}

async function main(argv: string[]): Promise<number> {
  const kernelPath = argv[0];
  if (!kernelPath) {
    process.stderr.write('usage: v86-boot KERNEL.elf [--memory MiB] [--timeout S]\n'
      + '       v86-boot BZIMAGE --bios BIOS.bin [--initrd FILE] [--append CMDLINE] [--end-line TEXT] [--memory MiB] [--timeout S]\n');
    return 2;
  }
  const memoryMiB = Number(option(argv, '--memory') ?? '128');
  const timeoutS = Number(option(argv, '--timeout') ?? '120');
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('v86/package.json'));
  const { V86 } = (await import('v86')) as unknown as { V86: new (options: object) => V86Like };
  const image = (file: string): { buffer: ArrayBuffer } => {
    const b = readFileSync(file);
    return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  };
  const bios = option(argv, '--bios');
  const initrd = option(argv, '--initrd');
  const endLine = option(argv, '--end-line');
  const boot = bios === undefined
    ? { multiboot: image(kernelPath) }
    : { bios: image(bios), bzimage: image(kernelPath), initrd: initrd === undefined ? undefined : image(initrd), cmdline: option(argv, '--append') ?? '' };

  const emulator = new V86({
    wasm_path: path.join(packageDir, 'build', 'v86.wasm'),
    memory_size: memoryMiB * 1024 * 1024,
    ...boot,
    autostart: true,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
  });

  const out: number[] = [];
  let line = '';
  /** The guest has printed --end-line. */
  let ended = false;
  let finish = (_status: number): void => {};
  const flush = (): void => {
    if (out.length) process.stdout.write(Buffer.from(out.splice(0)));
  };
  emulator.add_listener('serial0-output-byte', (byte) => {
    out.push(byte);
    if (byte === 10 || out.length > 4096) flush();
    if (endLine === undefined) return;
    if (byte !== 10) line += String.fromCharCode(byte);
    else if (line.replace(/\r$/, '').endsWith(endLine)) {
      ended = true;
      finish(0);
    } else line = '';
  });
  // The reset after the end line makes v86 panic (a wasm trap) before the
  // exit above has run: that is the guest's end, not a failure.
  process.on('uncaughtException', (error) => {
    flush();
    if (!ended) process.stderr.write(`v86-boot: ${error.stack ?? error.message}\n`);
    process.exit(ended ? 0 : 1);
  });

  return new Promise<number>((resolve) => {
    finish = (status: number): void => {
      flush();
      resolve(status);
    };
    const timer = setTimeout(() => {
      process.stderr.write(`v86-boot: no exit through port 0xf4${endLine === undefined ? '' : ' nor end line'} within ${timeoutS} s\n`);
      finish(124);
    }, timeoutS * 1000);
    emulator.add_listener('emulator-started', () => {
      const exit = (value: number): void => {
        clearTimeout(timer);
        finish((((value & 0xff) << 1) | 1) >>> 0);
      };
      emulator.v86.cpu.io.register_write(0xf4, {}, exit, exit, exit);
    });
  });
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`v86-boot: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
