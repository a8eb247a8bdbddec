; Division: #DE checks before any register write; a constant divisor and
; dividend fold the check, the helper call and the result away.
bits 32
org 0x1000
    div ecx
    mov eax, 100
    xor edx, edx
    mov ecx, 7
    div ecx
    idiv ebx
    ret
