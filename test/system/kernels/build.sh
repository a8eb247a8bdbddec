#!/bin/sh
# Rebuilds the VMM's probe kernels (*.asm here) and records their QEMU
# transcripts: K.elf, K.expected (serial output) and K.status (QEMU's exit
# status).  Needs nasm, binutils and qemu-system-i386.  The transcripts are
# the oracle test/system and test/vmm compare btvm against; QEMU runs with
# its default CPU model (qemu32), -no-reboot and isa-debug-exit, like
# fixtures/build.sh.
set -eu
cd "$(dirname "$0")"
LIB=../../../fixtures/kernels/lib
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for src in *.asm; do
    k=${src%.asm}
    nasm -f elf32 -I "$LIB/" "$src" -o "$TMP/$k.o"
    ld -m elf_i386 -T "$LIB/kernel.ld" --build-id=none -z max-page-size=0x1000 \
        --no-warn-rwx-segments -o "$k.elf" "$TMP/$k.o"
    set +e
    timeout 60 qemu-system-i386 -kernel "$k.elf" -serial stdio -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 > "$k.expected" < /dev/null
    echo $? > "$k.status"
    set -e
    echo "$k: status $(cat "$k.status"), $(wc -l < "$k.expected") lines"
done
