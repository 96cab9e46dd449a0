#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Linux guest's initramfs (gzip'd newc cpio): busybox-static,
# selftests/tandem/linux_guest/init as /init and linux_guest/tsc.c, built
# static without libc, as /bin/tsc, selftests/bench/iobench.c, built
# static, as /bin/iobench, the kernel's pvpanic modules, its
# virtio-mmio, virtio-blk, virtio-net and ext4 modules (with what they
# need, in /lib/modules/virtio.order), and mke2fs with its libraries.
# linux_boot_test, the virtio tests, make lab, make demo
# and make bench boot the lab's own kernel on it, under Tandem; make bench
# also boots it natively in the lab's emulator.
#
# usage: mkguestinitrd.sh --out FILE.cpio.gz
# Environment: CC (default gcc), KVER (the guest kernel's version, whose
# modules it carries; default: newest /boot/vmlinuz-*-amd64).
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
if [ -z "${KVER:-}" ]; then
	KVER=$(find /boot -maxdepth 1 -name 'vmlinuz-*-amd64' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1)
fi
[ -n "$KVER" ] || { echo "mkguestinitrd: no /boot/vmlinuz-*-amd64" >&2; exit 1; }
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
# The panic notifier driver (pvpanic core, then its ACPI/port front end)
# of the kernel the guest boots, which /init loads before its shell.
mkdir -p "$stage/lib/modules"
for m in pvpanic pvpanic-mmio; do
	src=$(find "/lib/modules/$KVER/kernel/drivers/misc/pvpanic" \
		-name "$m.ko*" 2>/dev/null | head -n 1)
	if [ -z "$src" ]; then
		echo "mkguestinitrd: $m.ko not found for kernel $KVER" >&2
		exit 1
	fi
	case "$src" in
	*.ko.xz) xz -dc "$src" ;;
	*.ko.zst) zstd -qdc "$src" ;;
	*.ko.gz) gzip -dc "$src" ;;
	*) cat "$src" ;;
	esac >"$stage/lib/modules/$m.ko"
done
# Modules the virtio tests load, dependencies first (from modules.dep,
# whose lists put a module's dependencies deepest last).
moddep=/lib/modules/$KVER/modules.dep
[ -f "$moddep" ] || { echo "mkguestinitrd: no $moddep" >&2; exit 1; }
order=""
for want in crc32c_generic virtio_mmio virtio_blk virtio_net ext4; do
	line=$(grep -E "/$want\.ko(\.[a-z]+)?:" "$moddep") || {
		echo "mkguestinitrd: $want not in $moddep" >&2
		exit 1
	}
	list=""
	for p in ${line#*:}; do list="$p $list"; done
	for p in $list ${line%%:*}; do
		name=$(basename "${p%.ko*}")
		case " $order " in *" $name "*) continue ;; esac
		order="$order $name"
		case "$p" in
		*.ko.xz) xz -dc "/lib/modules/$KVER/$p" ;;
		*.ko.zst) zstd -qdc "/lib/modules/$KVER/$p" ;;
		*.ko.gz) gzip -dc "/lib/modules/$KVER/$p" ;;
		*) cat "/lib/modules/$KVER/$p" ;;
		esac >"$stage/lib/modules/$name.ko"
	done
done
echo $order | tr ' ' '\n' >"$stage/lib/modules/virtio.order"
# mke2fs, its configuration and its shared libraries.
mkdir -p "$stage/sbin" "$stage/etc"
cp /sbin/mke2fs "$stage/sbin/mke2fs"
[ ! -f /etc/mke2fs.conf ] || cp /etc/mke2fs.conf "$stage/etc/"
for lib in $(ldd /sbin/mke2fs | grep -oE '/[^ ]+'); do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
${CC:-gcc} -static -nostdlib -O2 -Wall -Wextra -Werror -fno-stack-protector \
	-o "$stage/bin/tsc" "$guest/tsc.c"
strip "$stage/bin/tsc"
${CC:-gcc} -static -O2 -Wall -Wextra -Werror -o "$stage/bin/iobench" \
	"$here/../bench/iobench.c"
strip "$stage/bin/iobench"
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0 | gzip -6) >"$out.tmp"
mv "$out.tmp" "$out"
