#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab driver used by the Makefile.
#
#   lab.sh check --labs "svm vmx" [--tests "a b"]
#       Run the kselftests in each lab (the labs boot concurrently), print
#       each lab's failures and "lab X: N passed, N failed, N skipped", and
#       write build/lab/totals ("X PASSED FAILED SKIPPED" per lab). With
#       every test (no --tests), the VMX lab runs as two machines: one boots
#       at once with the tests of LAB_VMX_FIRST, the other with the rest
#       once the SVM lab is done (two cores: at most three emulator
#       threads), and their counts add up to the VMX lab's line.
#   lab.sh shell --lab svm|vmx
#       Interactive root shell in a lab, with the Tandem modules loaded.
#   lab.sh demo --lab svm|vmx
#       Run /lib/tandem/demo.sh in the lab and show its output live.
#   lab.sh bench --labs "svm vmx"
#       Run the benchmarks (selftests/bench) in each lab, concurrently, in
#       the labs' deterministic clock mode with one CPU; then boot the
#       benchmarks' Linux guest natively in each lab's emulator; print the
#       tables and write build/bench/results.json.
#   Any command also takes --extra DIR (repeatable): DIR's files are
#   copied into the initramfs root (e.g. DIR/lib/tandem/demo.sh).
#
# Work files: build/lab/<lab>/ (initramfs, serial.log, run.out; bench:
# bench.log, native.log and native.results of the native Linux boot); the
# second VMX machine's in build/lab/vmx2/.
# Environment: LAB_TIMEOUT_SVM (default 1500 s), LAB_TIMEOUT_VMX (3400 s),
# LAB_CPUS_SVM (2), LAB_CPUS_VMX (1: Bochs with 2 CPUs runs at half speed),
# KVER (lab kernel), LAB_ENV (NAME=VALUE words put in the tests'
# environment, e.g. TANDEM_FUZZ_SEED=0x...), KSFT_INSTALL (installed
# kselftests), LAB_EXTRA
# (directories, as with --extra), LAB_DIR (work files, default build/lab:
# give each concurrent run its own), BENCH_N_SVM, BENCH_N_VMX (iterations
# per run of a benchmark loop), BENCH_REPS (runs of each loop; the fastest
# counts), BENCH_RUNS (boots timed), BENCH_IO_N, BENCH_NET_MIB (the device
# benchmarks' random reads and MiB sent: 2000 and 32 in the SVM lab, 500
# and 8 in the VMX lab), BENCH_OUT (where results.json goes, default
# build/bench).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
labdir=${LAB_DIR:-$top/build/lab}

usage() {
	sed -n 's/^#   //p' "$0" | sed -n '/^lab.sh /p' >&2
	exit 2
}

cmd=${1:-}
[ $# -gt 0 ] && shift
labs="" tests="" extra=()
for d in ${LAB_EXTRA:-}; do extra+=(--extra "$d"); done
while [ $# -gt 0 ]; do
	case "$1" in
	--labs|--lab) labs=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--extra) extra+=(--extra "$2"); shift 2 ;;
	*) usage ;;
	esac
done
for l in $labs; do
	case "$l" in svm|vmx) ;; *) echo "lab.sh: unknown lab '$l'" >&2; exit 2 ;; esac
done

lab_timeout() {
	if [ "$1" = svm ]; then echo "${LAB_TIMEOUT_SVM:-1500}"; else echo "${LAB_TIMEOUT_VMX:-3400}"; fi
}
lab_cpus() {
	if [ "$1" = svm ]; then echo "${LAB_CPUS_SVM:-2}"; else echo "${LAB_CPUS_VMX:-1}"; fi
}

# Build one lab's initramfs: mkinitrd LAB MODE [TESTS [DIR]] (DIR: the
# work directory's name under build/lab, default LAB)
mkinitrd() {
	mkdir -p "$labdir/${4:-$1}"
	"$here/mkinitramfs.sh" --out "$labdir/${4:-$1}/initrd-$2.cpio.gz" \
		--lab "$1" --mode "$2" --tests "${3:-}" ${extra[@]+"${extra[@]}"}
}

