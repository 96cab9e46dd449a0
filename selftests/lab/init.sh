#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of a Tandem lab initramfs (see mkinitramfs.sh). The lab name and
# mode are written into /etc/tandem-lab at build time; the kernel command
# line's tandem_lab= overrides the lab name.
#
# Markers on the serial console (read by run.sh, summarize.sh, scan-log.sh):
#   TANDEM-LAB-BEGIN lab=<lab>
#   TANDEM-LAB-END rc=<rc>
#   TANDEM-DMESG-BEGIN ... TANDEM-DMESG-END
#   TANDEM-BENCH-BEGIN ... TANDEM-BENCH-END rc=<rc> (bench mode)

# No "set -e": /init must never exit (the kernel would panic); every
# path ends in finish() or poweroff.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# devtmpfs has no /dev/fd, /dev/std*: the kselftest runner writes to
# /dev/stdout.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
# The kernel may have found no /dev/console in the initramfs: use the
# devtmpfs one so that the serial console is our stdin/stdout.
exec </dev/console >/dev/console 2>&1

LAB=unknown MODE=test TESTS=""
# shellcheck disable=SC1091 # written by mkinitramfs.sh
. /etc/tandem-lab
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	tandem_lab=*) LAB=${arg#tandem_lab=} ;;
	esac
done

hostname "tandem-$LAB"
ip link set lo up 2>/dev/null || true
export HOME=/root TERM="${TERM:-vt100}"
export TANDEM_LAB="$LAB" TANDEM_MODDIR=/lib/tandem

# poweroff -f does not wait for the UART to send what is queued (Bochs
# sends at the line's baud rate): wait until ttyS0's tx count stops moving.
drain_console() {
	last="" i=0
	while [ $i -lt 240 ]; do
		tx=$(sed -n 's/^0:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial 2>/dev/null)
		if [ -z "$tx" ]; then
			sleep 2
			return
		fi
		[ "$tx" = "$last" ] && return
		last=$tx i=$((i + 1))
		sleep 0.5
	done
}

finish() {
	echo "TANDEM-LAB-END rc=$1"
	echo "TANDEM-DMESG-BEGIN"
	dmesg
	echo "TANDEM-DMESG-END"
	sync
	drain_console
	poweroff -f
	# poweroff -f should not return; if the machine cannot power off,
	# keep /init alive (its exit would panic) and let run.sh kill it.
	while :; do sleep 3600; done
}

echo "TANDEM-LAB-BEGIN lab=$LAB"

case "$MODE" in
test)
	args=""
	for t in $TESTS; do
		case "$t" in
		*:*) args="$args -t $t" ;;
		*) args="$args -t tandem:$t" ;;
		esac
	done
	if cd /kselftest; then
		# shellcheck disable=SC2086 # args is a word list on purpose
		./run_kselftest.sh $args
		rc=$?
		cd /
	else
		echo "lab: no /kselftest in this initramfs"
		rc=1
	fi
	finish "$rc"
	;;
demo)
	rc=0
	if [ -x /lib/tandem/demo.sh ]; then
		/lib/tandem/demo.sh
		rc=$?
	else
		echo "demo: /lib/tandem/demo.sh is missing"
		rc=1
	fi
	finish "$rc"
	;;
bench)
	# The figures go between markers, for lab.sh bench.
	echo "TANDEM-BENCH-BEGIN"
	/lib/tandem/bench/bench.sh "$LAB"
	rc=$?
	echo "TANDEM-BENCH-END rc=$rc"
	finish "$rc"
	;;
shell)
	for m in tandem_hv tandem_policy; do
		if [ -f "/lib/tandem/$m.ko" ]; then
			insmod "/lib/tandem/$m.ko" || echo "lab: insmod $m failed"
		fi
	done
	echo "lab $LAB: tandem modules loaded; try 'tandem info'."
	echo "lab $LAB: /kselftest/run_kselftest.sh runs the selftests;" \
		"/lib/tandem/load-kvm.sh $LAB loads Debian's kvm."
	echo "lab $LAB: leave with 'exit' (powers the lab off)."
	# setsid + cttyhack: a session with the serial line as controlling
	# tty, so that job control and ^C work.
	setsid cttyhack sh -l
	echo "TANDEM-LAB-END rc=0"
	sync
	drain_console
	poweroff -f
	while :; do sleep 3600; done
	;;
*)
	echo "lab: unknown mode '$MODE'"
	finish 1
	;;
esac
