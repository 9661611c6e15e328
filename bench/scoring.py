"""Benchmark: the scoring engine against the evaluation script a host would write with pandas + sklearn.

usage:  .venv/bin/python bench/scoring.py [--rows 3000000] [--repeat 3] [--markdown]

1. Build a detection case in a temporary directory: truth `record_id,label,split` (about 1%
   positives, half public, half private) and a submission listing the same ids in shuffled order.
2. Time each contender in a fresh Python process (wall time and peak RSS of that process, read
   with os.wait4), alternating them `--repeat` times; report the median wall time and the
   largest peak RSS:
   - baseline: pandas.read_csv of both files, validation (columns, duplicates, id set, NaN),
     a merge, then sklearn's average_precision_score and roc_auc_score and a precision@R per split;
   - ours: `submissions.scoring.score_file` (parse, validate, all metrics for both splits);
   - ours via `manage.py score_file` (the same plus Django start-up), for reference.
3. Check that both report the same AP and ROC-AUC, and print a table with the ratio ours/baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASELINE = r"""
import json, sys
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

truth = pd.read_csv(sys.argv[1], dtype={"record_id": str, "split": str})
sub = pd.read_csv(sys.argv[2], dtype={"record_id": str})
if list(sub.columns) != ["record_id", "score"]:
    sys.exit("error: bad header")
if sub["record_id"].isna().any() or sub["score"].isna().any():
    sys.exit("error: empty id or NaN score")
if not np.isfinite(sub["score"].to_numpy(dtype=float)).all():
    sys.exit("error: score not finite")
if sub["record_id"].duplicated().any():
    sys.exit("error: duplicate id")
if set(sub["record_id"]) != set(truth["record_id"]):
    sys.exit("error: ids differ from the truth")
merged = truth.merge(sub, on="record_id", how="inner", validate="one_to_one")
out = {}
for split, group in merged.groupby("split"):
    y = group["label"].to_numpy()
    s = group["score"].to_numpy()
    r = int(y.sum())
    top = np.argsort(-s, kind="stable")[:r]
    out[split] = {
        "average_precision": float(average_precision_score(y, s)),
        "roc_auc": float(roc_auc_score(y, s)),
        "r_precision": float(y[top].sum() / r),
    }
print(json.dumps(out))
"""

OURS = r"""
import json, sys
from submissions.scoring import score_file
print(json.dumps(score_file("detection", sys.argv[1], sys.argv[2])))
"""


def build_case(rows: int, folder: Path, seed: int = 20240601) -> tuple[Path, Path]:
    """Write truth.csv and submission.csv with pyarrow (generating 3M rows in Python takes longer than scoring)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    numbers = pc.cast(pa.array(np.arange(rows, dtype=np.int64)), pa.string())
    ids = pc.binary_join_element_wise("r", pc.utf8_lpad(numbers, width=8, padding="0"), "")
    labels = (rng.random(rows) < 0.01).astype(np.int8)
    splits = np.where(rng.random(rows) < 0.5, "public", "private")
    options = pacsv.WriteOptions(quoting_style="none")
    truth = folder / "truth.csv"
    pacsv.write_csv(pa.table({"record_id": ids, "label": labels, "split": splits}), truth, write_options=options)
    order = rng.permutation(rows)
    scores = np.round(rng.normal(size=rows) + 1.5 * labels, 6)[order]
    submission = folder / "submission.csv"
    table = pa.table({"record_id": ids.take(pa.array(order)), "score": pa.array(scores)})
    pacsv.write_csv(table, submission, write_options=options)
    return truth, submission


def measure(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one fresh process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} exited {proc.returncode}: {stderr.strip()[-500:]}")
    return wall, usage.ru_maxrss / 1024, stdout  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--no-command", action="store_true", help="skip the manage.py variant")
    args = parser.parse_args()
    python = sys.executable

    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        truth, submission = build_case(args.rows, folder)
        sizes = f"truth {truth.stat().st_size / 1e6:.0f} MB, submission {submission.stat().st_size / 1e6:.0f} MB"
        print(f"built {args.rows:,} rows ({sizes}) in {time.perf_counter() - started:.1f}s", flush=True)
        (folder / "baseline.py").write_text(BASELINE)
        (folder / "ours.py").write_text(OURS)
        contenders = {
            "baseline (pandas + sklearn)": [python, str(folder / "baseline.py"), str(truth), str(submission)],
            "ours (score_file)": [python, "-c", OURS, str(truth), str(submission)],
        }
        if not args.no_command:
            contenders["ours (manage.py score_file)"] = [
                python, "manage.py", "score_file", "--kind", "detection", "--truth", str(truth), "--submission", str(submission),
            ]  # fmt: skip
        walls: dict[str, list[float]] = {name: [] for name in contenders}
        peaks: dict[str, float] = dict.fromkeys(contenders, 0.0)
        outputs: dict[str, dict] = {}
        for round_ in range(args.repeat):
            names = list(contenders) if round_ % 2 == 0 else list(reversed(contenders))
            for name in names:
                try:
                    wall, peak, stdout = measure(contenders[name])
                except RuntimeError as exc:
                    print(f"{name}: {exc}", file=sys.stderr)
                    walls[name].append(float("nan"))
                    continue
                walls[name].append(wall)
                peaks[name] = max(peaks[name], peak)
                outputs[name] = json.loads(stdout)
                print(f"  round {round_ + 1}: {name:30s} {wall:6.2f} s  {peak:6.0f} MB", flush=True)

    base_name, ours_name = "baseline (pandas + sklearn)", "ours (score_file)"
    for split in ("public", "private"):
        for metric in ("average_precision", "roc_auc"):
            a, b = outputs[base_name][split][metric], outputs[ours_name][split][metric]
            assert abs(a - b) <= 1e-9 * max(1.0, abs(a)), f"{split} {metric}: baseline {a} vs ours {b}"
    base_wall = statistics.median(walls[base_name])
    rows = []
    for name in contenders:
        wall = statistics.median(walls[name])
        rows.append((name, wall, peaks[name], wall / base_wall))
    cpu = f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(
        f"\n{args.rows:,} rows, median of {args.repeat} runs each, fresh process per run ({cpu}); same AP and ROC-AUC"
    )
    print(f"{'':32s} {'wall s':>8s} {'peak MB':>8s} {'vs baseline':>12s}")
    for name, wall, peak, ratio in rows:
        print(f"{name:32s} {wall:8.2f} {peak:8.0f} {ratio:11.2f}x")
    if args.markdown:
        print("\n| contender | wall time (s) | peak RSS (MB) | time vs baseline |\n| --- | ---: | ---: | ---: |")
        for name, wall, peak, ratio in rows:
            print(f"| {name} | {wall:.2f} | {peak:.0f} | {ratio:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
