"""Judging bias benchmark: does z-score normalization recover the true order better than raw means?

For each seed:

1. draw each entry's true quality q ~ N(0, 1) and each judge's leniency b ~ N(0, 0.8), scale s ~ U(0.4, 1.6)
   and noise sd e ~ U(0.2, 0.8),
2. assign judges with the real assignment (judging.assignment.assign, 3 judges per entry, the same seed),
3. each judge scores each of their entries on the default rubric's five criteria (weights 1.5, 1, 1, 1, 1.5):
   x = round(3 + b + s * q + noise), clipped to 1..5, as a 1..5 rubric would,
4. rank with (a) raw weighted means and (b) the normalized score (judging.normalize), and measure Kendall's
   tau-b between each and the true order.

Prints the mean tau of each over the seeds, for 17 teams / 5 judges and 60 teams / 12 judges.

Usage: .venv/bin/python bench/judging_bias.py [--seeds 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.assignment import assign
from judging.normalize import Card, kendall_tau, normalize

WEIGHTS = {"impact": 1.5, "feasibility": 1.0, "technical": 1.0, "ethics": 1.0, "safety": 1.5}


def one_run(n_entries: int, n_judges: int, seed: int) -> tuple[float, float]:
    rng = random.Random(seed)
    quality = {f"e{i}": rng.gauss(0, 1) for i in range(n_entries)}
    judges = {f"j{i}": (rng.gauss(0, 0.8), rng.uniform(0.4, 1.6), rng.uniform(0.2, 0.8)) for i in range(n_judges)}
    plan = assign(entries=list(quality), judges=list(judges), judges_per_entry=3, seed=seed)
    cards = []
    for entry, on in plan.assignments.items():
        for judge in on:
            lenient, scale, noise = judges[judge]
            scores = {
                c: max(1, min(5, round(3 + lenient + scale * quality[entry] + rng.gauss(0, noise)))) for c in WEIGHTS
            }
            cards.append(Card(entry, judge, scores))
    results = normalize(entries={e: i for i, e in enumerate(quality)}, weights=WEIGHTS, cards=cards)
    truth = [quality[r.entry] for r in results]
    raw = kendall_tau(truth, [r.raw_mean for r in results]) or 0.0
    normalized = kendall_tau(truth, [r.normalized for r in results]) or 0.0
    return raw, normalized


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    print(f"Kendall tau with the true order, mean over {args.seeds} seeds (3 judges per entry):")
    for n_entries, n_judges in ((17, 5), (60, 12)):
        started = time.perf_counter()
        pairs = [one_run(n_entries, n_judges, seed) for seed in range(args.seeds)]
        raw = statistics.mean(p[0] for p in pairs)
        normalized = statistics.mean(p[1] for p in pairs)
        better = sum(1 for p in pairs if p[1] > p[0])
        print(
            f"  {n_entries} teams / {n_judges} judges: raw means {raw:.3f}, normalized {normalized:.3f} "
            f"(normalized better in {better}/{args.seeds} seeds; {time.perf_counter() - started:.1f} s)"
        )


if __name__ == "__main__":
    main()
