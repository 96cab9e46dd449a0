#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the uncompressed ELF kernel (vmlinux) inside a bzImage.
#
# usage: extract-vmlinux.sh BZIMAGE OUT
#
# A bzImage carries its kernel compressed (xz for Debian's; gzip and zstd
# are handled too). Each place where a compressor's magic appears is tried
# until one decompresses to an ELF file. Tandem boots the result directly
# (userspace/vmlinux.c), skipping the decompressor, which is most of a
# Linux boot under an emulated lab. Exit status 0, or 1 with a message.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 BZIMAGE OUT" >&2; exit 64; }
in=$1 out=$2
[ -r "$in" ] || { echo "extract-vmlinux: cannot read $in" >&2; exit 1; }
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT

# try MAGIC DECOMPRESSOR...: the first offset of MAGIC that decompresses
# to an ELF file wins.
try() {
	local magic=$1 off
	shift
	command -v "$1" >/dev/null 2>&1 || return 1
	for off in $(LC_ALL=C grep -aboF "$(printf "$magic")" "$in" | cut -d: -f1); do
		tail -c +"$((off + 1))" "$in" | "$@" >"$tmp" 2>/dev/null || true
		if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			mv "$tmp" "$out"
			return 0
		fi
	done
	return 1
}

try '\375\067zXZ' xz -dc --single-stream ||
	try '\037\213\010' gzip -dc ||
	try '\050\265\057\375' zstd -dcq ||
	{ echo "extract-vmlinux: no xz, gzip or zstd stream in $in decompresses to an ELF kernel" >&2; exit 1; }
