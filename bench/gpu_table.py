#!/usr/bin/env python3
"""Side-by-side table of mose's train_bench and the reference ref_moe.py (bench/gpu.sh).

Usage: gpu_table.py MOSE_LOG REF_LOG

Each log may mix JSON lines with other output; a JSON object with a "bench" key is
one measurement. Prints every measurement (one row each, whatever its fields), then
the two comparisons:
  - MoE-layer forward time per width: mose's "moe_fwd_ms" {"width", "ms"} beside
    each reference implementation's ({"impl", "width", "ms"}), speed-up = ref / mose;
  - training throughput: mose's "train_tokens_per_s" {"mode", "tokens_per_s"} against
    each reference {"impl", "mode", "tps"}, ratio = mose / ref.
Standard library only: runs with any python3.
"""
import json
import sys

# Fields that never name a series; besides these, numbers are measured values.
NOT_SERIES_KEYS = {"bench", "width", "device"}


def read_log(path):
    """Returns (measurements, context): JSON objects with and without a "bench" key."""
    measurements, context = [], []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError as e:
        print(f"({path}: {e.strerror})")
        return measurements, context
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            (measurements if "bench" in obj else context).append(obj)
    return measurements, context


def fmt_value(v):
    if isinstance(v, Ratio):
        return str(v)
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10000:
        return f"{v:,}"
    return str(v)


class Ratio(float):
    def __str__(self):
        return f"{float(self):.2f}x"


def series(m):
    """The name of the series a measurement belongs to: its text fields (config, mode, impl)."""
    return "/".join(v for k, v in m.items() if k not in NOT_SERIES_KEYS and isinstance(v, str)) or "-"


def width_key(w):
    """Widths as numbers where they are (0.25, "0.25", 1 and 1.0 alike), else as text ("ttt-0.5")."""
    try:
        return round(float(w), 4)
    except (TypeError, ValueError):
        return str(w)


def width_order(w):
    return (0, w, "") if isinstance(w, float) else (1, 0.0, w)


def print_table(title, header, rows):
    print(title)
    if not rows:
        print("  (none)")
        return
    cells = [header] + [[fmt_value(c) if c is not None else "-" for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    # Numbers right-aligned, text left-aligned.
    numeric = [all(r[i] is None or isinstance(r[i], (int, float)) for r in rows) for i in range(len(header))]
    for i, r in enumerate(cells):
        print("  " + "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(r, widths, numeric)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return Ratio(a / b)


def all_rows(sources):
    rows = []
    for name, ms in sources:
        for m in ms:
            rest = " ".join(f"{k}={fmt_value(v)}" for k, v in m.items() if k != "bench")
            rows.append([name, m["bench"], rest])
    print_table("All measurements:", ["source", "bench", "fields"], rows)


def moe_forward(mose, ref):
    def by_series(ms):
        out = {}
        for m in ms:
            if m.get("bench") == "moe_fwd_ms" and "width" in m and "ms" in m:
                out.setdefault(series(m), {})[width_key(m["width"])] = float(m["ms"])
        return out

    mine, theirs = by_series(mose), by_series(ref)
    refs = list(theirs)
    header = ["mose series", "width", "mose ms"] + [f"ref {r} ms" for r in refs] + [f"{r} / mose" for r in refs]
    rows = []
    widths = sorted({w for s in list(mine.values()) + list(theirs.values()) for w in s}, key=width_order)
    for name in list(mine) or ["(no mose run)"]:
        for w in widths:
            mine_ms = mine.get(name, {}).get(w)
            ref_ms = [theirs[r].get(w) for r in refs]
            rows.append([name, w, mine_ms] + ref_ms + [ratio(r, mine_ms) for r in ref_ms])
    print_table("MoE-layer forward, ms (speed-up of mose = ref ms / mose ms):", header, rows)


def training(mose, ref):
    def tps(ms, key):
        return {series(m): float(m[key]) for m in ms if m.get("bench") == "train_tokens_per_s" and key in m}

    mine, theirs = tps(mose, "tokens_per_s"), tps(ref, "tps")
    refs = list(theirs)
    header = ["run", "tokens/s"] + [f"vs ref {r}" for r in refs]
    rows = [[f"mose {n}", v] + [ratio(v, theirs[r]) for r in refs] for n, v in mine.items()]
    rows += [[f"ref {n}", v] + [None] * len(refs) for n, v in theirs.items()]
    print_table("Training throughput, tokens/s (ratio = mose / ref):", header, rows)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    mose, mose_context = read_log(argv[1])
    ref, ref_context = read_log(argv[2])
    devices = {m.get("device") for m in mose if m.get("device")}
    ref_info = " ".join(f"{k}={v}" for k, v in (ref_context[0] if ref_context else {}).items())
    print(f"mose: {argv[1]} (device {', '.join(sorted(devices)) or '?'}); reference: {argv[2]} ({ref_info or '?'})")
    status = 0
    for section in (lambda: all_rows([("mose", mose), ("ref", ref)]), lambda: moe_forward(mose, ref),
                    lambda: training(mose, ref)):
        print()
        try:  # one unexpected line must not hide the other sections
            section()
        except Exception as e:  # noqa: BLE001
            print(f"  (this table failed: {type(e).__name__}: {e})")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
