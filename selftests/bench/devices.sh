#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The device benchmarks, in a lab (bench.sh, under Tandem): a Linux guest
# (the lab's kernel, the guest initramfs' /init in tandem.run=iobench)
# with a virtio-blk disk on a 64 MiB RAM block device of the lab (brd,
# /dev/ram0) and a virtio-net NIC, against the lab itself:
#   disk  the guest reads /dev/vda with O_DIRECT (iobench read -d); the
#         lab reads /dev/ram0 with O_DIRECT too: the same kind of request
#         on both sides (a file of tmpfs, which has no O_DIRECT, could
#         only be read buffered by the lab, from its page cache)
#   net   the guest sends BENCH_NET_MIB MiB over TCP to the lab host on
#         tdm<domid>.0; the same transfer over a veth pair from a network
#         namespace (unshare -n) to the lab's own; both timed by the
#         receiver (iobench recv), in the lab
# Prints "bench: tandem|host|veth <metric> <value> <unit>", and the guest's
# console lines as "bench: guest ...".
#
# usage: devices.sh
# Needs tandem_hv and tandem_policy loaded (changes the policy's disk_dirs).
# Environment: BENCH_IO_N (random reads, default 2000), BENCH_NET_MIB
# (default 32).
dir=$(dirname "$0")
ipr=$dir/ip
n=${BENCH_IO_N:-2000}
mib=${BENCH_NET_MIB:-32}
name=bench-devices
work=/tmp/tandem-bench
img=/dev/ram0
cfg=$work/$name.cfg
fifo=$work/$name.events
mon="" rcv="" snd=""
rc=0

cleanup() {
	for p in $mon $rcv $snd; do kill "$p" 2>/dev/null; done
	mon="" rcv="" snd=""
	exec 3<&- 2>/dev/null
	tandem destroy "$name" >/dev/null 2>&1
	"$ipr" link del tbv0 2>/dev/null
}
fail() {
	echo "bench: devices: $*"
	rc=1
}

mkdir -p "$work"
# brd's pages exist once written: write all 64 MiB, so that both sides
# copy data rather than find holes.
insmod "$(find "/lib/modules/$(uname -r)" -name brd.ko | head -n 1)" \
	rd_nr=1 rd_size=65536 2>/dev/null
[ -b "$img" ] || mknod "$img" b 1 0 2>/dev/null
if ! dd if=/dev/zero of="$img" bs=1M count=64 2>/dev/null || ! sync; then
	fail "cannot write $img (brd)"
	exit 1
fi

# The lab host on the same device, O_DIRECT as the guest.
"$dir/iobench" read -d -n "$n" "$img" >"$work/host.out" ||
	fail "iobench read -d $img failed"
sed 's/^/bench: host /' "$work/host.out"

# The guest: disk and NIC.
tandem policy set disk_dirs /dev || fail "cannot set the policy's disk_dirs"
cat >"$cfg" <<EOF
name = "$name"
memory = 128
vcpus = 1
kernel = "/lib/tandem/guest/vmlinuz"
ramdisk = "/lib/tandem/guest/initrd.cpio.gz"
cmdline = "console=ttyS0 quiet tandem.run=iobench tandem.n=$n tandem.mib=$mib"
on_poweroff = "preserve"
disk = [ "path=$img" ]
vif = [ "mac=02:54:00:12:34:56" ]
EOF
rm -f "$fifo"
mkfifo "$fifo" || fail "mkfifo"
tandem monitor >"$fifo" 2>&1 &
mon=$!
exec 3<"$fifo"
sleep 1
out=$(tandem create -f "$cfg" 2>&1) || {
	fail "tandem create -f: $out"
	cleanup
	exit 1
}
# The NIC's host side: tdm<domid>.0 with 192.0.2.1/24, a receiver on it.
nic=""
i=0
while [ -z "$nic" ] && [ $i -lt 100 ]; do
	for d in /sys/class/net/tdm*.0; do
		[ -e "$d" ] && nic=${d##*/}
	done
	[ -n "$nic" ] || sleep 0.1
	i=$((i + 1))
done
if [ -n "$nic" ]; then
	"$dir/iobench" recv 5001 >"$work/tandem.out" 2>&1 &
	rcv=$!
	if ! ip addr add 192.0.2.1/24 dev "$nic" || ! ip link set "$nic" up; then
		fail "cannot set up $nic"
	fi
else
	fail "no tdm<domid>.0 netdev"
fi
stopped=""
while read -r line <&3; do
	case "$line" in
	*" domain=\"$name\" "*"->shutdown"*|*" domain=$name "*"->shutdown"*) stopped=shutdown; break ;;
	*" domain=\"$name\" "*"->crashed"*|*" domain=$name "*"->crashed"*) stopped=crashed; break ;;
	esac
