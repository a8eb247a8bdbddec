; Register arithmetic with constants: get-put forwarding feeds const-fold,
; and only the last thunk of the block survives flag-liveness.
bits 32
org 0x1000
    mov eax, 5
    add eax, 3
    mov ecx, eax
    sub ecx, 1
    xor edx, edx
    lea ebx, [eax+ecx*2+4]
    imul esi, ebx, 3
    cmp eax, 8
    je .taken
    nop
.taken:
    ret
