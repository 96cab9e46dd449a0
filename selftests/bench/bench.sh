#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks, inside a lab (/init's bench mode): Tandem first, then
# Debian's KVM (VMX/SVM has one owner at a time: Tandem holds it only while
# domains exist, KVM from its first VM on). Between the two, a Linux guest
# boots to init under Tandem (linux_boot.sh; lab.sh boots it natively),
# and another one's virtio disk and NIC are measured against the lab's own
# file read and a veth pair (devices.sh).
# Prints "bench: ..." lines.
#
# usage: bench.sh svm|vmx
# Environment: BENCH_N (iterations per run of a loop), BENCH_REPS (runs of
# each loop: the fastest counts), BENCH_RUNS (boots timed), BENCH_IO_N and
# BENCH_NET_MIB (devices.sh);
# /etc/tandem-bench, when lab.sh wrote one, sets them.
dir=$(dirname "$0")
# shellcheck disable=SC1091 # written by lab.sh bench
[ -f /etc/tandem-bench ] && . /etc/tandem-bench
lab=${1:-${TANDEM_LAB:-}}
n=${BENCH_N:-2000}
reps=${BENCH_REPS:-5}
runs=${BENCH_RUNS:-5}
rc=0

echo "bench: lab $lab n=$n reps=$reps runs=$runs"
dmesg | grep -m 2 -oE 'tsc: .*MHz.*' | sed 's/^/bench: info /'

"$dir/bench_tandem" -n "$n" -k "$reps" -r "$runs" "$dir/guest_bench.bin" || rc=1
"$dir/linux_boot.sh" "$lab" || rc=1
BENCH_IO_N=${BENCH_IO_N:-2000} BENCH_NET_MIB=${BENCH_NET_MIB:-32} \
	"$dir/devices.sh" || rc=1
rmmod tandem_policy tandem_hv 2>/dev/null

if /lib/tandem/load-kvm.sh "$lab"; then
	"$dir/bench_kvm" -n "$n" -k "$reps" -r "$runs" "$dir/guest_bench.bin" || rc=1
else
	echo "bench: loading Debian's kvm failed"
	rc=1
fi
exit $rc
