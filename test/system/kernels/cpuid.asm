; cpuid: prints what a kernel sees from CPUID under the emulated CPU model,
; one line per leaf: "LEAF/SUB: eax ebx ecx edx".  Recorded under
; qemu-system-i386 (default CPU model qemu32), it is the oracle for
; src/state/cpu-model.ts.  Leaves: every basic leaf up to the maximum, then every
; extended leaf up to its maximum, plus leaf 4 subleaves 1..4 and leaves
; beyond both maxima.
bits 32
section .multiboot
align 4
    dd 0x1BADB002
    dd 0
    dd -(0x1BADB002 + 0)

section .text
global _start
_start:
    mov esp, stack_top
    call serial_init
    xor eax, eax
    cpuid
    mov [max_basic], eax
    xor edi, edi
.basic:
    mov eax, edi
    xor ecx, ecx
    call show_leaf
    inc edi
    cmp edi, [max_basic]
    jbe .basic
    mov esi, 1
.cache:
    mov eax, 4
    mov ecx, esi
    call show_leaf
    inc esi
    cmp esi, 4
    jbe .cache
    ; leaves past the maxima: Intel returns the highest basic leaf's data
    mov eax, 5
    xor ecx, ecx
    call show_leaf
    mov eax, 0x40000000
    xor ecx, ecx
    call show_leaf
    mov eax, 0x40000001
    xor ecx, ecx
    call show_leaf
    mov eax, 0x80000008
    xor ecx, ecx
    call show_leaf
    mov eax, 0xffffffff
    xor ecx, ecx
    call show_leaf
    mov eax, 0x80000000
    cpuid
    mov [max_ext], eax
    mov edi, 0x80000000
.ext:
    mov eax, edi
    xor ecx, ecx
    call show_leaf
    inc edi
    cmp edi, [max_ext]
    jbe .ext
    xor eax, eax
    jmp debug_exit

; EAX = leaf, ECX = subleaf
show_leaf:
    push eax
    call print_hex32
    mov al, '/'
    call serial_putc
    mov eax, ecx
    call print_hex32
    mov al, ':'
    call serial_putc
    pop eax
    cpuid
    push edx
    push ecx
    push ebx
    call space_hex
    pop eax
    call space_hex
    pop eax
    call space_hex
    pop eax
    call space_hex
    mov al, 10
    call serial_putc
    ret

space_hex:
    push eax
    mov al, ' '
    call serial_putc
    pop eax
    call print_hex32
    ret

%include "serial.inc"

section .bss
align 16
max_basic: resd 1
max_ext: resd 1
    resb 4096
stack_top:
