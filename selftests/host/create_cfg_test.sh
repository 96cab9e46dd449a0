#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `tandem create -f` refuses what it can check before talking to the
# hypervisor: configuration errors (file:line: key: message), missing
# files and kernels that do not fit, with exit status 1 and one line on
# stderr; usage errors give both forms of create and exit status 2. The
# same for the disk and nic commands' arguments. None of these cases
# reaches the netlink family. Prints TAP.
set -u

here=$(cd "$(dirname "$0")" && pwd)
tandem=$here/../../userspace/tandem
tmp=$(mktemp -d "${TMPDIR:-/tmp}/create_cfg_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

if [ ! -x "$tandem" ]; then
	echo "1..1"
	echo "not ok 1 - tandem is not built ($tandem): run 'make cli'"
	exit 1
fi

# expect NAME RC STDERR-PREFIX ARGS...: exit status RC, stderr starts so
expect() {
	local name=$1 rc=$2 want=$3 out got=0
	shift 3
	out=$(cd "$tmp" && "$tandem" "$@" 2>&1 >/dev/null) || got=$?
	if [ "$got" -eq "$rc" ] && [ "${out#"$want"}" != "$out" ]; then
		ok "$name"
	else
		echo "# exit $got (want $rc), stderr:"
		echo "$out" | sed 's/^/#   /'
		echo "# wanted it to start with: $want"
		not_ok "$name"
	fi
}

echo "TAP version 13"
echo "1..17"

printf 'name = "t"\nkernel = "k"\nmemory = 12X\n' >"$tmp/bad_size.cfg"
expect "bad size names file, line and key" 1 \
	"tandem: create: bad_size.cfg:3: memory: not a size: '12X'" \
	create -f bad_size.cfg

printf 'name = "t"\n' >"$tmp/no_kernel.cfg"
expect "missing kernel names file and key" 1 \
	"tandem: create: no_kernel.cfg: kernel: required key is missing" \
	create -f no_kernel.cfg

printf 'name = "t"\nkernel = "missing-bzImage"\n' >"$tmp/ok.cfg"
expect "override syntax error" 1 \
	"tandem: create: command line:2: 'vcpus': expected KEY=VALUE" \
	create -f ok.cfg memory=256 vcpus
expect "override with a bad value" 1 \
	"tandem: create: command line:1: vcpus: 65 is out of range (1 to 64)" \
	create --file=ok.cfg vcpus=65
expect "kernel path relative to the configuration file" 1 \
	"tandem: create: kernel '$tmp/missing-bzImage': No such file or directory" \
	create -f "$tmp/ok.cfg"
expect "a file that is not a bzImage is refused before any domain exists" 1 \
	"tandem: create t: kernel '$tmp/ok.cfg': truncated" \
	create -f ok.cfg "kernel=$tmp/ok.cfg"

vmlinuz=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | tail -1)
if [ -n "$vmlinuz" ] && [ -r "$vmlinuz" ]; then
	expect "a kernel that does not fit is refused before any domain exists" 1 \
		"tandem: create t: kernel '$vmlinuz': does not fit in memory" \
		create -f ok.cfg "kernel=$vmlinuz" memory=32
else
	skip "a kernel that does not fit is refused before any domain exists" \
		"no readable /boot/vmlinuz-*-amd64"
fi

expect "-f without a file shows both forms of create" 2 \
	"tandem: create: option '-f' needs a value
usage: tandem create -f FILE [-p] [KEY=VALUE ...]
       tandem create NAME --memory SIZE [--vcpus N]" \
	create -f
expect "create without -f is the other form" 2 \
	"tandem: create: --memory SIZE is required" \
	create web

printf 'name = "t"\nkernel = "k"\ndisk = [ "path=missing.img, ro" ]\n' \
	>"$tmp/disk.cfg"
expect "disk path relative to the configuration file, checked first" 1 \
	"tandem: create t: disk 1 '$tmp/missing.img': No such file or directory" \
	create -f "$tmp/disk.cfg"
printf 'name = "t"\nkernel = "k"\nvif = [ "name=t0, bridge=br0" ]\n' \
	>"$tmp/bridge.cfg"
expect "vif bridge= is refused before any domain exists" 1 \
	"tandem: create t: vif 1: bridge=br0: not supported yet" \
	create -f bridge.cfg
printf 'name = "t"\nkernel = "k"\nvif = [ "", "", "", "", "", "", "", "", "" ]\n' \
	>"$tmp/many.cfg"
expect "more devices than slots" 1 \
	"tandem: create t: 0 disks and 9 vifs: a domain has at most 8 virtio devices" \
	create -f many.cfg

expect "disk attach of a missing file" 1 \
	"tandem: disk attach: 'nope.img': No such file or directory" \
	disk attach web nope.img --ro
expect "disk attach --serial too long" 2 \
	"tandem: disk attach: --serial: at most 20 printable ASCII characters
usage: tandem disk attach NAME|ID PATH [--ro] [--serial SERIAL]" \
	disk attach web "$tmp/disk.cfg" --serial 123456789012345678901
expect "nic attach --mac multicast" 2 \
	"tandem: nic attach: --mac: '01:02:03:04:05:06' is a multicast address" \
	nic attach web --mac 01:02:03:04:05:06
expect "nic detach with a bad index" 2 \
	"tandem: nic detach: 'x' is not a device index (a number from 0 to 7)" \
	nic detach web x
expect "disk alone shows the group" 2 \
	"usage: tandem disk attach NAME|ID PATH [--ro] [--serial SERIAL]
       tandem disk detach NAME|ID INDEX" \
	disk

[ "$failed" -eq 0 ]