done
kill "$mon" 2>/dev/null
mon=""
console=$(tandem console "$name" --no-follow 2>&1 | tr -d '\r')
echo "$console" | grep '^tandem-guest: ' | sed 's/^/bench: guest /'
echo "$console" | sed -n 's/^tandem-guest: iobench \(disk_[a-z0-9_]* [0-9.]* [A-Za-z/]*\)$/bench: tandem \1/p'
tandem info "$name" 2>&1 | sed 's/^/bench: info tandem devices domain: /'
[ "$stopped" = shutdown ] || fail "the guest did not power off (${stopped:-no event}); console:
$(echo "$console" | tail -n 20)"
if [ -n "$rcv" ] && ! echo "$console" | grep -q '^tandem-guest: iobench sent 0$'; then
	fail "the guest did not send"
	kill "$rcv" 2>/dev/null
fi
if [ -n "$rcv" ]; then
	wait "$rcv" || fail "the receiver on $nic failed: $(cat "$work/tandem.out")"
	rcv=""
	sed -n 's/^net_/bench: tandem net_/p' "$work/tandem.out"
fi
cleanup

# The same transfer over a veth pair: the sender in its own network
# namespace (tbv1, 198.51.100.2), the receiver here (tbv0, .1).
insmod "$(find "/lib/modules/$(uname -r)" -name veth.ko | head -n 1)" 2>/dev/null
if "$ipr" link add tbv0 type veth peer name tbv1 &&
	"$ipr" addr add 198.51.100.1/24 dev tbv0 && "$ipr" link set tbv0 up; then
	"$dir/iobench" recv 5002 >"$work/veth.out" 2>&1 &
	rcv=$!
	unshare -n sh -c "i=0
		until $ipr link show tbv1 >/dev/null 2>&1; do
			i=\$((i + 1)); sleep 0.1
			[ \$i -le 600 ] && continue
			echo 'tbv1 did not appear in the namespace in 60 s'
			exit 1
		done
		$ipr link set lo up && $ipr addr add 198.51.100.2/24 dev tbv1 &&
		$ipr link set tbv1 up &&
		exec $dir/iobench send 198.51.100.1 5002 $mib" >"$work/veth-send.out" 2>&1 &
	snd=$!
	# tbv1 goes to the sender's namespace once it has one: moved before
	# unshare(2), it would stay here and the sender would wait in vain.
	i=0
	while [ "$(readlink "/proc/$snd/ns/net")" = "$(readlink /proc/self/ns/net)" ] &&
		[ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	"$ipr" link set tbv1 netns "$snd" || fail "cannot move tbv1 to a namespace"
	if ! wait "$snd"; then
		fail "the veth sender failed: $(cat "$work/veth-send.out")"
		kill "$rcv" 2>/dev/null
	fi
	snd=""
	wait "$rcv" || fail "the veth receiver failed: $(cat "$work/veth.out")"
	rcv=""
	sed -n 's/^net_/bench: veth net_/p' "$work/veth.out"
else
	fail "cannot make a veth pair"
fi
cleanup
rm -rf "$work"
exit $rc
