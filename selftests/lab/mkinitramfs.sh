#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a lab initramfs (gzip'd newc cpio): busybox-static, the Tandem
# modules and CLI from the repo build, the installed kselftests, the shared
# libraries they need, and Debian's kvm modules for the lab kernel.
#
# usage: mkinitramfs.sh --out FILE.cpio.gz --lab svm|vmx --mode test|shell|demo|bench
#                       [--tests "a b"] [--extra DIR]... [--guest-initrd FILE]
#
# --guest-initrd: the Linux guest's initramfs to carry, instead of one
# built here by mkguestinitrd.sh (make bench boots the same file natively).
#
# Environment: KVER (lab kernel version, default: newest /boot/vmlinuz-*-amd64),
# KSFT_INSTALL (installed kselftests, default: <repo>/build/kselftest-install).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() {
	echo "usage: $0 --out FILE.cpio.gz --lab svm|vmx --mode test|shell|demo|bench [--tests \"a b\"] [--extra DIR]... [--guest-initrd FILE]" >&2
	exit 2
}

out="" lab="" mode="" tests="" extras=() guest_initrd=""
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--lab) lab=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--extra) extras+=("$2"); shift 2 ;;
	--guest-initrd) guest_initrd=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$out" ] || usage
case "$lab" in svm|vmx) ;; *) usage ;; esac
case "$mode" in test|shell|demo|bench) ;; *) usage ;; esac

warn() { echo "mkinitramfs: warning: $*" >&2; }
die() { echo "mkinitramfs: $*" >&2; exit 1; }

if [ -z "${KVER:-}" ]; then
	KVER=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' |
		sort -V | tail -n 1)
fi
[ -n "$KVER" ] || die "no /boot/vmlinuz-*-amd64 (install linux-image-amd64)"
ksft=${KSFT_INSTALL:-$top/build/kselftest-install}
busybox=/bin/busybox
[ -x "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
	die "$busybox is not a static busybox (install busybox-static)"

# Absolute paths: the build below runs in the staging directory.
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
if [ -n "$guest_initrd" ]; then
	guest_initrd=$(cd "$(dirname "$guest_initrd")" && pwd)/$(basename "$guest_initrd")
fi
for i in ${extras[@]+"${!extras[@]}"}; do
	extras[i]=$(cd "${extras[i]}" && pwd) || die "--extra ${extras[i]}: not a directory"
done

stage=$(mktemp -d "${TMPDIR:-/tmp}/tandem-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cd "$stage"

mkdir -p bin sbin usr/bin usr/sbin lib/tandem etc root proc sys dev tmp \
	run var/tmp mnt
chmod 1777 tmp var/tmp

# busybox and a symlink per applet (made here, so /init needs no setup).
cp "$busybox" bin/busybox
for applet in $("$busybox" --list-full); do
	[ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done

# The kselftest runner needs a GNU-like /usr/bin/timeout (see inside).
rm -f usr/bin/timeout
cat >usr/bin/timeout <<'EOF'
#!/bin/sh
# GNU timeout look-alike for the kselftest runner, which calls
# "timeout --foreground N timeout N TEST" and expects 124 on timeout.
# Busybox timeout knows neither --foreground nor 124, and kills only the
# command's pid, not its children (a shell test's "sleep" would keep the
# runner's output pipe open): so without --foreground the command runs in
# its own session and the whole process group is signalled, as GNU does.
fg=0 sig=TERM kill_after=5
while :; do
	case "${1:-}" in
	--foreground) fg=1; shift ;;
	-s) sig=$2; shift 2 ;;
	-k) kill_after=${2%%[!0-9]*}; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
n=${1%%[!0-9]*}
shift
start=$(date +%s)
if [ "$fg" = 1 ]; then
	# Backstop only: the runner nests a plain timeout inside this one,
	# which stops the whole test first.
	/bin/busybox timeout -s "$sig" $((n + 15)) "$@"
	rc=$?
