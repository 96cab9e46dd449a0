#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count a lab run's results from its serial log; print each failure and the
# line "lab NAME: N passed, N failed, N skipped". Exit 0 if nothing failed.
#
# usage: summarize.sh --lab NAME LOG
#
# Per test binary, the kselftest runner prints "# selftests: COL: NAME", the
# binary's own TAP prefixed with "# ", and then "ok|not ok N selftests:
# COL: NAME [# ...]". Harness binaries end with "# Totals: pass:N fail:N
# xfail:N xpass:N skip:N error:N", which gives the per-case counts
# (pass+xpass passed, fail+error failed, skip+xfail skipped) and their
# "not ok N case" lines name the failed cases. A binary without a Totals
# line counts as one test: a crash, a timeout or a missing binary is one
# failure under its name. Also one failure each for: a lab that did not
# reach TANDEM-LAB-END, a non-zero rc there with no failure to show for it,
# and every line scan-log.sh finds in the kernel log. A failed case's FAIL
# line is followed by the last lines it logged, indented, so that a CI log
# says why.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
lab=""
while [ $# -gt 1 ]; do
	case "$1" in
	--lab) lab=$2; shift 2 ;;
	*) break ;;
	esac
done
[ -n "$lab" ] && [ $# -eq 1 ] || { echo "usage: $0 --lab NAME LOG" >&2; exit 2; }
log=$1

if [ ! -r "$log" ]; then
	echo "lab $lab: FAIL no serial log ($log)"
	echo "lab $lab: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

scan=$("$here/scan-log.sh" "$log" || true)

tr -d '\r' <"$log" | LAB=$lab SCAN=$scan awk '
function fail(what) {
	failed++
	print "lab " lab ": FAIL " what
}
# A binary whose runner line never came (the lab stopped during it).
function unfinished() {
	if (cur != "")
		fail(cur ": no result (the lab stopped while it ran)")
	cur = ""
}
BEGIN {
	lab = ENVIRON["LAB"]
	passed = failed = skipped = 0
	LOGMAX = 12	# the last lines a failed case printed
	cur = ""; ended = 0; rc = ""
}
/^TANDEM-LAB-END/ {
	unfinished()
	ended = 1
	rc = $2; sub(/^rc=/, "", rc)
	next
}
/^TANDEM-DMESG-BEGIN/ { indump = 1; next }
/^TANDEM-DMESG-END/ { indump = 0; next }
indump { next }
/^# selftests: [^ ]+: [^ ]+$/ {
	unfinished()
	col = $3; sub(/:$/, "", col)
	cur = col ":" $4
	totals = 0; ncases = 0; missing = 0
	next
}
cur != "" && /^# Warning: file .* is missing!$/ { missing = 1; next }
cur != "" && /^# # Totals: / {
	for (i = 4; i <= NF; i++) {
		split($i, kv, ":")
		t[kv[1]] = kv[2] + 0
	}
	passed += t["pass"] + t["xpass"]
	skipped += t["skip"] + t["xfail"]
	nf = t["fail"] + t["error"]
	failed += nf
	totals = 1
	next
}
# A harness case starts: keep its log lines to show if it fails.
cur != "" && /^# # +RUN / { nlog = 0; next }
cur != "" && /^# # / { caselog[nlog++ % LOGMAX] = substr($0, 5); next }
cur != "" && /^# not ok [0-9]+ / {
	c = $0
	sub(/^# not ok [0-9]+ /, "", c)
	why = ""
	for (i = (nlog > LOGMAX ? nlog - LOGMAX : 0); i < nlog; i++)
		why = why "\n    " caselog[i % LOGMAX]
	cases[ncases] = c
	whys[ncases++] = why
	nlog = 0
	next
}
/^(not )?ok [0-9]+ selftests: [^ ]+: [^ ]+/ {
	col = ($1 == "not") ? $5 : $4; sub(/:$/, "", col)
	bin = ($1 == "not") ? $6 : $5
	name = col ":" bin
	note = ""
	if (index($0, " # ")) { note = $0; sub(/^[^#]*# */, "", note) }
	if (totals) {
		# Per-case counts came from Totals; name the failed cases.
		for (i = 0; i < ncases; i++)
			print "lab " lab ": FAIL " name ": " cases[i] whys[i]
		if ($1 == "not" && nf == 0)
			fail(name ": " (note != "" ? note : "failed") " after all its cases passed")
	} else if ($1 == "not") {
		fail(name ": " (note != "" ? note : missing ? "missing" : "failed"))
	} else if (note ~ /^SKIP/) {
		skipped++
	} else {
		passed++
	}
	cur = ""
	next
}
END {
	unfinished()
	if (!ended)
		fail("lab did not finish (no TANDEM-LAB-END)")
	else if (rc != "0" && failed == 0)
		fail("the lab run ended with rc=" rc)
	n = split(ENVIRON["SCAN"], hits, "\n")
	for (i = 1; i <= n; i++)
		if (hits[i] != "")
			fail("kernel log: " substr(hits[i], length("lab-log: ") + 1))
	printf "lab %s: %d passed, %d failed, %d skipped\n", lab, passed, failed, skipped
	exit failed ? 1 : 0
}
'