# The tests the first VMX machine runs when the VMX lab is split: the
# longest (Linux boots under Bochs), so that the second, which starts
# later, ends at about the same time.
vmx_first=${LAB_VMX_FIRST:-linux_boot_test virtio_blk_test virtio_net_test virtio_hostile_test module_test lifecycle_test}

# Split every installed test into the two VMX machines' lists: prints two
# lines, the first machine's tests and the second's.
vmx_split() {
	local list=${KSFT_INSTALL:-$top/build/kselftest-install}/kselftest-list.txt
	local a="" b="" t
	[ -f "$list" ] || return 1
	for t in $(sed -n 's/^tandem://p' "$list"); do
		case " $vmx_first " in
		*" $t "*) a="$a $t" ;;
		*) b="$b $t" ;;
		esac
	done
	[ -n "$a" ] && [ -n "$b" ] || return 1
	echo "${a# }"
	echo "${b# }"
}

# Boot a lab machine in the background: boot LAB DIR; its pid in $!.
boot() {
	"$here/run.sh" --lab "$1" --initrd "$labdir/$2/initrd-test.cpio.gz" \
		--log "$labdir/$2/serial.log" --timeout "$(lab_timeout "$1")" \
		--cpus "$(lab_cpus "$1")" >"$labdir/$2/run.out" 2>&1 &
}

# The Linux guest of the benchmarks, booted natively by the lab's
# emulator in its deterministic mode, one CPU: the lab kernel, the guest
# initramfs and the command line it had under Tandem (read from the lab's
# log), with the guest's RAM. Writes $labdir/LAB/native.results with the
# figures between the markers report.py reads.
#   bench_native LAB BENCH_LOG GUEST_INITRD
bench_native() {
	local l=$1 log=$2 initrd=$3 cmdline rc=0 res=$labdir/$1/native.results
	cmdline=$(tr -d '\r' <"$log" | sed -n 's/^bench: linux cmdline //p' | head -n 1)
	{
		echo "TANDEM-BENCH-BEGIN"
		if [ -z "$cmdline" ]; then
			echo "bench: native linux boot: not run (the lab printed no guest command line)"
			rc=1
		else
			echo "lab $l: native Linux boot (deterministic, 1 CPU): $cmdline" >&2
			"$here/run.sh" --lab "$l" --initrd "$initrd" \
				--log "$labdir/$l/native.log" --timeout "$(lab_timeout "$l")" \
				--cpus 1 --deterministic --memory 128 --append "$cmdline" \
				--begin '^tandem-guest: init,' --end '^tandem-guest: bench end' \
				>&2 || rc=1
			tr -d '\r' <"$labdir/$l/native.log" |
				awk -v hv=native -v first=0 -v base=0 \
					-f "$top/selftests/bench/linux_phases.awk" || rc=1
		fi
		echo "TANDEM-BENCH-END rc=$rc"
	} >"$res"
}

# The five test binaries that took the longest host time in a lab run,
# from run.sh's LOG.times: slowest LAB TIMES
slowest() {
	[ -s "$2" ] || return 0
	awk -v lab="$1" '
	$2 == "#" && $3 == "selftests:" { name = $5; t0 = $1; next }
	$2 ~ /^(not|ok)$/ && name != "" && $0 ~ / selftests: / {
		print $1 - t0, name; name = ""
	}' "$2" | sort -rn | head -n 5 |
		awk -v lab="$1" '{ s = s sep $2 " " $1 " s"; sep = ", " }
		END { if (s != "") print "lab " lab ": slowest: " s }'
}

