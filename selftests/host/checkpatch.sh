#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict must report nothing on the kernel modules' sources.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cp="$top/build/linux-source-6.1/scripts/checkpatch.pl"
echo "TAP version 13"
echo "1..2"
n=0
rc=0
for mod in kmod-hv kmod-policy; do
	n=$((n + 1))
	files=$(cd "$top" && git ls-files "$mod/*.[ch]" 2>/dev/null)
	[ -n "$files" ] || files=$(cd "$top" && find "$mod" -name '*.[ch]' ! -name '*.mod.c')
	out=$(cd "$top" && perl "$cp" --no-tree --strict --terse -f $files 2>&1 |
		grep -E 'ERROR|WARNING|CHECK')
	if [ -z "$out" ] && [ -f "$cp" ]; then
		echo "ok $n - checkpatch_strict_$mod"
	else
		echo "${out:-checkpatch.pl not found: run make framework}" | sed 's/^/# /'
		echo "not ok $n - checkpatch_strict_$mod"
		rc=1
	fi
done
exit $rc
