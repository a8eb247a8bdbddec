/**
 * QEMU's firmware configuration interface (fw_cfg) on its x86 I/O ports,
 * as QEMU 7.2's pc machine has it (QEMU docs/specs/fw_cfg.rst; values read
 * under qemu-system-i386 by fixtures/system/fwcfg.c):
 *
 *   0x510  selector: a 16-bit write selects an item and rewinds it; bit 15
 *          picks the architecture-specific items, bit 14 (write channel) is
 *          ignored. Byte reads of 0x510 read data, as QEMU's combined port does.
 *   0x511  data: each byte read returns the next byte of the item, 0 past its
 *          end or for an item that does not exist. Only byte reads and the
 *          selector's word write are valid accesses; others read 0 and do
 *          nothing (QEMU), and data writes are ignored.
 *   0x514  DMA address (big-endian 64 bits: high half at 0x514, low half at
 *          0x518, whose write starts the transfer); reads return the DMA
 *          signature "QEMU CFG".
 *
 * Items: 0x0000 signature "QEMU"; 0x0001 feature bits (1 traditional
 * interface, 2 DMA); 0x0002 UUID (zero); 0x0003 RAM size (64-bit LE);
 * 0x0005 number of CPUs and 0x000F maximum CPUs (16-bit LE, 1); 0x0019 the
 * file directory (a big-endian 32-bit count, then 64-byte entries). btvm
 * offers no files — QEMU lists 13 (ACPI and SMBIOS tables, boot order, option
 * ROMs) that a guest without a BIOS has no use for — so its directory is an
 * empty one, count 0. Arch item 0x8003 (the legacy e820 table) is a zero
 * count, as in QEMU.
 *
 * A DMA transfer reads the control structure { be32 control, be32 length,
 * be64 address } at the given guest-physical address: control bit 3 selects
 * the item in bits 31:16 first, bit 1 copies `length` bytes of the item into
 * guest memory (zeros past its end), bit 2 skips them, bit 4 (write) fails
 * since no item is writable; the control word is then written back as 0, or
 * with bit 0 (error) set. Every range written is reported (DmaMemory.written)
 * so that code translated from it and shadows of page tables in it go.
 */
import type { PortDevice } from './port-bus.js';

export const FW_CFG_PORT_SELECTOR = 0x510;
export const FW_CFG_PORT_DATA = 0x511;
export const FW_CFG_PORT_DMA = 0x514;
/** Ports 0x510..0x51B. */
export const FW_CFG_PORT_COUNT = 12;

export const FW_CFG_SIGNATURE = 0x0000;
export const FW_CFG_ID = 0x0001;
export const FW_CFG_UUID = 0x0002;
export const FW_CFG_RAM_SIZE = 0x0003;
export const FW_CFG_NB_CPUS = 0x0005;
export const FW_CFG_MAX_CPUS = 0x000f;
export const FW_CFG_FILE_DIR = 0x0019;
const FW_CFG_ARCH_LOCAL = 0x8000;
const FW_CFG_E820_TABLE = FW_CFG_ARCH_LOCAL | 0x0003;
const ENTRY_MASK = 0x3fff;
const FEATURE_TRADITIONAL = 1;
const FEATURE_DMA = 2;
/** "QEMU CFG" as the DMA port reads it (big-endian). */
const DMA_SIGNATURE = [0x51, 0x45, 0x4d, 0x55, 0x20, 0x43, 0x46, 0x47] as const;

const enum DmaControl {
  Error = 1,
  Read = 2,
  Skip = 4,
  Select = 8,
  Write = 16,
}

/** Guest-physical memory as DMA sees it. */
export interface DmaMemory {
  read8(pa: number): number;
  write8(pa: number, value: number): void;
  /** Told of each range DMA wrote, so that translated code and shadowed page tables there are dropped. */
  written?(pa: number, length: number): void;
}

function littleEndian(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
  return out;
}

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

export class FwCfg implements PortDevice {
  readonly accessWidth = 4;
  private readonly items = new Map<number, Uint8Array>();
  private current: Uint8Array | null = null;
  private offset = 0;
  private dmaHigh = 0;

  constructor(ramBytes: number, private readonly memory: DmaMemory) {
    this.items.set(FW_CFG_SIGNATURE, new TextEncoder().encode('QEMU'));
    this.items.set(FW_CFG_ID, littleEndian(FEATURE_TRADITIONAL | FEATURE_DMA, 4));
    this.items.set(FW_CFG_UUID, new Uint8Array(16));
    this.items.set(FW_CFG_RAM_SIZE, littleEndian(ramBytes, 8));
    this.items.set(FW_CFG_NB_CPUS, littleEndian(1, 2));
    this.items.set(FW_CFG_MAX_CPUS, littleEndian(1, 2));
    this.items.set(FW_CFG_FILE_DIR, new Uint8Array(4));
    this.items.set(FW_CFG_E820_TABLE, new Uint8Array(4));
    this.select(FW_CFG_SIGNATURE);
  }

  private select(key: number): void {
    this.current = this.items.get(key & (ENTRY_MASK | FW_CFG_ARCH_LOCAL)) ?? null;
    this.offset = 0;
  }

  private nextByte(): number {
    const item = this.current;
    if (item === null || this.offset >= item.length) return 0;
    return item[this.offset++]!;
  }

  readPort(port: number, size: 1 | 2 | 4): number {
    if (port >= FW_CFG_PORT_DMA) {
      let v = 0;
      for (let i = 0; i < size; i++) v |= DMA_SIGNATURE[(port - FW_CFG_PORT_DMA + i) & 7]! << (8 * i);
      return v >>> 0;
    }
    if (port > FW_CFG_PORT_DATA) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1; // 0x512, 0x513: nothing
    return size === 1 ? this.nextByte() : 0;
  }

  writePort(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === FW_CFG_PORT_SELECTOR && size === 2) this.select(value & 0xffff);
    else if (port === FW_CFG_PORT_DMA && size === 4) this.dmaHigh = bswap32(value);
    else if (port === FW_CFG_PORT_DMA + 4 && size === 4) this.dma(this.dmaHigh * 2 ** 32 + bswap32(value));
  }

  private readBe32(pa: number): number {
    const m = this.memory;
    return ((m.read8(pa) << 24) | (m.read8(pa + 1) << 16) | (m.read8(pa + 2) << 8) | m.read8(pa + 3)) >>> 0;
  }

  private dma(descriptor: number): void {
    if (descriptor >= 2 ** 32) return; // no guest memory up there
    const m = this.memory;
    let control = this.readBe32(descriptor);
    const length = this.readBe32(descriptor + 4);
    const address = this.readBe32(descriptor + 12); // the high half of a 32-bit guest's address is 0
    if ((control & DmaControl.Select) !== 0) this.select(control >>> 16);
    if ((control & DmaControl.Write) !== 0) control = DmaControl.Error;
    else if ((control & DmaControl.Read) !== 0) {
      for (let i = 0; i < length; i++) m.write8((address + i) >>> 0, this.nextByte());
      if (length > 0) m.written?.(address, length);
      control = 0;
    } else if ((control & DmaControl.Skip) !== 0) {
      for (let i = 0; i < length; i++) this.nextByte();
      control = 0;
    } else control = 0;
    for (let i = 0; i < 4; i++) m.write8(descriptor + i, (control >>> (24 - 8 * i)) & 0xff);
    m.written?.(descriptor, 4);
  }
}
