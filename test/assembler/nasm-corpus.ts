/**
 * The differential corpus: a few thousand nasm-syntax lines covering every
 * non-VEX isa/ form at BITS 32 and 16, every addressing shape, operand and
 * address size changes, prefixes, immediates on the byte/word boundaries
 * (plain numbers, equ constants, forward equ, labels), jumps forward and
 * backward across the short/near boundary, and data directives. Built
 * deterministically from a seed; nasm-diff.test.ts assembles it with both
 * nasm and btvm and compares the bytes.
 */
import { getFormIndex } from '../../src/assembler/form-index.js';
import { hex, lineForForm, randomMemory, Rng } from './form-lines.js';

/** Mnemonics nasm 2.16 spells differently or lacks; their forms are covered by the round-trip test only. */
export const NOT_IN_NASM: ReadonlySet<string> = new Set<string>(['rdpkru', 'wrpkru', 'swapgs']);

function formLines(rng: Rng, out: string[]): void {
  for (const bits of [32, 16] as const) {
    out.push(`bits ${bits}`);
    for (const form of getFormIndex().all) {
      if (NOT_IN_NASM.has(form.mnemonic)) continue;
      const copies = bits === 32 && form.cls !== 'simd' ? 2 : 1;
      for (let k = 0; k < copies; k++) {
        const line = lineForForm(form, bits, rng, k === 1);
        // Relative targets are written `$±n`; nasm and btvm resolve them the same way.
        if (line !== null && !line.nasmDiffers) out.push(line.text);
      }
    }
  }
}

function addressingLines(rng: Rng, out: string[]): void {
  for (const bits of [32, 16] as const) {
    out.push(`bits ${bits}`);
    for (let i = 0; i < 150; i++) {
      const addr = rng.next() < 0.5 ? 32 : 16;
      const m = randomMemory(rng, addr, true, bits);
      const reg = rng.pick(bits === 32 ? ['eax', 'ecx', 'bx', 'dl'] : ['ax', 'si', 'ebx', 'ch']);
      const op = rng.pick(['mov', 'add', 'lea', 'cmp', 'xor']);
      if (op === 'lea' && (reg === 'dl' || reg === 'ch')) continue;
      out.push(rng.next() < 0.5 ? `${op} ${reg}, ${m.text}` : op === 'lea' ? `lea ${reg}, ${m.text}` : `${op} ${m.text}, ${reg}`);
    }
    for (const ea of ['[ebp]', '[esp]', '[ebp+0]', '[esp+0]', '[eax*2]', '[eax*3]', '[ecx*5+4]', '[edx*9]', '[eax+esp]', '[esp+eax]',
      '[ebp+eax]', '[eax+ebp]', '[ebx*4]', '[nosplit ebx*2]', '[ebx*1]', '[byte eax+4]', '[dword eax+4]', '[dword eax]',
      '[eax+ebx*2-8]', '[0]', '[-1]', '[0x7f]', '[ebx+0x7f]', '[ebx+0x80]', '[ebx-0x80]', '[ebx-0x81]', '[bp]', '[bp+0]', '[si]',
      '[bx+si+0x7f]', '[bx+di-0x80]', '[bp+di+0x100]', '[0x1234]', '[di+bx]', '[si+bp]', '[es:edi]', '[cs:0x10]', '[ss:esp+4]',
      '[ds:ebp]', '[fs:0]', '[gs:ebx+esi]', '[ebx+K_SMALL]', '[ebx+K_BIG]', '[ebx+L_DATA]', '[L_DATA]', '[ebx+L_DATA-L_CODE]',
      '[eax+(3*4)]', '[ecx+2*ebx+1]']) {
      if (bits === 16 && /e[a-z]{2}|esp/.test(ea) === false) out.push(`mov ax, ${ea}`);
      else out.push(`mov ecx, ${ea}`);
    }
  }
}

function immediateLines(rng: Rng, out: string[]): void {
  const values = ['0', '1', '-1', '127', '128', '-128', '-129', '255', '256', '0x7fff', '0x8000', '0xffff', '0x10000', '0xffffff80',
    '0xffffff7f', '0x7fffffff', '0x80000000', 'K_SMALL', 'K_BIG', 'K_FWD', 'L_DATA', 'L_DATA-L_CODE', "'ab'", '3*4+1', '(1<<7)',
    '-K_SMALL', '~0', '0x100/2', '$-$$'];
  for (const bits of [32, 16] as const) {
    out.push(`bits ${bits}`);
    for (const v of values) {
      for (const op of ['add', 'sub', 'and', 'cmp', 'adc', 'or', 'xor', 'sbb']) {
        out.push(`${op} ${rng.pick(['eax', 'ax', 'al', 'ecx', 'cx', 'bl'])}, ${v}`);
      }
      out.push(`${op2(rng)} dword [ebx], ${v}`, `${op2(rng)} word [bx+si], ${v}`, `${op2(rng)} byte [eax], ${v}`);
      out.push(`push ${v}`, `push word ${v}`, `push dword ${v}`, `imul eax, ecx, ${v}`, `imul cx, ${v}`, `mov eax, ${v}`, `mov word [eax], ${v}`);
      out.push(`test eax, ${v}`, `test cl, ${v}`, `test dword [esi], ${v}`, `shl eax, ${v}`.replace(/, .*/, ', 1'));
    }
    out.push('add eax, strict dword 1', 'add eax, strict byte 1', 'push strict dword 1', 'push strict word 1', 'push byte -1');
    out.push('shl eax, 1', 'shl eax, 2', 'rol byte [eax], 1', 'sar cx, cl', 'ret 0', 'ret 8', 'retf', 'retf 2', 'int 3', 'int3', 'int 0x80');
    out.push('enter 16, 0', 'enter 0x1000, 3', 'aam', 'aad', 'aam 16', 'in al, 0x60', 'out 0x80, al', 'in eax, dx', 'out dx, ax');
  }
}

