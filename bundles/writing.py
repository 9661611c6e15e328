"""An event as a bundle: its settings, challenges (with dataset settings and phases), judging settings,
criteria, prizes and board skills, in the schema's key order (bundles.reading), and the files they
name. Never teams, submissions, people, tokens, logs or ids.

Secrets (each challenge's `dataset_secret`, uploaded truth files) are written only for a full archive.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import PurePosixPath

from challenges.models import Challenge, Event

from .reading import BUNDLE_VERSION, YAML_NAME, dump_yaml


def moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _event(event: Event, files: dict[str, bytes]) -> dict:
    from communication.models import Skill

    terms = event.current_terms
    banner = None
    if event.banner:
        banner = f"files/banner{PurePosixPath(event.banner.name).suffix.lower() or '.png'}"
        with event.banner.open("rb") as handle:
            files[banner] = handle.read()
    return {
        "name": event.name,
        "slug": event.slug,
        "description": event.description,
        "timezone": event.timezone,
        "registration_opens_at": moment(event.registration_opens_at),
        "registration_closes_at": moment(event.registration_closes_at),
        "team_size_min": event.team_size_min,
        "team_size_max": event.team_size_max,
        "max_teams": event.max_teams,
        "visibility": event.visibility,
        "roster_visibility": event.roster_visibility,
        "code_of_conduct": event.code_of_conduct,
        "terms": terms.text if terms else None,
        "banner": banner,
        "board_skills": sorted(Skill.objects.filter(event=event).values_list("name", flat=True)),
    }


def _dataset(challenge: Challenge, files: dict[str, bytes], full: bool) -> dict:
    dataset: dict = {"source": challenge.dataset_source, "seed": challenge.dataset_seed, "size": challenge.dataset_size}
    if challenge.dataset_source == Challenge.DatasetSource.UPLOADED:
        names = []
        if challenge.public_archive:
            with challenge.public_archive.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        names.append(info.filename)
                        files[f"challenges/{challenge.slug}/public/{info.filename}"] = archive.read(info)
        dataset["public_files"] = sorted(names)
        if full and challenge.truth_file:
            dataset["truth_file"] = f"challenges/{challenge.slug}/truth.csv"
            with challenge.truth_file.open("rb") as handle:
                files[dataset["truth_file"]] = handle.read()
    if full:
        dataset["secret"] = challenge.dataset_secret
    return dataset


def _phases(challenge: Challenge) -> list[dict]:
    return [
        {
            "name": phase.name,
            "opens_at": moment(phase.opens_at),
            "closes_at": moment(phase.closes_at),
            "grace_seconds": phase.grace_seconds,
            "daily_limit": phase.daily_limit,
            "total_limit": phase.total_limit,
            "failed_count": phase.failed_count,
            "leaderboard_mode": phase.leaderboard_mode,
            "public_leaderboard": phase.public_leaderboard,
            "order": phase.order,
        }
        for phase in challenge.phases.order_by("order", "opens_at", "id")
    ]


def _judging(event: Event) -> dict:
    from judging.models import Criterion, JudgingSettings, Prize

    settings = JudgingSettings.objects.filter(event=event).first()
    return {
        "settings": None
        if settings is None
        else {
            "judges_per_entry": settings.judges_per_entry,
            "seed": settings.seed,
            "opens_at": moment(settings.opens_at),
            "closes_at": moment(settings.closes_at),
            "anonymous": settings.anonymous,
            "show_judge_names": settings.show_judge_names,
            "judged_weight": settings.judged_weight,
            "leaderboard_weight": settings.leaderboard_weight,
        },
        "criteria": [
            {
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "min_score": c.min_score,
                "max_score": c.max_score,
                "levels": [{"score": level["score"], "text": level.get("text", "")} for level in c.levels or []],
                "order": c.order,
            }
            for c in Criterion.objects.filter(event=event).order_by("order", "id")
        ],
        "prizes": [
            {"name": p.name, "challenge": p.challenge.slug if p.challenge else None, "order": p.order}
            for p in Prize.objects.filter(event=event).select_related("challenge").order_by("order", "id")
        ],
    }


def bundle_document(event: Event, *, full: bool) -> tuple[dict, dict[str, bytes]]:
    """The bundle's document (schema order) and the files it names."""
    files: dict[str, bytes] = {}
    document = {
        "version": BUNDLE_VERSION,
        "event": _event(event, files),
        "challenges": [
            {
                "slug": c.slug,
                "kind": c.kind,
                "title": c.title,
                "description": c.description,
                "order": c.order,
                "scoring_params": c.scoring_params or {},
                "dataset": _dataset(c, files, full),
                "phases": _phases(c),
            }
            for c in event.challenges.order_by("order", "id")
        ],
        "judging": _judging(event),
    }
    return document, files


def pack(document: dict, files: dict[str, bytes]) -> tuple[bytes, str]:
    """The YAML alone when there are no files, else a zip with event.yaml first; with its extension."""
    text = dump_yaml(document)
    if not files:
        return text, "yaml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(YAML_NAME, text), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue(), "zip"