else
	setsid "$@" &
	pid=$!
	setsid sh -c "sleep $n; kill -s $sig -- -$pid; sleep $kill_after; kill -s KILL -- -$pid" \
		</dev/null >/dev/null 2>&1 &
	watcher=$!
	wait "$pid"
	rc=$?
	kill -- "-$watcher" 2>/dev/null
fi
if [ "$rc" -gt 128 ] && [ $(($(date +%s) - start)) -ge "$n" ]; then
	rc=124
fi
exit "$rc"
EOF
chmod 755 usr/bin/timeout

cp "$here/init.sh" init
chmod 755 init
# Values for /init: written with printf %q-free quoting (single quotes).
q() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "LAB=$(q "$lab")"
	echo "MODE=$(q "$mode")"
	echo "TESTS=$(q "$tests")"
} >etc/tandem-lab

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
EOF
cat >etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "tandem-$lab" >etc/hostname
: >etc/fstab
ln -s /proc/mounts etc/mtab

# Device nodes for the kernel's own console setup (we are usually root;
# /init falls back to devtmpfs otherwise).
mknod -m 600 dev/console c 5 1 2>/dev/null || true
mknod -m 666 dev/null c 1 3 2>/dev/null || true

# Tandem: modules, CLI, kselftests. Our own ELF files lose their debug
# info: smaller initramfs, faster boot under emulation.
for ko in kmod-hv/tandem_hv.ko kmod-policy/tandem_policy.ko; do
	if [ -f "$top/$ko" ]; then
		cp "$top/$ko" lib/tandem/
		strip --strip-debug "lib/tandem/${ko##*/}"
	else
		warn "$ko is not built: skipped"
	fi
done
if [ -f "$top/userspace/tandem" ]; then
	cp "$top/userspace/tandem" usr/sbin/tandem
	strip --strip-debug usr/sbin/tandem
else
	warn "userspace/tandem is not built: skipped"
fi
# e2fsprogs, for virtio_blk_test to check a guest's file system from the
# lab host (e2fsck, debugfs) and for trying disks by hand (mke2fs).
for t in mke2fs e2fsck debugfs; do
	cp "/sbin/$t" "usr/sbin/$t"
done
if [ -f "$ksft/run_kselftest.sh" ]; then
	mkdir -p kselftest
	cp -a "$ksft/." kselftest/
	find kselftest -type f -perm -u+x | while read -r f; do
		if file "$f" | grep -q ELF; then strip --strip-debug "$f"; fi
	done
else
	warn "$ksft has no run_kselftest.sh: no selftests in the lab"
fi

# A Linux guest for linux_boot_test, make bench and for trying by hand:
# the lab's own kernel image, as lib/tandem/guest/vmlinuz (not when the
# tests run without linux_boot_test: it costs boot time under emulation),
# and its initramfs (mkguestinitrd.sh, or --guest-initrd's file). For the
# tests and the shell also the same kernel uncompressed, as
# lib/tandem/guest/vmlinux: booted directly, it skips the decompressor,
# most of a boot's time under emulation.
case " $mode $tests " in
" test  "*|*" linux_boot_test "*|*" virtio_blk_test "*|*" virtio_net_test "*|\
" shell "*|" demo "*|" bench "*)
	mkdir -p lib/tandem/guest
	cp "/boot/vmlinuz-$KVER" lib/tandem/guest/vmlinuz
	case "$mode" in
	test|shell)
		"$here/extract-vmlinux.sh" "/boot/vmlinuz-$KVER" \
			lib/tandem/guest/vmlinux ||
			die "cannot extract vmlinux from /boot/vmlinuz-$KVER"
		;;
	esac
	if [ -n "$guest_initrd" ]; then
		cp "$guest_initrd" lib/tandem/guest/initrd.cpio.gz
	else
		KVER=$KVER "$here/mkguestinitrd.sh" \
			--out "$stage/lib/tandem/guest/initrd.cpio.gz"
	fi
	;;
esac

