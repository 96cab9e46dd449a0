#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scan the kernel's part of a lab serial capture for signs of kernel trouble
# (oops, BUG, WARN, lockdep, RCU stall, lockup, panic, KASAN, UBSAN, hung
# task). Prints each offending line as "lab-log: <line>"; exits 1 if there
# is any, 0 if the log is clean, 2 if it cannot be read.
#
# usage: scan-log.sh LOG
#
# The kernel's part is: every line between TANDEM-DMESG-BEGIN and
# TANDEM-DMESG-END (the dmesg dump made at the end of a lab run), and, in
# the rest of the capture, the text from a printk timestamp "[ 12.345678]"
# on (what the kernel printed on the console: an oops that killed the lab
# before its dmesg dump, or a line that cut into a test's output). Test
# output itself is not scanned: the kselftest runner prefixes it with "# "
# and it has no timestamps, so a test that prints "BUG:" is not a hit.
# A line seen both on the console and in the dump is reported once.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 LOG" >&2; exit 2; }
[ -r "$1" ] || { echo "scan-log.sh: cannot read $1" >&2; exit 2; }

tr -d '\r' <"$1" | awk '
BEGIN {
	bad = "BUG:|WARNING:|Oops|general protection fault|KASAN|UBSAN" \
	      "|lockdep|possible (circular|recursive) locking" \
	      "|inconsistent lock state" \
	      "|self-detected stall|detected stalls? on|RCU stall" \
	      "|soft lockup|hard LOCKUP|Kernel panic|kernel BUG at" \
	      "|blocked for more than [0-9]+ seconds"
	# Known-benign lines of a clean boot on the lab machines, matched as
	# exact substrings; keep this list tiny and explained.
	n = 0
	# VMX lab (Bochs corei7_skylake_x): a CPU model without RETBleed
	# microcode info; boot-time mitigation notice, not a kernel bug.
	benign[n++] = "] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!"
	# VMX lab: Bochs reports an XSAVE area size (CPUID 0xd) that does not
	# match its components ("XSAVE consistency problem: size 2432 !=
	# kernel_size 2688"); WARN_ON at boot in PID 0, before any module.
	benign[n++] = "] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/fpu/xstate.c:606 fpu__init_system_xstate+"
	hits = 0
}
/^TANDEM-DMESG-BEGIN/ { indump = 1; next }
/^TANDEM-DMESG-END/ { indump = 0; next }
{
	line = $0
	if (!indump) {
		if (!match(line, /\[ *[0-9]+\.[0-9]+\] /))
			next
		line = substr(line, RSTART)
	}
	if (line !~ bad)
		next
	for (i = 0; i < n; i++)
		if (index(line, benign[i]))
			next
	if (line in seen)
		next
	seen[line] = 1
	print "lab-log: " line
	hits++
}
END { exit hits ? 1 : 0 }
'
