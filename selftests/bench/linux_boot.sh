#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot-to-init of a Linux guest under Tandem, in a lab (bench.sh): the
# lab's own kernel (/lib/tandem/guest/vmlinuz) with the guest initramfs,
# whose /init in bench mode reports its clocks and powers off. lab.sh
# boots the same kernel, initramfs and command line natively afterwards.
#
# usage: linux_boot.sh svm|vmx
# Needs tandem_hv and tandem_policy loaded, and tracefs.
#
# The lab's clock here is its TSC, read by ftrace (trace_clock x86-tsc):
#   t0       a trace marker written just before `tandem create -f`
#   vminit   a kretprobe on the backend's vm_init (DOMAIN_START): the
#            guest's TSC is set to 0 a few instructions after it returns
#   first    a kprobe on the backend's vcpu_run: the first entry into the
#            guest (disabled, which disarms it, once it has fired, so that
#            the boot does not pay for it on every exit; it is removed at
#            the end, which clears the trace)
# Prints "bench: tandem linux_<phase> <us> us" (linux_phases.awk), the
# guest's console lines as "bench: guest ...", and the command line the
# guest saw as "bench: linux cmdline ...".
lab=$1
dir=$(dirname "$0")
tr=/sys/kernel/tracing
name=bench-linux
cfg=/tmp/$name.cfg
fifo=/tmp/$name.events
mon=""

cleanup() {
	[ -n "$mon" ] && kill "$mon" 2>/dev/null
	exec 3<&- 2>/dev/null
	rm -f "$fifo" "$cfg"
	tandem destroy "$name" >/dev/null 2>&1
	echo 0 >"$tr/tracing_on" 2>/dev/null
	echo 0 >"$tr/events/tandem/enable" 2>/dev/null
	echo >"$tr/kprobe_events" 2>/dev/null
	echo local >"$tr/trace_clock" 2>/dev/null
}
fail() {
	echo "bench: linux boot under tandem: $*"
	cleanup
	exit 1
}

case "$lab" in svm|vmx) ;; *) echo "usage: $0 svm|vmx" >&2; exit 2 ;; esac
[ -r /lib/tandem/guest/vmlinuz ] || fail "no /lib/tandem/guest/vmlinuz"
[ -f "$tr/trace_clock" ] || mount -t tracefs nodev "$tr" ||
	fail "cannot mount tracefs"
echo 0 >"$tr/tracing_on"
echo x86-tsc >"$tr/trace_clock" || fail "no x86-tsc trace clock"
echo >"$tr/kprobe_events"
{
	echo "p:tandem/first tandem_hv:${lab}_vcpu_run"
	echo "r:tandem/vminit tandem_hv:${lab}_vm_init"
} >>"$tr/kprobe_events" || fail "cannot probe tandem_hv's ${lab}_vcpu_run, ${lab}_vm_init"
echo 1 >"$tr/events/tandem/enable" || fail "cannot enable the probes"
echo >"$tr/trace"
echo 1 >"$tr/tracing_on"

cat >"$cfg" <<EOF
name = "$name"
memory = 128
vcpus = 1
kernel = "/lib/tandem/guest/vmlinuz"
ramdisk = "/lib/tandem/guest/initrd.cpio.gz"
cmdline = "console=ttyS0 quiet tandem.run=bench"
on_poweroff = "preserve"
EOF

# The power-off comes as a DOMAIN_STATE event: wait for it on a pipe
# (asleep), not by asking again and again (which would take the lab's
# one CPU from the guest).
rm -f "$fifo"
mkfifo "$fifo" || fail "mkfifo"
tandem monitor >"$fifo" 2>&1 &
mon=$!
exec 3<"$fifo"
sleep 1

echo "t0 create" >"$tr/trace_marker"
out=$(tandem create -f "$cfg" 2>&1) || fail "tandem create -f: $out"
i=0
until grep -q ' first: ' "$tr/trace"; do
	i=$((i + 1))
	[ $i -le 1000 ] || fail "the guest never ran"
	sleep 0.01
done
echo 0 >"$tr/events/tandem/first/enable"

stopped=""
while read -r line <&3; do
	case "$line" in
	*" domain=\"$name\" "*"->shutdown"*|*" domain=$name "*"->shutdown"*) stopped=shutdown; break ;;
	*" domain=\"$name\" "*"->crashed"*|*" domain=$name "*"->crashed"*) stopped=crashed; break ;;
	esac
done
kill "$mon" 2>/dev/null
mon=""
console=$(tandem console "$name" --no-follow 2>&1)
echo "$console" | tr -d '\r' | grep '^tandem-guest: ' | sed 's/^/bench: guest /'
# Where the guest's time went: exits by reason, over the whole boot.
tandem info "$name" 2>&1 | sed 's/^/bench: info tandem linux domain: /'
echo "$console" | tr -d '\r' | sed -n 's/^tandem-guest: bench cmdline /bench: linux cmdline /p'
[ "$stopped" = shutdown ] || fail "the guest did not power off (${stopped:-no event}); console:
$(echo "$console" | tail -n 20)"

# The three lab TSC stamps: the number before the event's name.
stamp() {
	awk -v ev="$1" '!/^#/ {
		for (i = 2; i <= NF; i++)
			if ($i == ev && $(i - 1) ~ /^[0-9]+:$/) {
				print substr($(i - 1), 1, length($(i - 1)) - 1)
				exit
			}
	}' "$tr/trace"
}
t0=$(stamp tracing_mark_write:)
vminit=$(stamp vminit:)
first=$(stamp first:)
[ -n "$t0" ] && [ -n "$vminit" ] && [ -n "$first" ] ||
	fail "trace stamps missing (t0 '$t0', vm_init '$vminit', first entry '$first'); trace:
$(grep -v '^#' "$tr/trace" | head -n 5)"
echo "bench: info tandem linux: lab tsc at t0 $t0, vm_init returned $vminit, first entry $first"
echo "$console" | tr -d '\r' | awk -v hv=tandem -v first=$((first - t0)) \
	-v base=$((vminit - t0)) -f "$dir/linux_phases.awk"
rc=$?
cleanup
exit $rc