function op2(rng: Rng): string {
  return rng.pick(['add', 'sub', 'mov', 'cmp', 'and', 'or', 'xor', 'adc', 'sbb']);
}

function prefixLines(out: string[]): void {
  for (const bits of [32, 16] as const) {
    out.push(`bits ${bits}`);
    for (const p of ['', 'rep ', 'repe ', 'repz ', 'repne ', 'repnz ', 'a16 ', 'a32 ', 'o16 ', 'o32 ', 'es ', 'fs ', 'cs ', 'rep fs ', 'a16 rep ']) {
      for (const s of ['movsb', 'movsw', 'movsd', 'stosb', 'stosd', 'lodsw', 'scasb', 'cmpsd', 'insb', 'outsw', 'xlatb']) out.push(`${p}${s}`);
    }
    out.push('lock add [eax], ebx', 'lock xchg [ebx], ecx', 'lock inc dword [esi]', 'lock cmpxchg [edi], edx', 'lock xadd [eax], al',
      'lock bts dword [eax], 3', 'lock add [es:eax], ebx', 'lock add [bx+si], ax', 'lock cmpxchg8b [esi]', 'lock neg byte [fs:ecx]',
      'fs mov eax, [ebx]', 'gs lodsb', 'o16 push 5', 'o32 push 5', 'o16 ret', 'o32 iret', 'a16 loop $', 'a32 jcxz $+2',
      'jecxz $+2', 'jcxz $+2', 'pushad', 'popad', 'pushaw', 'popaw', 'pushfd', 'pushfw', 'popfd', 'popfw', 'iretw', 'iretd',
      'pusha', 'popa', 'pushf', 'popf', 'iret', 'cbw', 'cwde', 'cwd', 'cdq', 'nop', 'pause', 'wait', 'fwait', 'xchg eax, eax',
      'xchg ax, ax', 'xchg ecx, eax', 'xchg eax, ecx', 'xchg cx, ax', 'xchg ebx, ecx', 'xchg [eax], bl', 'xchg bl, [eax]',
      'test ecx, ebx', 'test [eax], ecx', 'test ecx, [eax]', 'mov ds, ax', 'mov ds, eax', 'mov ax, ds', 'mov eax, ss',
      'mov [eax], es', 'mov es, [ebx]', 'mov word [eax], fs', 'push es', 'push cs', 'push ss', 'push ds', 'push fs', 'push gs',
      'pop es', 'pop ds', 'pop fs', 'pop gs', 'pop ss', 'sldt ax', 'sldt eax', 'str word [eax]', 'smsw eax', 'lar eax, ax',
      'lsl ecx, [ebx]', 'call [eax]', 'jmp [eax]', 'call word [eax]', 'call far [eax]', 'jmp far [ebx+4]', 'call eax', 'jmp cx',
      'call 0x08:0x1000', 'jmp 0x10:L_CODE', 'jmp word 0x08:0x1000', 'call dword 0x08:0x1000', 'les eax, [ebx]', 'lds si, [bx]',
      'lss esp, [eax]', 'lfs eax, [ecx]', 'lgs bx, [esi]', 'bound eax, [ebx]', 'bound cx, [bx]', 'arpl [eax], bx', 'arpl cx, dx',
      'lgdt [eax]', 'sidt [ebx]', 'o16 lgdt [eax]', 'lidt [L_DATA]', 'movzx eax, byte [ebx]', 'movzx ecx, dx', 'movsx ax, bl',
      'movsx edx, word [esi]', 'fadd st1', 'fadd st0, st2', 'fadd st2, st0', 'faddp', 'faddp st3', 'faddp st3, st0', 'fsub st1, st0',
      'fsubr st1, st0', 'fsubp', 'fsubrp', 'fdivp', 'fdivrp', 'fmulp', 'fxch', 'fxch st3', 'fcom', 'fcom st2', 'fcomp', 'fucom',
      'fucomp', 'fucompp', 'fcompp', 'fld st0', 'fld st3', 'fstp st1', 'fst st2', 'fcomi st1', 'fcomi st0, st3', 'fucomip st0, st1',
      'fcmovb st0, st2', 'ffree st4', 'fldcw [eax]', 'fnstcw [ebx]', 'fstcw [ebx]', 'fnstsw ax', 'fstsw ax', 'fnstsw [eax]',
      'fstsw [eax]', 'fld dword [eax]', 'fld qword [eax]', 'fld tword [eax]', 'fild word [eax]', 'fild dword [eax]',
      'fild qword [eax]', 'fistp qword [eax]', 'fbld [eax]', 'fbstp [eax]', 'fsave [eax]', 'fnsave [eax]', 'frstor [eax]',
      'fstenv [eax]', 'fnstenv [eax]', 'fldenv [eax]', 'finit', 'fninit', 'fclex', 'fnclex', 'fld1', 'fldz', 'fsqrt', 'fsin',
      'imul eax, 5', 'imul eax, 500', 'imul ax, [bx], 3', 'imul ecx', 'mul byte [eax]', 'cmpxchg8b [eax]', 'bswap ecx',
      'mov eax, cr0', 'mov cr3, ebx', 'mov dr7, eax', 'mov ecx, dr6', 'mov eax, [0x1000]', 'mov [0x1000], al', 'mov ax, [0x20]',
      'mov eax, [fs:0x10]', 'mov al, [es:0x5]', 'mov eax, [ebx+0x1000]', 'movnti [eax], ebx', 'nop eax', 'nop dword [eax]',
      'nop word [eax]', 'ud2', 'ud1 eax, ebx', 'ud0 eax, [ecx]', 'cpuid', 'rdtsc', 'rdmsr', 'wrmsr', 'sysenter', 'sysexit', 'hlt',
      'cli', 'sti', 'clts', 'invd', 'wbinvd', 'invlpg [eax]', 'lfence', 'mfence', 'sfence', 'clflush [eax]', 'monitor', 'mwait',
      'int1', 'icebp', 'into', 'sal eax, 1', 'setz al', 'setnae [eax]', 'cmovnz eax, ebx', 'jz $', 'jnae $', 'loopz $',
      'loopnz $', 'loop $', 'jpe $', 'jpo $');
  }
}

