; Shifts: a count of zero leaves the flags alone (guarded thunk); constant
; counts let const-fold resolve the guard.
bits 32
org 0x1000
    shl eax, cl
    shr ebx, 1
    sar edx, 0
    rol esi, 4
    shld edi, eax, 3
    mov ecx, 2
    shl eax, cl
    ret
