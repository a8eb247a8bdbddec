; Privileged and I/O instructions become VMM calls; state known before an
; emulate is forgotten after it.
bits 32
org 0x1000
    mov eax, 1
    mov dx, 0x3f8
    out dx, al
    in al, dx
    add eax, eax
    cli
    mov cr0, eax
    nop
