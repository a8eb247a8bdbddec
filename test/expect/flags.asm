; Flag chains: inc keeps CF (read through flags.get cf), adc consumes it,
; setcc/cmovcc read conditions; thunks nobody reads disappear.
bits 32
org 0x1000
    add eax, ebx
    inc ecx
    inc ecx
    adc edx, 0
    cmp esi, edi
    setb al
    cmovg ebx, esi
    test eax, eax
    jl .neg
    dec edi
.neg:
    jmp [ebx]
