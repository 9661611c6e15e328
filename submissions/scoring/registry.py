"""Which scorer handles which challenge kind.

Built-in kinds come first. Other packages may add kinds through the entry-point group
`hackplatform.scorers` (name = kind, value = a scorer class or instance); a deployment may add or
replace kinds with the Django setting SCORING_EXTRA_SCORERS = ["kind=dotted.module:attr", ...].
Django is never imported here: `submissions.apps` plugs the setting in with `use_extra_entries`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from .base import Scorer
from .detection import DetectionScorer
from .hotspot import HotspotScorer
from .network import NetworkScorer

ENTRY_POINT_GROUP = "hackplatform.scorers"
# Kinds that exist on the platform but are never scored automatically.
NOT_SCORED = frozenset({"judged"})

_BUILTIN: dict[str, Scorer] = {s.kind: s for s in (DetectionScorer(), HotspotScorer(), NetworkScorer())}


class UnknownKindError(LookupError):
    """No scorer is registered for this kind (or the kind is ranked by judges)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown kind"


class ScorerConfigurationError(RuntimeError):
    """An extra scorer named in an entry point or in settings cannot be loaded."""


def _instantiate(obj: Any, origin: str) -> Scorer:
    scorer = obj() if isinstance(obj, type) else obj
    if not callable(getattr(scorer, "score", None)):
        raise ScorerConfigurationError(f"{origin} does not provide a scorer (no score() method)")
    return scorer


@lru_cache(maxsize=1)
def _entry_point_scorers() -> dict[str, Scorer]:
    found: dict[str, Scorer] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _BUILTIN or ep.name in NOT_SCORED:
            continue  # an installed package cannot silently change the meaning of a built-in kind
        try:
            found[ep.name] = _instantiate(ep.load(), f"entry point {ep.name}={ep.value}")
        except ScorerConfigurationError:
            raise
        except Exception as exc:
            raise ScorerConfigurationError(f"cannot load scorer entry point {ep.name}={ep.value}: {exc}") from exc
    return found


# Where extra scorer entries come from. This package knows nothing of Django: the platform's
# submissions app plugs in its SCORING_EXTRA_SCORERS setting from AppConfig.ready() (read on each call,
# so a changed setting counts at once); used alone, there are none.
_extra_entries: Callable[[], Iterable[str]] = tuple


def use_extra_entries(provider: Callable[[], Iterable[str]]) -> None:
    """Read extra "kind=module:attr" scorer entries from `provider()` from now on."""
    global _extra_entries
    _extra_entries = provider


def _settings_entries() -> list[str]:
    return [str(e) for e in (_extra_entries() or [])]


@lru_cache(maxsize=32)
def _load_setting_entry(entry: str) -> tuple[str, Scorer]:
    kind, sep, target = entry.partition("=")
    module_name, colon, attr = target.strip().partition(":")
    kind = kind.strip()
    if not sep or not colon or not kind or not module_name or not attr:
        raise ScorerConfigurationError(
            f"SCORING_EXTRA_SCORERS entry {entry!r} must look like 'kind=package.module:attr'"
        )
    if kind in NOT_SCORED:
        raise ScorerConfigurationError(f"kind {kind!r} is ranked by judges and cannot have a scorer")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ScorerConfigurationError(f"cannot load SCORING_EXTRA_SCORERS entry {entry!r}: {exc}") from exc
    return kind, _instantiate(obj, f"SCORING_EXTRA_SCORERS entry {entry!r}")


def _all_scorers() -> dict[str, Scorer]:
    scorers = dict(_BUILTIN)
    scorers.update(_entry_point_scorers())
    # Settings are explicit deployment configuration, so they may replace any kind.
    scorers.update(_load_setting_entry(entry) for entry in _settings_entries())
    return scorers


def available_kinds() -> list[str]:
    """Kinds that can be scored automatically, sorted."""
    return sorted(_all_scorers())


def get_scorer(kind: str) -> Scorer:
    """The scorer for `kind`; UnknownKindError if there is none (e.g. for `judged`)."""
    if kind in NOT_SCORED:
        raise UnknownKindError(f"kind {kind!r} is ranked by judges; no file is scored automatically")
    scorers = _all_scorers()
    try:
        return scorers[kind]
    except KeyError:
        raise UnknownKindError(f"no scorer for kind {kind!r} (available: {', '.join(sorted(scorers))})") from None


def clear_cache() -> None:
    """Forget loaded extra scorers (tests that install entry points or change settings)."""
    _entry_point_scorers.cache_clear()
    _load_setting_entry.cache_clear()