case "$cmd" in
check)
	[ -n "$labs" ] || labs="svm vmx"
	mkdir -p "$labdir"
	rm -f "$labdir/totals"
	rm -rf "$labdir/vmx2"
	split=""
	case " $labs " in
	*" vmx "*)
		if [ -z "$tests" ] && [ "${LAB_VMX_SHARDS:-2}" = 2 ] &&
			split=$(vmx_split); then
			:
		else
			split=""
		fi
		;;
	esac
	pids="" svm_pid=""
	for l in $labs; do
		rm -f "$labdir/$l/serial.log" "$labdir/$l/run.out"
		t=$tests
		[ "$l" = vmx ] && [ -n "$split" ] && t=$(echo "$split" | head -n 1)
		if ! mkinitrd "$l" test "$t"; then
			echo "lab $l: FAIL could not build the initramfs" >"$labdir/$l/run.out"
			continue
		fi
		echo "lab $l: booting (timeout $(lab_timeout "$l") s)${t:+, tests: $t}"
		boot "$l" "$l"
		pids="$pids $!"
		[ "$l" = svm ] && svm_pid=$!
	done
	if [ -n "$split" ]; then
		t=$(echo "$split" | tail -n 1)
		if mkinitrd vmx test "$t" vmx2; then
			echo "lab vmx: second machine boots after the SVM lab, tests: $t"
			(
				if [ -n "$svm_pid" ]; then
					while kill -0 "$svm_pid" 2>/dev/null; do sleep 2; done
				fi
				boot vmx vmx2
				wait $!
			) &
			pids="$pids $!"
		else
			echo "lab vmx: FAIL could not build the initramfs" >"$labdir/vmx2/run.out"
		fi
	fi
	# run.sh's exit status is in its log; the summary reads the log.
	for p in $pids; do wait "$p" || true; done

	status=0
	for l in svm vmx; do
		case " $labs " in *" $l "*) ;; *) continue ;; esac
		dirs=$l
		[ "$l" = vmx ] && [ -n "$split" ] && dirs="vmx vmx2"
		sum_p=0 sum_f=0 sum_s=0
		for d in $dirs; do
			cat "$labdir/$d/run.out" 2>/dev/null || true
			out=$("$here/summarize.sh" --lab "$l" "$labdir/$d/serial.log") ||
				status=1
			name=$l
			[ "$dirs" = "$l" ] || name="$l ($d)"
			slowest "$name" "$labdir/$d/serial.log.times"
			# shellcheck disable=SC2046 # three numbers, or nothing
			set -- $(echo "$out" | tail -n 1 |
				sed -nE 's/^lab [a-z]+: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p')
			[ $# -eq 3 ] || set -- 0 1 0
			if [ "$dirs" = "$l" ]; then
				echo "$out"
			else
				# The machine's failures, then its counts as a part.
				echo "$out" | sed '$d'
				echo "lab $l ($d): $1 passed, $2 failed, $3 skipped"
			fi
			sum_p=$((sum_p + $1)) sum_f=$((sum_f + $2)) sum_s=$((sum_s + $3))
		done
		[ "$dirs" = "$l" ] ||
			echo "lab $l: $sum_p passed, $sum_f failed, $sum_s skipped"
		echo "$l $sum_p $sum_f $sum_s" >>"$labdir/totals"
	done
	exit $status
	;;
bench)
	[ -n "$labs" ] || labs="svm vmx"
	out=${BENCH_OUT:-$top/build/bench}
	mkdir -p "$labdir" "$out"
	# One Linux guest initramfs, booted under Tandem in the lab and
	# natively by bench_native.
	guest_initrd=$labdir/guest-initrd.cpio.gz
	"$here/mkguestinitrd.sh" --out "$guest_initrd" || {
		echo "lab.sh: could not build the Linux guest's initramfs"
		exit 1
	}
	pids="" logs=""
	for l in $labs; do
		log=$labdir/$l/bench.log
		rm -f "$log" "$labdir/$l/bench.out" "$labdir/$l/native.log" \
			"$labdir/$l/native.out" "$labdir/$l/native.results"
		# The iteration counts go in as /etc/tandem-bench.
		conf=$labdir/$l/bench-extra
		rm -rf "$conf"
		mkdir -p "$conf/etc"
		# The VMX lab (Bochs) is far slower: fewer device reads and
		# MiB sent there.
		if [ "$l" = svm ]; then
			n=${BENCH_N_SVM:-5000} io=2000 mib=32
		else
			n=${BENCH_N_VMX:-2000} io=500 mib=8
		fi
		printf 'BENCH_N=%s\nBENCH_REPS=%s\nBENCH_RUNS=%s\nBENCH_IO_N=%s\nBENCH_NET_MIB=%s\n' \
			"$n" "${BENCH_REPS:-5}" "${BENCH_RUNS:-5}" \
			"${BENCH_IO_N:-$io}" "${BENCH_NET_MIB:-$mib}" >"$conf/etc/tandem-bench"
		if ! "$here/mkinitramfs.sh" --out "$labdir/$l/initrd-bench.cpio.gz" \
			--lab "$l" --mode bench --extra "$conf" \
			--guest-initrd "$guest_initrd" ${extra[@]+"${extra[@]}"}; then
			echo "lab $l: FAIL could not build the initramfs"
			exit 1
		fi
		echo "lab $l: benchmarks booting (deterministic, 1 CPU, n=$n)"
		{
			"$here/run.sh" --lab "$l" --initrd "$labdir/$l/initrd-bench.cpio.gz" \
				--log "$log" --timeout "$(lab_timeout "$l")" --cpus 1 \
				--deterministic >"$labdir/$l/bench.out" 2>&1
			bench_native "$l" "$log" "$guest_initrd" \
				>>"$labdir/$l/bench.out" 2>&1
		} &
		pids="$pids $!"
		logs="$logs $l=$log $l=$labdir/$l/native.results"
	done
	for p in $pids; do wait "$p" || true; done
	status=0
	for l in $labs; do
		cat "$labdir/$l/bench.out"
		"$here/scan-log.sh" "$labdir/$l/bench.log" || status=1
	done
	# shellcheck disable=SC2086 # lab=log pairs
	"$top/selftests/bench/report.py" --json "$out/results.json" $logs || status=1
	exit $status
	;;
