#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sparse (C=2, every file checked) must report nothing on either module.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${KDIR:=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)}"
[ -d "$KDIR" ] || { echo "sparse: no kernel headers; run make deps" >&2; exit 1; }
echo "TAP version 13"
echo "1..1"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! make -s -C "$KDIR" M="$top" C=2 CHECK="sparse" modules >"$log" 2>&1; then
	sed 's/^/# /' "$log" | tail -20
	echo "not ok 1 - sparse_c2_modules # build failed"
	exit 1
fi
# Kbuild prints only diagnostics with -s; anything naming our tree counts.
out=$(grep -E "^$top/|^kmod-" "$log" | grep -v 'Skipping BTF')
if [ -n "$out" ]; then
	echo "$out" | sed 's/^/# /'
	echo "not ok 1 - sparse_c2_modules"
	exit 1
fi
echo "ok 1 - sparse_c2_modules"
