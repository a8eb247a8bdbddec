; 8- and 16-bit registers: the lifter masks and merges, const-fold drops
; the masks that repeat.
bits 32
org 0x1000
    mov al, 0x12
    mov ah, 0x34
    add al, ah
    movzx ecx, ax
    movsx edx, al
    mov bx, 0xfff0
    add bx, 0x20
    xchg cl, ch
    ret
