#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The tandem CLI running flat binary guests, end to end: `tandem create
# --image` in real, protected and long mode, start, console, list, info,
# regs, pause, resume, destroy, and the refusals of bad images and
# layouts. Prints TAP (kselftest style, with a Totals line).
#
# Needs: tandem on PATH, tandem_hv.ko and tandem_policy.ko (loaded from
# $TANDEM_MODDIR, default /lib/tandem, when not loaded yet), and the
# payloads guest_hello_{real,prot,long}.bin and guest_tests_long.bin and
# the helper pty_run next to this script.
#
# shellcheck disable=SC2016,SC2034 # check() evals its single-quoted conditions

here=$(cd "$(dirname "$0")" && pwd)
moddir=${TANDEM_MODDIR:-/lib/tandem}
tmp=$(mktemp -d /tmp/cli_test.XXXXXX)
pfx="cli$$"
n=0 pass=0 fail=0
WAIT_S=${CLI_TEST_WAIT:-120}	# Bochs is slow: generous waits

trap 'cleanup' EXIT

cleanup() {
	for d in $(tandem list 2>/dev/null | awk -v p="$pfx" 'index($2, p) == 1 { print $2 }'); do
		tandem destroy "$d" >/dev/null 2>&1
	done
	tandem policy set mem_write_states created,paused >/dev/null 2>&1
	rm -rf "$tmp"
}

ok() {
	n=$((n + 1)) pass=$((pass + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1)) fail=$((fail + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do echo "# $l"; done
	if [ -s "$tmp/out" ]; then sed 's/^/# stdout: /' "$tmp/out" | head -40; fi
	if [ -s "$tmp/err" ]; then sed 's/^/# stderr: /' "$tmp/err" | head -20; fi
}

# run CMD...: run it, output in $tmp/out and $tmp/err, status in $rc.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# check NAME CONDITION...: one test case, "ok" when CONDITION succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $* (rc $rc)"; fi
}

# A column of the domain's row in `tandem list`: 3 state, 7 exits.
list_col() {
	tandem list 2>/dev/null | awk -v d="$1" -v c="$2" '$2 == d { print $c }'
}

listed() {
	[ -n "$(list_col "$1" 2)" ]
}

# wait_state DOMAIN STATE: poll `tandem list` until the state shows.
wait_state() {
	i=0
	while [ $i -lt $((WAIT_S * 10)) ]; do
		[ "$(list_col "$1" 3)" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1: state '$(list_col "$1" 3)' after ${WAIT_S}s, expected '$2'"
	return 1
}

# Wait until the console of $1 shows $2 (the console is left in $tmp/out).
wait_console() {
	i=0
	while [ $i -lt $((WAIT_S * 10)) ]; do
		tandem console "$1" --no-follow >"$tmp/out" 2>"$tmp/err" &&
			grep -q -- "$2" "$tmp/out" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1: no '$2' on the console after ${WAIT_S}s"
	return 1
}

out_has() { grep -q -- "$1" "$tmp/out"; }
err_has() { grep -q -- "$1" "$tmp/err"; }
succeeded() { [ "$rc" -eq 0 ]; }
failed_with() { [ "$rc" -ne 0 ] && err_has "$1"; }

echo "TAP version 13"

if ! command -v tandem >/dev/null; then
	echo "1..0 # SKIP tandem is not on PATH"
	exit 4
fi
for m in tandem_hv tandem_policy; do
	[ -d "/sys/module/$m" ] && continue
	if ! insmod "$moddir/$m.ko"; then
		echo "1..1"
		echo "not ok 1 - loading $moddir/$m.ko failed"
		exit 1
	fi
done
for f in guest_hello_real.bin guest_hello_prot.bin guest_hello_long.bin \
	 guest_tests_long.bin guest_platform_long.bin pty_run; do
	if [ ! -f "$here/$f" ]; then
		echo "1..1"
		echo "not ok 1 - $here/$f is missing (built by selftests/tandem/Makefile)"
		exit 1
	fi
done

# One guest per mode: the greeting, the end state, statistics, registers.
for mode in real protected long; do
	case $mode in
	real) bin=guest_hello_real.bin greet="Hello from a real-mode guest" cs=0x1000 ;;
	protected) bin=guest_hello_prot.bin greet="Hello from a protected-mode guest" cs=0x0008 ;;
	long) bin=guest_hello_long.bin greet="Hello from a long-mode guest" cs=0x0018 ;;
	esac
	d=$pfx-$mode

	run tandem create "$d" --memory 4M --image "$here/$bin" \
		--load 0x10000 --entry 0x10000 --mode $mode
	check "$mode: create --image loads the guest" \
		eval 'succeeded && out_has "created domain $d" && out_has "$mode mode"'
	run tandem regs "$d"
	check "$mode: regs before start shows the builder's CS and RIP" \
		eval 'succeeded && out_has "^cs   sel $cs " && out_has "^gdt  base 0x0000000000001000  limit 0x0027"'
	run tandem start "$d"
	check "$mode: start" eval 'succeeded && out_has "started domain $d"'
	check "$mode: the guest shuts down" wait_state "$d" shutdown
	run tandem console "$d" --no-follow
	check "$mode: console --no-follow shows the greeting" \
		eval 'succeeded && out_has "^$greet\$"'
	exits=$(list_col "$d" 7)
	check "$mode: list counts exits ($exits)" [ "${exits:-0}" -gt 0 ]
	run tandem info "$d"
	check "$mode: info shows hypercall exits and run time per vCPU" \
		eval 'succeeded && out_has "^vcpu 0:" && out_has "^    hypercall *[1-9]" && out_has "^  run time:"'
	run tandem regs "$d" 0
	check "$mode: regs after the run" \
		eval 'succeeded && out_has "^rip  0x" && out_has "^efer 0x" && out_has "^cr0  0x"'
	run tandem destroy "$d"
	check "$mode: destroy" eval 'succeeded && ! listed "$d"'
