; Port output with 8/16-bit registers, as a UART driver writes it: the
; lifter reads AL twice for xor al,al (one temp after reuse, so x^x = 0),
; merges DX and AL into their registers, and every out ends up with
; constant port and value.
bits 32
org 0x1000
    mov dx, 0x3f9
    xor al, al
    out dx, al
    mov dx, 0x3fb
    mov al, 0x80
    out dx, al
    in al, dx
    test al, 0x20
    jz 0x1000
