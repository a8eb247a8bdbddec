; Loads and stores: puts before a possibly faulting access are kept
; (precise exceptions), a register stored twice without a fault between is
; written once.
bits 32
org 0x1000
    mov eax, [ebx+4]
    mov eax, [ebx+8]
    mov [ecx], eax
    push eax
    push ebx
    pop esi
    add dword [esi+ecx*4], 1
    mov edi, 1
    mov edi, 2
    call 0x2000
