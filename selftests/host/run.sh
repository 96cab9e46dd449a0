#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the host tests: every program below prints TAP; each "ok"/"not ok"
# line is one test. A program that fails without a "not ok" line (crash,
# missing tool) counts as one failure under its own name.
#
# usage: run.sh [NAME...]   (only the programs or test cases named)
set -u
here=$(cd "$(dirname "$0")" && pwd)
filter=" $* "
pass=0 fail=0 skip=0

# Static checks first, then every executable *_test, *_test.sh, *_test.py.
progs="checkpatch.sh sparse.sh"
for p in $(cd "$here" && ls ./*_test ./*_test.sh ./*_test.py 2>/dev/null); do
	[ -x "$here/$p" ] && progs="$progs ${p#./}"
done

for prog in $progs; do
	name=${prog%.sh}
	name=${name%.py}
	if [ "$filter" != "  " ] && [ "${filter#* $name }" = "$filter" ]; then
		continue
	fi
	if [ ! -x "$here/$prog" ]; then
		echo "host: FAIL $name: missing"
		fail=$((fail + 1))
		continue
	fi
	out=$("$here/$prog" 2>&1)
	rc=$?
	p=$(grep -cE '^ok [0-9]+' <<<"$out" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+.*# *SKIP' <<<"$out" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' <<<"$out" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "host: FAIL $name: exit status $rc"
	fi
	grep -E '^not ok [0-9]+' <<<"$out" | sed "s/^/host: FAIL $name: /"
	if [ "$f" -ne 0 ]; then
		grep -E '^# ' <<<"$out" | tail -20
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
echo "host: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
