#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# summarize.sh on a lab log (the clean VMX fixture, see scanner-fixtures):
# the counts come from the harness Totals; a failed case is named and the
# lines it logged follow its FAIL line, so that a CI log says why. Prints
# TAP.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
sum=$here/../lab/summarize.sh
fix=$here/scanner-fixtures/vmx-clean.log
tmp=$(mktemp -d "${TMPDIR:-/tmp}/summarize_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1"
		sed 's/^/#   /' "$tmp/out"
	fi
}

echo "TAP version 13"
echo "1..4"

rc=0
"$sum" --lab vmx "$fix" >"$tmp/out" || rc=$?
last=$(tail -n 1 "$tmp/out")
r=1
[ "$rc" = 0 ] && [[ "$last" =~ ^lab\ vmx:\ [1-9][0-9]*\ passed,\ 0\ failed,\ [0-9]+\ skipped$ ]] && r=0
check "a clean log: exit 0, nothing failed" $r
want_pass=${last#lab vmx: }; want_pass=${want_pass%% *}

# The first harness case that passed fails instead, after logging a line.
case=$(tr -d '\r' <"$fix" | sed -n 's/^# ok [0-9]* \(.*\)$/\1/p' | head -n 1)
tr -d '\r' <"$fix" | awk -v c="$case" '
	!done && $0 ~ /^# #  *OK  / && index($0, c) {
		print "# # x.c:1:" c ":Expected 1 (1) == got (2)"
		print "# # x.c:2:" c ":the reason, logged"
		print "# #          FAIL  " c
		next
	}
	!done && $0 == "# ok " substr($0, 6) && index($0, " " c) {
		sub(/^# ok /, "# not ok "); done = 1
	}
	/^# # Totals: / && !tot && done {
		sub(/pass:[0-9]+/, "pass:" ($4 ~ /pass:/ ? substr($4, 6) - 1 : 0))
		sub(/fail:0/, "fail:1"); tot = 1
	}
	{ print }' >"$tmp/log"
rc=0
"$sum" --lab vmx "$tmp/log" >"$tmp/out" || rc=$?
r=1
[ "$rc" = 1 ] && grep -q "^lab vmx: FAIL [^ ]*: $case\$" "$tmp/out" && r=0
check "a failed case is named ($case)" $r
r=1
grep -A2 "^lab vmx: FAIL [^ ]*: $case\$" "$tmp/out" | grep -qx "    x.c:2:$case:the reason, logged" && r=0
check "its logged lines follow the FAIL line, indented" $r
r=1
grep -qx "lab vmx: $((want_pass - 1)) passed, 1 failed, [0-9]* skipped" "$tmp/out" && r=0
check "the counts move one from passed to failed" $r

[ "$failed" = 0 ]