done

# -j output of list, info and regs.
d=$pfx-json
run tandem create "$d" --memory 4M --image "$here/guest_hello_long.bin"
check "defaults: create --image alone is long mode at 0x10000" \
	eval 'succeeded && out_has "at 0x10000, entry 0x10000, long mode"'
run tandem start "$d"
wait_state "$d" shutdown >/dev/null
run tandem -j list
check "list -j has states, exits and exits by reason" \
	eval 'succeeded && out_has "\"name\":\"$d\"" && out_has "\"state\":\"shutdown\"" && out_has "\"exits_by_reason\":{" && out_has "\"hypercall\":[1-9]"'
run tandem -j info "$d"
check "info -j has per-vCPU statistics" \
	eval 'succeeded && out_has "\"vcpu_stats\":\[{\"vcpu\":0,\"run_ns\":[0-9]" && out_has "\"cpus\":\""'
run tandem -j regs "$d"
check "regs -j has the registers" \
	eval 'succeeded && out_has "\"rip\":[0-9]" && out_has "\"cs\":{\"selector\":24,"'
# Following without a terminal ends by itself once the guest shut down.
run timeout 60 tandem console "$d" </dev/null
check "console without --no-follow and no terminal ends when the guest is down" \
	eval 'succeeded && out_has "^Hello from a long-mode guest\$" && err_has "no longer running"'
run tandem destroy "$d"
check "destroy by name" succeeded

# Pause and resume a guest that spins (routine 23 of guest_tests_long.bin).
d=$pfx-spin
printf '\027\000\000\000' >"$tmp/sel"
run tandem create "$d" --memory 4M --image "$here/guest_tests_long.bin" --mode long
check "spin: create" succeeded
run tandem mem write "$d" 0x8004 "$tmp/sel"
check "spin: select the routine" succeeded
run tandem start "$d"
check "spin: start" succeeded
check "spin: running" wait_state "$d" running
# On a terminal, the console follows the running guest until Ctrl-].
run "$here/pty_run" 1500 30000 '\035' tandem console "$d"
check "console on a terminal follows until Ctrl-] and then exits 0" \
	eval 'succeeded && err_has "typed 1 bytes" && out_has "Ctrl-] leaves" && out_has "ucall: sync 0x17"'
check "spin: still running after the console left" wait_state "$d" running
id=$(list_col "$d" 1)
run tandem pause "$id"
check "spin: pause by id" eval 'succeeded && out_has "paused domain $id"'
check "spin: list shows it paused" wait_state "$d" paused
run tandem regs "$d"
check "spin: regs while paused: RIP inside the image" \
	eval 'succeeded && grep -q "^rip  0x00000000000[01][0-9a-f]\{4\}  rflags" "$tmp/out"'
run tandem resume "$d"
check "spin: resume" eval 'succeeded && out_has "resumed domain $d"'
check "spin: running again" wait_state "$d" running
run tandem resume "$d"
check "spin: resume of a running domain fails with the kernel's message" \
	failed_with "resume $d: "
