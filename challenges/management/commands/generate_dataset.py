"""`manage.py generate_dataset --kind K --seed N --out DIR [--size small|medium|large]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from challenges.datasets import KINDS, SIZES, meta_json, write_dataset


class Command(BaseCommand):
    help = (
        "Write a seeded synthetic dataset: participant files to OUT/public/, the hidden truth and "
        "meta.json to OUT/private/. The same kind, seed and size give byte-identical files."
    )
    # Pure computation: no database, URLs or templates, so a broken check elsewhere need not stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--seed", required=True, type=int, help="a non-negative integer")
        parser.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
        parser.add_argument("--size", default="small", choices=SIZES)

    def handle(self, *args, kind: str, seed: int, out: Path, size: str, **options) -> None:
        if seed < 0:
            raise CommandError(f"--seed must be >= 0, got {seed}")
        try:
            dataset = write_dataset(kind, seed, out, size=size)
        except OSError as exc:
            raise CommandError(f"cannot write to {out}: {exc}")
        self.stdout.write(f"{kind} dataset, seed {seed}, size {size}, in {out}")
        for name, data in sorted(dataset.public_files.items()):
            self.stdout.write(f"  public/{name:<26} {len(data):>12,} bytes")
        self.stdout.write(f"  private/{'truth.csv':<25} {len(dataset.truth):>12,} bytes")
        self.stdout.write(f"  private/{'meta.json':<25} {len(meta_json(dataset)):>12,} bytes")
        facts = ", ".join(
            f"{key}={value}" for key, value in dataset.meta.items() if isinstance(value, (int, float, str))
        )
        self.stdout.write(f"  {facts}")
