#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: run in the SVM lab (lab.sh demo --extra selftests/lab/demo)
# as /lib/tandem/demo.sh. Loads the modules, then shows a flat long-mode
# guest from start to end (it greets through the console hypercall and
# powers off), then boots Linux: the lab's kernel and a busybox initramfs,
# to its init and its power-off. Every command is echoed as "$ command"
# before its output. Exit status: 0 when every step worked, the greeting
# was seen and the Linux guest reached its init.

bins=/kselftest/tandem
image=$bins/guest_hello_long.bin
rc=0

step() {
	echo
	echo "\$ $*"
	"$@" || { echo "demo: '$*' failed"; rc=1; }
}

state() {
	tandem list 2>/dev/null | awk -v d="$1" '$2 == d { print $3 }'
}

echo "demo: Tandem in the $TANDEM_LAB lab ($(uname -r), $(nproc) CPUs)"
for m in tandem_hv tandem_policy; do
	step insmod "/lib/tandem/$m.ko"
done
[ -f "$image" ] || { echo "demo: $image is missing (make selftests)"; exit 1; }

step tandem info
step tandem create hello --memory 4M --vcpus 1 --image "$image" \
	--load 0x10000 --entry 0x10000 --mode long
step tandem start hello
i=0
while [ "$(state hello)" = running ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
step tandem console hello --no-follow
tandem console hello --no-follow 2>/dev/null |
	grep -q '^Hello from a long-mode guest$' ||
	{ echo "demo: the greeting is missing"; rc=1; }
step tandem list
step tandem info hello
step tandem regs hello
step tandem destroy hello

# An unmodified Linux: the lab's own kernel with a busybox initramfs,
# built from a configuration file. Its /init reports, sleeps 2 s and
# powers off; the domain is kept (on_poweroff = "preserve") to be shown.
cat >/tmp/linux.cfg <<'CFG'
name = "linux"
memory = 256
kernel = "/lib/tandem/guest/vmlinuz"
ramdisk = "/lib/tandem/guest/initrd.cpio.gz"
cmdline = "console=ttyS0 tandem.run=poweroff"
on_poweroff = "preserve"
CFG
echo
echo "\$ cat /tmp/linux.cfg"
cat /tmp/linux.cfg
step tandem create -f /tmp/linux.cfg
i=0
until tandem console linux --no-follow 2>/dev/null |
	grep -q 'tandem-guest: enter powers off' || [ $i -ge 1800 ]; do
	sleep 0.1
	i=$((i + 1))
done
step tandem console linux --send "$(printf '\r')"
i=0
while [ "$(state linux)" = running ] && [ $i -lt 1800 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo
echo "\$ tandem console linux --no-follow | grep -E 'Linux version|Command line|tsc: Detected|Run /init|tandem-guest'"
tandem console linux --no-follow 2>/dev/null |
	grep -E 'Linux version|Command line|tsc: Detected|Run /init|tandem-guest' |
	tee /tmp/linux.out
grep -q '^tandem-guest: uname Linux ' /tmp/linux.out ||
	{ echo "demo: the Linux guest did not reach its init"; rc=1; }
step tandem list
step tandem info linux
step tandem destroy linux
step tandem list
echo
echo "demo: done (rc $rc)"
exit $rc