# The benchmarks (make bench builds them): lib/tandem/bench/.
if [ "$mode" = bench ]; then
	[ -x "$top/selftests/bench/bench_kvm" ] ||
		die "selftests/bench is not built (make -C selftests/bench)"
	make -s -C "$top/selftests/bench" install DESTDIR="$stage" >/dev/null
	# Debian's iproute2 ip for devices.sh's veth pair (busybox ip cannot
	# name a peer nor move a link to another namespace); its shared
	# libraries come below.
	ip=/usr/sbin/ip
	[ -e "$ip" ] || ip=/sbin/ip
	"$ip" -V 2>/dev/null | grep -q iproute2 ||
		die "no iproute2 $ip on this host (install iproute2)"
	cp -L "$ip" lib/tandem/bench/ip
fi

# Debian's kvm modules for the lab kernel, brd (RAM disks, virtio_blk_test
# and the benchmarks) and veth for the benchmarks,
# with their dependencies (from modules.dep), decompressed because busybox insmod may not read .ko.xz.
moddir=/lib/modules/$KVER
if [ -f "$moddir/modules.dep" ]; then
	mods=""
	want="kvm-intel kvm-amd brd"
	[ "$mode" != bench ] || want="$want veth"
	for m in $want; do
		line=$(grep -E "/$m\\.ko(\\.[a-z]+)?:" "$moddir/modules.dep" || true)
		[ -n "$line" ] || { warn "$m not in $moddir/modules.dep"; continue; }
		mods="$mods ${line%%:*} ${line#*:}"
	done
	for p in $mods; do
		[ -f "lib/modules/$KVER/${p%.ko*}.ko" ] && continue
		mkdir -p "lib/modules/$KVER/$(dirname "$p")"
		dst="lib/modules/$KVER/${p%.ko*}.ko"
		case "$p" in
		*.ko.xz) xz -dc "$moddir/$p" >"$dst" ;;
		*.ko.zst) zstd -qdc "$moddir/$p" >"$dst" ;;
		*.ko.gz) gzip -dc "$moddir/$p" >"$dst" ;;
		*) cp "$moddir/$p" "$dst" ;;
		esac
	done
	# modules.dep for the copied modules, with the suffixes dropped.
	sed -E 's/\.ko\.(xz|zst|gz)/.ko/g' "$moddir/modules.dep" |
		while IFS= read -r l; do
			if [ -f "lib/modules/$KVER/${l%%:*}" ]; then echo "$l"; fi
		done >"lib/modules/$KVER/modules.dep"
else
	warn "no $moddir/modules.dep: no kvm modules in the lab"
fi

cat >lib/tandem/load-kvm.sh <<'EOF'
#!/bin/sh
# Load Debian's kvm for this lab: load-kvm.sh svm|vmx. Dependencies come
# from the modules.dep copied into the initramfs (insmod, deepest first).
set -eu
case "${1:-${TANDEM_LAB:-}}" in
svm) want=kvm-amd ;;
vmx) want=kvm-intel ;;
*) echo "usage: $0 svm|vmx" >&2; exit 2 ;;
esac
dir=/lib/modules/$(uname -r)
line=$(grep -E "/$want\\.ko:" "$dir/modules.dep")
list=""
for p in ${line#*:}; do list="$p $list"; done
for p in $list ${line%%:*}; do
	name=$(basename "$p" .ko | tr - _)
	[ -d "/sys/module/$name" ] && continue
	insmod "$dir/$p"
done
EOF
chmod 755 lib/tandem/load-kvm.sh

for d in ${extras[@]+"${extras[@]}"}; do
	[ -d "$d" ] || die "--extra $d: not a directory"
	cp -a "$d/." .
done

# Shared libraries of every dynamically linked ELF executable.
find . -type f -perm -u+x ! -name '*.ko' | while read -r f; do
	file "$f" | grep -q 'ELF.*dynamically linked' || continue
	ldd "$f" | grep -oE '/[^ ]+' || warn "ldd $f failed"
done | sort -u | while read -r lib; do
	[ -e ".$lib" ] && continue
	mkdir -p ".$(dirname "$lib")"
	cp -L "$lib" ".$lib"
done

mkdir -p "$(dirname "$out")"
find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0 | gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB, lab=$lab mode=$mode kernel=$KVER)"
