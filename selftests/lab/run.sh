#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one lab machine on an initramfs made by mkinitramfs.sh.
#
# usage: run.sh --lab svm|vmx --initrd FILE --log SERIAL_OUT --timeout SECONDS
#               [--interactive] [--cpus N] [--deterministic]
#               [--append CMDLINE] [--memory MIB] [--begin RE --end RE]
#
#   svm: QEMU TCG, -cpu max (AMD SVM with NPT), 2 CPUs. --deterministic
#        adds -icount shift=0,sleep=off (single-threaded TCG) and defaults
#        to 1 CPU (see below).
#   vmx: Bochs, corei7_skylake_x (Intel VMX with EPT), booted from an ISO.
#        Bochs time is instruction count: always deterministic.
#
# Exit status: 0 the guest reached TANDEM-LAB-END; 1 it stopped without
# it (panic, crash); 2 timed out; 3 the guest never booted (no
# TANDEM-LAB-BEGIN). --timeout 0 means no time limit.
#
# Another initramfs than a lab's (make bench boots the Linux guest's
# natively): --append replaces the kernel command line, --memory the RAM
# (1024 MiB), --begin and --end the two markers (grep -E patterns for a
# whole line; the end also stops the emulator).
#
# --interactive: the serial console is the user's terminal.
#   QEMU: -serial on stdio (muxed with the monitor: C-a x quits, C-a c
#   monitor); the serial output is also written to --log.
#   Bochs: com1 in "term" mode on the user's tty (Bochs puts it in raw mode),
#   while Bochs's own "term" display runs on a throw-away pty under
#   ptyrun.py; nothing goes to --log. Leave with `exit` in the guest shell.
#
# Environment: KVER overrides the lab kernel (default: the newest
# /boot/vmlinuz-*-amd64); LAB_ENV adds NAME=VALUE words to the tests'
# environment (through the lab kernel's command line).
set -eu
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	echo "usage: $0 --lab svm|vmx --initrd FILE --log SERIAL_OUT --timeout SECONDS [--interactive] [--cpus N] [--deterministic] [--append CMDLINE] [--memory MIB] [--begin RE --end RE]" >&2
	exit 64
}

lab="" initrd="" log="" timeout="" interactive=0 cpus="" det=0
append="" megs=1024 begin_re='^TANDEM-LAB-BEGIN' end_re='^TANDEM-LAB-END'
stop_re='^TANDEM-DMESG-END'
while [ $# -gt 0 ]; do
	case "$1" in
	--lab) lab=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--cpus) cpus=$2; shift 2 ;;
	--deterministic) det=1; shift ;;
	--append) append=$2; shift 2 ;;
	--memory) megs=$2; shift 2 ;;
	--begin) begin_re=$2; shift 2 ;;
	--end) end_re=$2; stop_re=$2; shift 2 ;;
	*) usage ;;
	esac
done
case "$lab" in svm|vmx) ;; *) usage ;; esac
[ -n "$initrd" ] && [ -n "$log" ] || usage
[ -f "$initrd" ] || { echo "run.sh: no initrd $initrd" >&2; exit 64; }
timeout=${timeout:-0}
case "$timeout" in *[!0-9]*) usage ;; esac
# QEMU gets 2 CPUs by default; Bochs 1 (2 CPUs run at half the speed).
# QEMU 7.2 with -icount shift=0,sleep=off hangs bringing up a second CPU
# ("x86: Booting SMP configuration:"), so --deterministic means 1 CPU
# unless --cpus says otherwise.
if [ -z "$cpus" ]; then
	if [ "$lab" = svm ] && [ "$det" = 0 ]; then cpus=2; else cpus=1; fi
elif [ "$lab" = svm ] && [ "$det" = 1 ] && [ "$cpus" -gt 1 ]; then
	echo "run.sh: warning: --deterministic with --cpus $cpus hangs at SMP bring-up on QEMU 7.2" >&2
fi

if [ -z "${KVER:-}" ]; then
	KVER=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' |
		sort -V | tail -n 1)
fi
kernel=/boot/vmlinuz-$KVER
[ -r "$kernel" ] || { echo "run.sh: cannot read $kernel" >&2; exit 64; }
# LAB_ENV: NAME=VALUE words for the lab's command line; the kernel hands
# them to /init as environment, and the tests inherit them (e.g.
# LAB_ENV=TANDEM_FUZZ_SEED=0x1234 repeats a fuzz run).
for w in ${LAB_ENV:-}; do
	case "$w" in
	[A-Z]*=*) case "${w%%=*}" in *[!A-Z0-9_]*) w="" ;; esac ;;
	*) w="" ;;
	esac
	[ -n "$w" ] || { echo "run.sh: LAB_ENV wants NAME=VALUE words (NAME in A-Z 0-9 _)" >&2; exit 64; }
