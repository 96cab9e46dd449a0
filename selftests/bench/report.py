#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Collect the benchmark figures from lab serial logs (lab.sh bench).

usage: report.py [--json FILE] LAB=LOG...

Reads the "bench: <hv> <metric> <value> <unit>" lines between
TANDEM-BENCH-BEGIN and TANDEM-BENCH-END (hv: tandem, kvm, native for
the Linux boot figures, linux_*, host for the disk figures, disk_*, veth
for the network figures, net_*), from every LOG given for a lab: the
lab's serial log and the native boot's results. Prints one table per
comparison (lab, metric, tandem, the other, ratio = tandem / the other)
and writes the figures as JSON. Exits 1 when a lab has no complete set of
figures.
"""
import argparse
import json
import re
import sys

LINE = re.compile(r'^bench: (tandem|kvm|native|host|veth) (\S+) ([0-9.]+) (\S+)$')


def parse(path):
    figures, info, end, inside = {}, [], None, False
    with open(path, 'rb') as f:
        for raw in f:
            line = raw.decode('utf-8', 'replace').strip('\r\n')
            if line.startswith('TANDEM-BENCH-BEGIN'):
                inside = True
                continue
            if line.startswith('TANDEM-BENCH-END'):
                end = line.split('rc=')[-1]
                inside = False
                continue
            if not inside:
                continue
            m = LINE.match(line)
            if m:
                hv, metric, value, unit = m.groups()
                figures.setdefault(metric, {'unit': unit})[hv] = float(value)
            elif line.startswith('bench: '):
                info.append(line[len('bench: '):])
            elif line.strip():
                info.append(line)
    return figures, info, end


# The Linux boot's phases as durations, from the times since t0: the guest's
# first instruction to the kernel clock's start, and that to /init.
SPANS = (('linux_pre_kernel', 'linux_first_insn', 'linux_kernel_start'),
         ('linux_kernel_init', 'linux_kernel_start', 'linux_init_start'))


def spans(figures):
    for name, start, end in SPANS:
        if start not in figures or end not in figures:
            continue
        v = {'unit': figures[end]['unit']}
        for hv in ('tandem', 'native'):
            if hv in figures[start] and hv in figures[end]:
                v[hv] = round(figures[end][hv] - figures[start][hv], 1)
        figures[name] = v


# What Tandem is compared with, by the metric's prefix (else KVM): the
# Linux boot natively, the guest's disk with the lab reading its file, the
# guest's TCP with a veth pair in the lab.
OTHERS = (('linux_', 'native'), ('disk_', 'host'), ('net_', 'veth'))


def other(metric):
    for prefix, hv in OTHERS:
        if metric.startswith(prefix):
            return hv
    return 'kvm'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--json')
    ap.add_argument('logs', nargs='+')
    args = ap.parse_args()

    logs = {}
    for spec in args.logs:
        lab, _, path = spec.partition('=')
        logs.setdefault(lab, []).append(path)

    results, ok = {}, True
    rows = []
    for lab, paths in logs.items():
        figures, info, ends = {}, [], []
        for path in paths:
            try:
                f, i, end = parse(path)
            except OSError as e:
                print(f'bench: lab {lab}: {e}', file=sys.stderr)
                f, i, end = {}, [], None
            for metric, v in f.items():
                figures.setdefault(metric, {}).update(v)
            info += i
            ends.append(end)
        spans(figures)
        complete = all(e == '0' for e in ends) and all(
            'tandem' in v and other(metric) in v
            for metric, v in figures.items()) and all(
            any(m.startswith(prefix) for m in figures)
            for prefix, _ in OTHERS) and figures
        if not complete:
            ok = False
            print(f'bench: lab {lab}: incomplete (end rc={",".join(map(str, ends))}); '
                  f'see {" ".join(paths)}', file=sys.stderr)
            for line in info[-10:]:
                print(f'  {line}', file=sys.stderr)
        for metric, v in figures.items():
            t, k = v.get('tandem'), v.get(other(metric))
            v['ratio'] = round(t / k, 3) if t is not None and k else None
            rows.append((lab, metric, v['unit'], t, k, v['ratio']))
        results[lab] = {'figures': figures, 'info': info,
                        'complete': bool(complete)}

    def fmt(x):
        return '-' if x is None else f'{x:.1f}' if isinstance(x, float) else str(x)

    for hv in ('kvm',) + tuple(hv for _, hv in OTHERS):
        print(f'{"lab":<4} {"metric":<18} {"unit":<6} {"tandem":>12} {hv:>12} {"ratio":>7}')
        for lab, metric, unit, t, k, r in rows:
            if other(metric) != hv:
                continue
            print(f'{lab:<4} {metric:<18} {unit:<6} {fmt(t):>12} {fmt(k):>12} '
                  f'{"-" if r is None else f"{r:.2f}":>7}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2, sort_keys=True)
            f.write('\n')
        print(f'bench: figures in {args.json}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
