# SPDX-License-Identifier: GPL-2.0
#
# The boot phases of the Linux guest, from what its /init printed in bench
# mode (selftests/tandem/linux_guest/init): make bench runs this on the
# guest's console, in the lab for the boot under Tandem (linux_boot.sh)
# and on the build host for the native boot (lab.sh).
#
#   awk -v hv=tandem|native -v first=TICKS -v base=TICKS -f linux_phases.awk
#
# Times are TSC ticks of the lab counted from the boot's start (t0): first
# is when the guest's first instruction ran, base when the guest's TSC was
# 0 (native: both 0, the machine's reset). The rate is the command line's
# tsc_early_khz= (the lab's TSC rate, which Tandem adds and the native
# boot is given too). Prints "bench: <hv> linux_<phase> <us> us" lines:
#   linux_first_insn    the guest's first instruction
#   linux_kernel_start  the kernel clock's 0 (sched_clock, taken over from
#                       the TSC in setup_arch): the guest's TSC read by
#                       /bin/tsc minus the kernel log's time of that read
#   linux_init_start    the kernel log's "Run /init as init process"
# Exit status 1 when a figure is missing.

function secs(line) {
	if (!match(line, /\[ *[0-9]+\.[0-9]+\]/))
		return -1
	return substr(line, RSTART + 1, RLENGTH - 2) + 0
}

{ sub(/\r$/, "") }
/^tandem-guest: bench cmdline / {
	n = split($0, w, " ")
	for (i = 1; i <= n; i++)
		if (w[i] ~ /^tsc_early_khz=[0-9]+$/)
			khz = substr(w[i], 15) + 0
}
/^tandem-guest: bench dmesg .*\] Run \/init as init process/ { t_init = secs($0) }
/^tandem-guest: bench dmesg .*\] tandem-guest: bench tsc [0-9]+$/ {
	t_tsc = secs($0)
	tsc = $NF + 0
}
END {
	if (khz == "" || t_init == "" || t_tsc == "" || t_init < 0 || t_tsc < 0) {
		printf "bench: %s linux boot: missing from the guest's console:", hv
		if (khz == "") printf " tsc_early_khz="
		if (t_init == "") printf " Run /init"
		if (t_tsc == "") printf " bench tsc"
		printf "\n"
		exit 1
	}
	per_us = khz / 1000
	kstart = base + tsc - t_tsc * khz * 1000
	init = kstart + t_init * khz * 1000
	printf "bench: info %s linux: tsc_khz %.0f, guest tsc %.0f at kernel time %.6f s, /init at %.6f s\n", \
		hv, khz, tsc, t_tsc, t_init
	printf "bench: %s linux_first_insn %.1f us\n", hv, first / per_us
	printf "bench: %s linux_kernel_start %.1f us\n", hv, kstart / per_us
	printf "bench: %s linux_init_start %.1f us\n", hv, init / per_us
}
