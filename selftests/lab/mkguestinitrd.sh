#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Linux guest's initramfs (gzip'd newc cpio): busybox-static,
# selftests/tandem/linux_guest/init as /init and linux_guest/tsc.c, built
# static without libc, as /bin/tsc. linux_boot_test, make lab, make demo
# and make bench boot the lab's own kernel on it, under Tandem; make bench
# also boots it natively in the lab's emulator.
#
# usage: mkguestinitrd.sh --out FILE.cpio.gz
# Environment: CC (default gcc).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
guest=$(cd "$here/../tandem/linux_guest" && pwd)

usage() {
	echo "usage: $0 --out FILE.cpio.gz" >&2
	exit 2
}

out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$out" ] || usage
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
busybox=/bin/busybox
[ -x "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' || {
	echo "mkguestinitrd: $busybox is not a static busybox (install busybox-static)" >&2
	exit 1
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/tandem-guest.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"
cp "$busybox" "$stage/bin/busybox"
cp "$guest/init" "$stage/init"
chmod 755 "$stage/init"
${CC:-gcc} -static -nostdlib -O2 -Wall -Wextra -Werror -fno-stack-protector \
	-o "$stage/bin/tsc" "$guest/tsc.c"
strip "$stage/bin/tsc"
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0 | gzip -6) >"$out.tmp"
mv "$out.tmp" "$out"
