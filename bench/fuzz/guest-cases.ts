/**
 * Guest fuzzing: random code run by translation, under the shadow and nested
 * MMUs, with and without single-step, in this process.
 *
 * Each guest is a flat image: a prologue (assembled here by btvm's own
 * assembler) loads a flat GDT and an IDT whose 256 gates all lead to one
 * recovery handler, then runs CHUNKS chunks of random bytes. Whatever a chunk
 * raises, the handler reloads the tables, the segments, ESP, CR0 (paging off)
 * and EFLAGS, and starts the next chunk with clean registers; after the last
 * it writes to isa-debug-exit. Random code may still wreck the handler
 * (stores into it, a page table that hides it): the run then ends by triple
 * fault, halt or the instruction limit, which are all fine. What is not fine
 * — a finding — is an internal error (exit 70: an exception escaped into the
 * host), a run longer than the time limit, or the host growing beyond guest
 * RAM + 512 MiB (checked by the caller, which sees the process).
 */
import { assemble } from '../../src/assembler/index.js';
import { describeFailure } from '../../src/cli/failure.js';
import { Machine } from '../../src/machine/machine.js';
import type { MmuKind } from '../../src/mmu/create-mmu.js';
import type { Finding } from './finding.js';
import { Random } from './random.js';

export const GUEST_RAM_BYTES = 16 << 20;
const LOAD = 0x100000;
export const CHUNKS = 64;
export const CHUNK_BYTES = 48;
/** Random code that runs once (a walk through zeroed RAM) is translated per block and never reused: ~0.25 ms of host CPU per instruction single-stepped, so guests stay short. */
const MAX_INSNS = 20_000;
/**
 * A case slower than this, in CPU time (the process's, V8's compiler and GC
 * threads included), is a finding. CPU time, not wall time: a long run
 * shares the machine, and in wall time a case that took 5 s of CPU took
 * 38–60 s when four other processes ran beside it at a lower priority.
 * A host hang is the parent's watchdog's (bench/fuzz.ts --timeout).
 */
const SLOW_MS = 30_000;

const PROLOGUE = `
bits 32
org ${LOAD}
start:
  ; The loader's flat segments are live until the handler loads its own: fill the IDT, then recover as from an exception.
  cli
  mov edi, idt
  mov ecx, 256
fill:
  mov eax, handler
  mov [edi], ax
  mov word [edi+2], 0x08
  mov word [edi+4], 0x8e00
  shr eax, 16
  mov [edi+6], ax
  add edi, 8
  loop fill
handler:
  cli
  lgdt [cs:gdtr]
  lidt [cs:idtr]
  jmp 0x08:reload
reload:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov ss, ax
  mov esp, 0x90000
  mov eax, cr0
  and eax, 0x7fffffff
  or eax, 1
  mov cr0, eax
  push 2
  popf
next:
  mov eax, [count]
  inc eax
  mov [count], eax
  cmp eax, ${CHUNKS}
  jae done
  imul eax, eax, ${CHUNK_BYTES}
  add eax, chunks
  xor ebx, ebx
  xor ecx, ecx
  xor edx, edx
  xor esi, esi
  xor edi, edi
  xor ebp, ebp
  jmp eax
done:
  mov al, 0x10
  out 0xf4, al
  hlt
align 8
gdt: dd 0, 0, 0x0000ffff, 0x00cf9a00, 0x0000ffff, 0x00cf9200
gdtr: dw 23
  dd gdt
idtr: dw 2047
  dd idt
count: dd -1
align 8
idt: times 2048 db 0
chunks:
`;

let prologue: Uint8Array | null = null;

/** The guest image of `seed`: prologue, then CHUNKS × CHUNK_BYTES random bytes (or `body`). */
export function guestImage(seed: number, body = new Random(seed).bytes(CHUNKS * CHUNK_BYTES)): Uint8Array {
  prologue ??= assemble(PROLOGUE, { file: 'fuzz-guest.s' }).bytes;
  const image = new Uint8Array(prologue.length + body.length);
  image.set(prologue);
  image.set(body, prologue.length);
  return image;
}

/** The configuration seed `seed` runs under: both MMUs, with and without single-step. */
export function guestConfig(seed: number): { mmu: MmuKind; singleStep: boolean } {
  return { mmu: (seed & 1) === 0 ? 'shadow' : 'nested', singleStep: (seed & 2) !== 0 };
}

/** Guest case `seed`; `maxInsns` bounds the run (CI uses fewer than the script). */
export async function runGuestCase(seed: number, maxInsns = MAX_INSNS): Promise<Finding | null> {
  const { mmu, singleStep } = guestConfig(seed);
  const outcome = await runGuest(guestImage(seed), mmu, singleStep, maxInsns);
  const where = `--mmu ${mmu}${singleStep ? ' --single-step' : ''}`;
  if (outcome.status === 70) return { kind: 'internal-error', family: 'guest', seed, detail: `${where}: ${outcome.detail}` };
  if (outcome.cpuMs > SLOW_MS) return { kind: 'timeout', family: 'guest', seed, detail: `${where}: ${Math.round(outcome.cpuMs)} ms of CPU (${outcome.detail})` };
  return null;
}

/** Runs a guest image; an exception escaping the machine counts as its describeFailure status. */
export async function runGuest(image: Uint8Array, mmu: MmuKind, singleStep: boolean, maxInsns: number): Promise<{ status: number; detail: string; cpuMs: number; exceptions: number }> {
  const cpu0 = process.cpuUsage();
  let status: number;
  let detail = '';
  let exceptions = 0;
  try {
    const machine = new Machine({
      image: { kind: 'flat', bytes: image, loadAddress: LOAD, entry: LOAD },
      memoryBytes: GUEST_RAM_BYTES,
      time: { kind: 'icount', shift: 0 },
      maxInsns,
      serialOutput: () => {},
      mmu,
      singleStep,
    });
    const result = await machine.run();
    status = result.exitStatus;
    exceptions = result.stats.exceptions;
    detail = `${result.reason.kind}${'detail' in result.reason ? `: ${result.reason.detail}` : ''}`;
  } catch (e) {
    const f = describeFailure(e);
    status = f.status;
    detail = `${f.message}${e instanceof Error ? ` ${e.stack?.split('\n')[1]?.trim() ?? ''}` : ''}`;
  }
  const cpu = process.cpuUsage(cpu0);
  return { status, detail, cpuMs: (cpu.user + cpu.system) / 1000, exceptions };
}