run tandem start "$d"
check "spin: start of a running domain fails" failed_with "start $d: "
run tandem destroy "$d"
check "spin: destroy a running domain" eval 'succeeded && ! listed "$d"'

# Console input: a guest that echoes its UART (routine 15 of
# guest_platform_long.bin) gets --send's bytes and what is typed.
d=$pfx-echo
printf '\017\000\000\000' >"$tmp/sel"
run tandem create "$d" --memory 4M --image "$here/guest_platform_long.bin" --mode long
check "echo: create" succeeded
run tandem mem write "$d" 0x8004 "$tmp/sel"
check "echo: select the routine" succeeded
run tandem start "$d"
check "echo: start" succeeded
check "echo: the guest is ready" wait_console "$d" "^echo: ready\$"
run tandem console "$d" --send "sent by --send"
check "console --send sends and exits 0" eval 'succeeded && [ ! -s "$tmp/out" ]'
check "echo: the guest received --send's bytes" wait_console "$d" "sent by --send"
run "$here/pty_run" 1500 30000 'typed keys\035' tandem console "$d"
check "console on a terminal sends what is typed before Ctrl-]" \
	eval 'succeeded && err_has "typed 11 bytes"'
check "echo: the guest received the typed keys" wait_console "$d" "sent by --sendtyped keys"
run tandem console "$d" --send ""
check "console --send with nothing is a usage error" eval '[ $rc -eq 2 ]'
run tandem destroy "$d"
check "echo: destroy" succeeded

# Refusals: nothing is created, the message says why, the status is 1.
d=$pfx-bad
run tandem create "$d" --memory 4M --image /nonexistent/guest.bin
check "bad image path fails with a message" \
	eval '[ $rc -eq 1 ] && err_has "cannot open the image ./nonexistent/guest.bin.: No such file"'
check "bad image path leaves no domain" eval '! listed "$d"'
run tandem create "$d" --memory 4M --image "$here/guest_hello_long.bin" --load 0x2000
check "image overlapping the page tables is refused" \
	eval '[ $rc -eq 1 ] && err_has "overlaps the page tables at 0x2000-0x7fff: load it at 0x9000 or above"'
check "overlap leaves no domain" eval '! listed "$d"'
run tandem create "$d" --memory 4M --image "$here/guest_hello_long.bin" --load 0x8000
check "image overlapping the boot page is refused" \
	eval '[ $rc -eq 1 ] && err_has "overlaps the boot page and stack"'
run tandem create "$d" --memory 64K --image "$here/guest_hello_long.bin" --load 0xfff0
check "image beyond memory is refused" \
	eval '[ $rc -eq 1 ] && err_has "does not fit in the domain.s memory (64 KiB, up to 0xffff)"'
run tandem create "$d" --memory 4M --image "$here/guest_hello_real.bin" --mode real --load 0x10008
check "real mode: unaligned load address is refused" \
	eval '[ $rc -eq 1 ] && err_has "multiple of 16"'
run tandem create "$d" --memory 4M --image "$here/guest_hello_long.bin" --entry 0x20000
check "entry outside the image is refused" \
	eval '[ $rc -eq 1 ] && err_has "outside the image"'
run tandem create "$d" --memory 4M --mode long
check "--mode without --image is a usage error" \
	eval '[ $rc -eq 2 ] && err_has "need --image"'
run tandem create "$d" --memory 4M --image "$here/guest_hello_long.bin" --mode virtual
check "unknown mode is a usage error" eval '[ $rc -eq 2 ] && err_has "not a mode"'
check "no refused create left a domain" eval '! listed "$d"'

# A failure after the domain exists (the agent refuses the memory writes):
# the kernel's message is printed and the domain is destroyed again.
run tandem policy set mem_write_states none
check "policy: forbid memory writes" succeeded
run tandem create "$d" --memory 4M --image "$here/guest_hello_long.bin"
check "create whose image load is denied fails with the agent's reason" \
	eval '[ $rc -eq 1 ] && err_has "loading the image at 0x10000: .*memory writes not allowed in state created" && err_has "destroyed again"'
check "the half-built domain was destroyed" eval '! listed "$d"'
run tandem policy set mem_write_states created,paused
check "policy: allow memory writes again" succeeded

# Commands on a domain that does not exist.
for c in start pause resume destroy regs console info; do
	run tandem $c "$pfx-none"
	check "$c of a missing domain fails with 'no such domain'" \
		eval '[ $rc -eq 1 ] && err_has "no such domain"'
done

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
