; rep string instructions: a block of their own, with exit.if for a zero
; count at entry.
bits 32
org 0x1000
    cld
    mov ecx, 0
    rep movsb
    rep stosd
    lodsb
    ret