done
if [ -z "$append" ]; then
	append="console=ttyS0 panic=-1 quiet tandem_lab=$lab${LAB_ENV:+ $LAB_ENV}"
	# Bochs' local APIC timer, in the one-shot mode Linux uses on this
	# model (no TSC deadline: errata), keeps firing before its events:
	# about 100000 interrupts a second of lab time, each an exit while a
	# guest runs. The PIT keeps the lab's time with a tenth of them
	# (Documentation/devices.rst, VMX figures).
	[ "$lab" = svm ] || append="$append nolapic_timer"
fi
case "$megs" in ''|*[!0-9]*) usage ;; esac

initrd=$(cd "$(dirname "$initrd")" && pwd)/$(basename "$initrd")
mkdir -p "$(dirname "$log")"
log=$(cd "$(dirname "$log")" && pwd)/$(basename "$log")
: >"$log"

work=$(mktemp -d "${TMPDIR:-/tmp}/tandem-lab-$lab.XXXXXX")
pid=""
# The emulator and everything below it: ptyrun.py puts Bochs in a session
# of its own, so killing our process group is not enough.
descendants() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
stop_emulator() {
	[ -n "$pid" ] || return 0
	local all alive p
	all="$pid $(descendants "$pid")"
	# shellcheck disable=SC2086
	kill -TERM $all 2>/dev/null || true
	for _ in 1 2 3 4 5; do
		alive=""
		for p in $all; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ -n "$alive" ] || break
		sleep 1
	done
	# shellcheck disable=SC2086
	kill -KILL $all 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
}
stamper=""
cleanup() {
	stop_emulator
	if [ -n "$stamper" ]; then
		# shellcheck disable=SC2046
		kill $stamper $(descendants "$stamper") 2>/dev/null || true
		wait "$stamper" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Command line of the emulator, in "$@".
if [ "$lab" = svm ]; then
	# One TCG thread for all CPUs: with a thread per CPU, QEMU 7.2's
	# nested SVM sometimes takes a second #VMEXIT in host mode that
	# overwrites a guest's state with the lab's (Documentation/testing.rst).
	set -- qemu-system-x86_64 -accel tcg,thread=single -cpu max \
		-smp "$cpus" -m "$megs" \
		-no-reboot -nic none -kernel "$kernel" -initrd "$initrd" \
		-append "$append" -d cpu_reset -D "$work/qemu-reset.log"
	[ "$det" = 1 ] && set -- "$@" -icount shift=0,sleep=off
	if [ "$interactive" = 1 ]; then
		set -- "$@" -nographic \
			-chardev "stdio,id=con,mux=on,signal=off,logfile=$log" \
			-serial chardev:con -mon chardev=con
	else
		set -- "$@" -display none -monitor none -serial "file:$log"
	fi
else
	for f in /usr/lib/ISOLINUX/isolinux.bin \
		/usr/lib/syslinux/modules/bios/ldlinux.c32; do
		[ -r "$f" ] || { echo "run.sh: missing $f (isolinux, syslinux-common)" >&2; exit 64; }
	done
	ls /usr/lib/*/bochs/plugins/libbx_term_gui.so >/dev/null 2>&1 ||
		{ echo "run.sh: Bochs has no term display (install bochs-term)" >&2; exit 64; }
	mkdir -p "$work/iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin \
		/usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
	cat >"$work/iso/isolinux/isolinux.cfg" <<-EOF
	SERIAL 0 115200
	DEFAULT linux
	PROMPT 0
	LABEL linux
	  KERNEL /vmlinuz
	  APPEND initrd=/initrd.gz $append
	EOF
	cp "$kernel" "$work/iso/vmlinuz"
	cp "$initrd" "$work/iso/initrd.gz"
	xorriso -as mkisofs -quiet -o "$work/lab.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$work/iso" 2>"$work/xorriso.err" ||
		{ cat "$work/xorriso.err" >&2; exit 64; }
	rm -rf "$work/iso"
	if [ "$interactive" = 1 ]; then
		tty=$(tty) || { echo "run.sh: --interactive needs a terminal" >&2; exit 64; }
		com1="com1: enabled=1, mode=term, dev=$tty"
	else
		com1="com1: enabled=1, mode=file, dev=$log"
	fi
	# sound/speaker off: Bochs otherwise opens ALSA and, with no sound
	# card, aborts ("buffer overflow detected"). The term display needs
	# a pty: ptyrun.py gives it one and drains it (script(1) stops
	# draining once its stdin is at EOF, and Bochs then blocks); the
	# screen goes to screen.out.
	cat >"$work/bochsrc" <<-EOF
	megs: $megs
	cpu: model=corei7_skylake_x, count=$cpus, ips=400000000
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
	ata0-master: type=cdrom, path=lab.iso, status=inserted
	boot: cdrom
	$com1
	display_library: term
	log: bochs.log
	clock: sync=none, time0=local
	panic: action=fatal
	error: action=report
	sound: driver=dummy
	speaker: enabled=0
	EOF
	echo c >"$work/debugger.rc"
	# Bochs's debugger stops at the first instruction unless told "c".
	set -- python3 "$here/ptyrun.py" screen.out \
		bochs -q -f bochsrc -rc debugger.rc
fi

start=$(date +%s)
if [ "$interactive" = 1 ] && [ "$lab" = svm ]; then
	# Foreground: QEMU owns the terminal.
	(cd "$work" && "$@") || true
else
	if [ "$interactive" = 1 ]; then
		out=/dev/null # Bochs's screen; the console is com1 on our tty
	else
		out=$work/emulator.out
	fi
	# The emulator's exit status goes to its output: a signal (QEMU
	# crashed) is not a reset the lab asked for (-no-reboot).
	(cd "$work" && setsid "$@" </dev/null >"$out" 2>&1
	 echo "exit status $?" >>"$out") &
	pid=$!
	# LOG.times: the host's seconds since the start when each kselftest
	# result line arrived, so that slow tests can be found (the labs'
	# own clocks are not the host's).
	: >"$log.times"
	(tail -n +1 -F "$log" 2>/dev/null | while IFS= read -r l; do
		case "$l" in
		*"ok "[0-9]*|"# selftests: "*) echo "$(($(date +%s) - start)) ${l%$'\r'}" ;;
		esac
	done >>"$log.times") &
	stamper=$!
	timed_out=0 finished_at=""
	while kill -0 "$pid" 2>/dev/null; do
		now=$(date +%s)
		if [ "$timeout" -gt 0 ] && [ $((now - start)) -ge "$timeout" ]; then
			timed_out=1
			break
		fi
		# Bochs may stay up after the guest powered off: give it a few
		# seconds once the log is complete, then stop it.
		if [ -z "$finished_at" ] && grep -aqE "$stop_re" "$log" 2>/dev/null; then
			finished_at=$now
		fi
		if [ -n "$finished_at" ] && [ $((now - finished_at)) -ge 5 ]; then
			break
		fi
		sleep 1
	done
	stop_emulator
fi
elapsed=$(($(date +%s) - start))

# Interactive Bochs has no log (the console was the terminal).
if [ "$interactive" = 1 ]; then
	echo "lab $lab: session ended after $elapsed s"
	exit 0
fi

if tr -d '\r' <"$log" | grep -aqE "$end_re"; then
	echo "lab $lab: finished in $elapsed s"
	exit 0
fi
[ "${timed_out:-0}" = 1 ] && echo "lab $lab: timed out after $timeout s"
if ! tr -d '\r' <"$log" | grep -aqE "$begin_re"; then
	echo "lab $lab: the guest never booted (no $begin_re)"
	if [ "$lab" = vmx ] && [ -f "$work/bochs.log" ]; then
		grep -E '^[0-9]+[pe]\[' "$work/bochs.log" | tail -n 5 | sed 's/^/bochs.log: /'
	fi
	[ -f "$work/emulator.out" ] && tail -n 5 "$work/emulator.out" | sed 's/^/emulator: /'
	exit 3
fi
[ "${timed_out:-0}" = 1 ] && exit 2
echo "lab $lab: stopped without $end_re after $elapsed s"
# Why: the emulator's last words (a QEMU abort, Bochs's panic) if any.
[ -s "$work/emulator.out" ] && tail -n 5 "$work/emulator.out" | sed 's/^/emulator: /'
# QEMU's -d cpu_reset log: a triple fault of the lab's own kernel (a
# reset the lab asked for has none). With -no-reboot QEMU exits there,
# without the register dump it logs at a reset it performs.
if [ -f "$work/qemu-reset.log" ] && grep -q "Triple fault" "$work/qemu-reset.log"; then
	echo "emulator: the lab's CPU triple-faulted"
fi
exit 1