shell)
	[ -n "$labs" ] || labs=svm
	# shellcheck disable=SC2086 # the first of the labs named
	set -- $labs
	mkinitrd "$1" shell
	exec "$here/run.sh" --lab "$1" --initrd "$labdir/$1/initrd-shell.cpio.gz" \
		--log "$labdir/$1/shell.log" --timeout 0 --cpus "$(lab_cpus "$1")" \
		--interactive
	;;
demo)
	[ -n "$labs" ] || labs=svm
	# shellcheck disable=SC2086 # the first of the labs named
	set -- $labs
	l=$1 log=$labdir/$1/demo.log
	mkinitrd "$l" demo >&2
	: >"$log"
	"$here/run.sh" --lab "$l" --initrd "$labdir/$l/initrd-demo.cpio.gz" \
		--log "$log" --timeout "$(lab_timeout "$l")" \
		--cpus "$(lab_cpus "$l")" >"$labdir/$l/run.out" 2>&1 &
	run=$!
	# Live: what the guest printed between the BEGIN and END markers.
	tail -n +1 -f --pid="$run" "$log" | tr -d '\r' |
		awk '/^TANDEM-LAB-BEGIN/ { on = 1; next }
		     /^TANDEM-LAB-END/ { exit }
		     on { print; fflush() }' || true
	rc=0
	wait "$run" || rc=$?
	cat "$labdir/$l/run.out" >&2
	[ "$rc" -eq 0 ] || exit "$rc"
	end=$(tr -d '\r' <"$log" | sed -n 's/^TANDEM-LAB-END rc=//p')
	"$here/scan-log.sh" "$log" >&2 || exit 1
	[ "$end" = 0 ]
	;;
*)
	usage
	;;
esac