function jumpLines(out: string[]): void {
  let n = 0;
  for (const bits of [32, 16] as const) {
    out.push(`bits ${bits}`);
    for (const j of ['jmp', 'je', 'jne', 'jc', 'jg', 'jle', 'jmp short', 'jmp near', 'je near', 'call']) {
      for (const gap of [0, 1, 120, 123, 124, 125, 126, 127, 128, 129, 130, 200]) {
        if (j.endsWith('short') && gap > 123) continue;
        const a = `JF${n}`;
        const b = `JB${n}`;
        n++;
        out.push(`${j} ${a}`, `times ${gap} nop`, `${a}:`);
        out.push(`${b}:`, `times ${gap} nop`, `${j} ${b}`);
      }
    }
    // Chains: each jump's size moves the next one's target, so the passes must settle together.
    out.push(`CH${n}:`);
    for (let k = 0; k < 40; k++) out.push(`jne CH${n}`, 'times 3 nop');
    out.push(`jmp CH${n}`, `jmp CHE${n}`);
    for (let k = 0; k < 40; k++) out.push(`je CHE${n}`, 'nop');
    out.push(`CHE${n}:`);
    n++;
    out.push('loop $', 'jecxz $+10', 'jmp $+0x1000', 'jmp $-0x10', 'call $+5', 'jmp L_CODE', 'je L_DATA');
  }
}

function dataLines(out: string[]): void {
  out.push('bits 32', "db 1, 2, 3, 'abc', 0", 'db -1, 255, 0x80', "dw 0x1234, 'ab', 'abc', -2", "dd 0x12345678, L_CODE, 'abcd', 'a'",
    'dd L_DATA - L_CODE, $, $$, $-$$', 'dq 0x123456789abcdef0', 'dq -1', 'times 5 db 0xcc', 'times 3 dw 1, 2', 'times 4 nop',
    'times 2 mov eax, ebx', 'times (8 - ($-$$) % 8) % 8 db 0', 'align 16', 'align 8, db 0xaa', 'db 3+4*2, (3+4)*2, 17/3, 17 % 3, -17//3, -17 %% 3',
    'db 1<<4, 0xf0>>4, 0xf0&0x3c, 0xf0|0x0f, 0xf0^0xff, ~0x0f', "db 'he said \"hi\"', `x`", 'dw K_SMALL, K_BIG, K_FWD',
    'resb 3', 'resw 1', 'db 0x7f', 'alignb 4', 'db 1', 'L_DATA2 db 5', 'L_DATA3: dd L_DATA2', 'dd .loc', '.loc: db 1');
}

export function buildCorpus(seed = 2024): string {
  const rng = new Rng(seed);
  const out: string[] = ['; generated by test/assembler/nasm-corpus.ts', 'K_SMALL equ 5', 'K_BIG equ 0x12345', 'L_CODE:', 'bits 32'];
  formLines(rng, out);
  addressingLines(rng, out);
  immediateLines(rng, out);
  prefixLines(out);
  jumpLines(out);
  out.push('L_DATA:');
  dataLines(out);
  out.push('K_FWD equ 7', `K_HEX equ ${hex(0x40)}`);
  return out.join('\n') + '\n';
}
