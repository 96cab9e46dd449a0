#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Collect the benchmark figures from lab serial logs (lab.sh bench).

usage: report.py [--json FILE] LAB=SERIAL_LOG...

Reads the "bench: <hv> <metric> <value> <unit>" lines between
TANDEM-BENCH-BEGIN and TANDEM-BENCH-END, prints a table (lab, metric,
tandem, kvm, ratio = tandem / kvm) and writes the figures as JSON.
Exits 1 when a lab has no complete set of figures.
"""
import argparse
import json
import re
import sys

LINE = re.compile(r'^bench: (tandem|kvm) (\S+) ([0-9.]+) (\S+)$')


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--json')
    ap.add_argument('logs', nargs='+')
    args = ap.parse_args()

    results, ok = {}, True
    rows = []
    for spec in args.logs:
        lab, _, path = spec.partition('=')
        try:
            figures, info, end = parse(path)
        except OSError as e:
            print(f'bench: lab {lab}: {e}', file=sys.stderr)
            ok = False
            continue
        complete = end == '0' and all(
            'tandem' in v and 'kvm' in v for v in figures.values()) and figures
        if not complete:
            ok = False
            print(f'bench: lab {lab}: incomplete (end rc={end}); see {path}',
                  file=sys.stderr)
            for line in info[-10:]:
                print(f'  {line}', file=sys.stderr)
        for metric, v in figures.items():
            t, k = v.get('tandem'), v.get('kvm')
            v['ratio'] = round(t / k, 3) if t is not None and k else None
            rows.append((lab, metric, v['unit'], t, k, v['ratio']))
        results[lab] = {'figures': figures, 'info': info,
                        'complete': bool(complete)}

    def fmt(x):
        return '-' if x is None else f'{x:.1f}' if isinstance(x, float) else str(x)

    print(f'{"lab":<4} {"metric":<18} {"unit":<6} {"tandem":>12} {"kvm":>12} {"ratio":>7}')
    for lab, metric, unit, t, k, r in rows:
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
