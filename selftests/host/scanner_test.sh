#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scan-log.sh on lab serial logs: the clean fixtures (real runs of both
# labs, see scanner-fixtures/README) must pass; copies with one kernel
# trouble line injected must fail and name that line. Prints TAP.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
scan=$here/../lab/scan-log.sh
fix=$here/scanner-fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scanner_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# expect_clean NAME LOG
expect_clean() {
	local out rc=0
	out=$("$scan" "$2" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		ok "$1"
	else
		echo "# exit $rc, output:"; echo "$out" | sed 's/^/#   /'
		not_ok "$1"
	fi
}

# expect_hit NAME LOG LINE [COUNT]: exit 1 and "lab-log: LINE" COUNT times
expect_hit() {
	local out rc=0 got
	out=$("$scan" "$2" 2>&1) || rc=$?
	got=$(grep -cxF "lab-log: $3" <<<"$out" || true)
	if [ "$rc" -eq 1 ] && [ "$got" -eq "${4:-1}" ]; then
		ok "$1"
	else
		echo "# exit $rc, wanted 'lab-log: $3' ${4:-1} time(s), output:"
		echo "$out" | sed 's/^/#   /'
		not_ok "$1"
	fi
}

# in_dump LOG LINE: a copy of LOG with LINE at the end of its dmesg dump
in_dump() {
	awk -v l="$2" '/^TANDEM-DMESG-END/ { print l "\r" } { print }' "$1" >"$tmp/log"
	echo "$tmp/log"
}

# on_console LOG LINE: LOG cut after the first test's header, then LINE
# on the console as the kernel prints it (a crash before the dump)
on_console() {
	awk -v l="$2" '{ print } /^# selftests: / { print l "\r"; exit }' "$1" >"$tmp/log"
	echo "$tmp/log"
}

echo "TAP version 13"
echo "1..22"

svm=$fix/svm-clean.log
vmx=$fix/vmx-clean.log
expect_clean "clean svm lab log" "$svm"
expect_clean "clean vmx lab log" "$vmx"

ts="[   12.345678]"
while IFS= read -r case; do
	name=${case%%|*} line="$ts ${case#*|}"
	expect_hit "$name in dmesg dump" "$(in_dump "$svm" "$line")" "$line"
done <<'EOF2'
page fault|BUG: unable to handle page fault for address: ffffc90000a3b000
WARN|WARNING: CPU: 0 PID: 1 at kmod-hv/vcpu.c:123 tandem_vcpu_run+0x42/0x100 [tandem_hv]
lockdep|WARNING: possible circular locking dependency detected
soft lockup|watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [info_test:123]
hard lockup|NMI watchdog: Watchdog detected hard LOCKUP on cpu 1
rcu self-detected stall|rcu: INFO: rcu_preempt self-detected stall on CPU
rcu stall on CPUs|rcu: INFO: rcu_sched detected stalls on CPUs/tasks:
general protection fault|general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI
oops|Oops: 0002 [#1] PREEMPT SMP NOPTI
kernel BUG|kernel BUG at kmod-hv/memory.c:77!
panic|Kernel panic - not syncing: Fatal exception
KASAN|BUG: KASAN: use-after-free in tandem_domain_put+0x1c/0x40 [tandem_hv]
UBSAN|UBSAN: shift-out-of-bounds in kmod-hv/decode.c:10:5
hung task|INFO: task info_test:77 blocked for more than 120 seconds.
EOF2

line="$ts BUG: unable to handle page fault for address: 0000000000000008"
expect_hit "oops on the console, lab died before the dump (vmx)" \
	"$(on_console "$vmx" "$line")" "$line"

# The kernel's line cut into a test's output line on the console.
awk -v l="# ok 1 x.y$line" '{ print } /^# selftests: / { print l "\r"; exit }' "$svm" >"$tmp/log"
expect_hit "kernel line inside a test's output line" "$tmp/log" "$line"

# The same line on the console and in the dump is one finding.
awk -v l="$line" '/^# selftests: / { print l "\r" } /^TANDEM-DMESG-END/ { print l "\r" } { print }' "$svm" >"$tmp/log"
expect_hit "console and dump copies reported once" "$tmp/log" "$line" 1

# Test output (prefixed "# ", no timestamp) is not the kernel's.
awk '{ print } /^# selftests: / { print "# # BUG: WARNING: Oops in a test name\r" }' "$svm" >"$tmp/log"
expect_clean "test output mentioning BUG/WARNING is not a hit" "$tmp/log"

# A benign-looking boot line of the allow-list family that is not on it.
line="$ts RETBleed: WARNING: something else"
expect_hit "allow-list is exact" "$(in_dump "$vmx" "$line")" "$line"

rc=0
"$scan" "$tmp/does-not-exist" >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then ok "unreadable log is an error (exit 2)"; else not_ok "unreadable log is an error (exit 2), got $rc"; fi

[ "$failed" -eq 0 ]
