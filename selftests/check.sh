#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host tests and static checks, then the selected labs
# (concurrently), then one line summing them all.
#
# usage: check.sh --labs "svm vmx" [--tests "a b"]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
labs="svm vmx"
tests=""
while [ $# -gt 0 ]; do
	case "$1" in
	--labs) labs=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	*) echo "usage: $0 --labs \"svm vmx\" [--tests \"a b\"]" >&2; exit 2 ;;
	esac
done

pass=0 fail=0 skip=0
add() { pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3)); }

# Names in TESTS select host programs and lab kselftests alike.
host_sel="" lab_sel=""
for t in $tests; do
	case "$t" in
	*_test) if [ -f "$top/selftests/tandem/$t.c" ]; then
			lab_sel="$lab_sel $t"
		elif [ -f "$top/selftests/tandem/$t.sh" ]; then
			# kselftest names a script test by its file name.
			lab_sel="$lab_sel $t.sh"
		else
			host_sel="$host_sel $t"
		fi ;;
	*) host_sel="$host_sel $t" ;;
	esac
done

if [ -z "$tests" ] || [ -n "$host_sel" ]; then
	line=$("$top/selftests/host/run.sh" $host_sel | tee /dev/stderr | tail -n 1)
	read -r p f s <<<"$(sed -E 's/host: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/' <<<"$line")"
	add "${p:-0}" "${f:-1}" "${s:-0}"
fi

if [ -n "$labs" ] && { [ -z "$tests" ] || [ -n "$lab_sel" ]; }; then
	rm -f "${LAB_DIR:-$top/build/lab}/totals"
	"$top/selftests/lab/lab.sh" check --labs "$labs" --tests "$lab_sel"
	for lab in $labs; do
		t=$(grep "^$lab " "${LAB_DIR:-$top/build/lab}/totals" 2>/dev/null)
		if [ -z "$t" ]; then
			echo "lab $lab: no result"
			add 0 1 0
			continue
		fi
		read -r _ p f s <<<"$t"
		add "$p" "$f" "$s"
	done
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
