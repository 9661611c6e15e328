"""Reading a bundle someone uploaded, before anything is created: the YAML (no anchors or aliases, a
size cap, `version: 1`, only known keys, dates that are dates) and the zip (a size cap on the upload,
on each member and on the whole once unpacked, no path tricks in member names, only the files the YAML
names). Every refusal is a `Refusal` with a code (400).

The schema below is the bundle's format, in the order the export writes it (bundles.writing).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from challenges.models import FIRST_YEAR, LAST_YEAR, Challenge, Event, Phase
from hackplatform.refusals import Refusal

BUNDLE_VERSION = 1
YAML_NAME = "event.yaml"
MAX_MEMBERS = 500
# A member that unpacks to more than this many times its packed size is treated as a zip bomb.
MAX_RATIO = 200


def refuse(message: str, code: str) -> Refusal:
    return Refusal(message, code=code, status=400)


# YAML ---------------------------------------------------------------------------------------------


class _PlainLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses anchors and aliases: a bundle never needs them, and an alias bomb
    ("billion laughs") expands a few hundred bytes into gigabytes."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise refuse(
                _("The bundle's YAML uses anchors or aliases (& or *), which bundles may not."), "bundle_yaml_alias"
            )
        return super().compose_node(parent, index)


def load_yaml(data: bytes) -> Any:
    if len(data) > settings.BUNDLE_MAX_YAML_BYTES:
        raise refuse(
            _("The bundle's YAML is too large (limit %(kb)d KB).") % {"kb": settings.BUNDLE_MAX_YAML_BYTES // 1024},
            "bundle_too_large",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(_("The bundle is neither a zip archive nor a UTF-8 YAML file."), "bundle_bad_yaml")
    try:
        return yaml.load(text, Loader=_PlainLoader)  # a yaml.SafeLoader subclass: safe_load, without aliases
    except yaml.YAMLError as exc:
        raise refuse(_("The bundle's YAML cannot be read: %(error)s") % {"error": str(exc)[:300]}, "bundle_bad_yaml")
    except RecursionError:
        raise refuse(_("The bundle's YAML is nested too deeply."), "bundle_bad_yaml")


def _plain(value: Any) -> Any:
    """Choices (str enums) as plain text, which the safe dumper writes."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str.__str__(value)
    return value


def dump_yaml(document: dict) -> bytes:
    """The bundle's YAML: keys in schema order (never sorted, never re-ordered), so exports diff well."""
    return yaml.safe_dump(_plain(document), sort_keys=False, allow_unicode=True, width=100).encode()


# The zip ------------------------------------------------------------------------------------------


def _member_name_ok(name: str) -> bool:
    """Relative, forward slashes only, no empty, `.` or `..` part, no drive letter, no control characters."""
    parts = name.split("/")
    return (
        0 < len(name) <= 200
        and not any(ch in name for ch in "\\:")
        and not any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
        and all(part not in ("", ".", "..") for part in parts)
    )


def read_upload(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The YAML and the other files of an uploaded bundle (a zip holding event.yaml, or a YAML file)."""
    if len(data) > settings.BUNDLE_MAX_BYTES:
        raise refuse(
            _("The bundle is too large (limit %(mb)d MB).") % {"mb": settings.BUNDLE_MAX_BYTES // 2**20},
            "bundle_too_large",
        )
    if not data.startswith(b"PK"):
        return data, {}
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise refuse(
                    _("The bundle holds too many files (limit %(n)d).") % {"n": MAX_MEMBERS}, "bundle_too_many_files"
                )
            files: dict[str, bytes] = {}
            total = 0
            for info in infos:
                name = info.filename
                if info.is_dir():
                    continue
                if not _member_name_ok(name):
                    raise refuse(
                        _("The bundle holds a file with a name that is not allowed: “%(name)s”.")
                        % {"name": name[:120]},
                        "bundle_bad_member_name",
                    )
                if name in files:
                    raise refuse(_("The bundle holds “%(name)s” twice.") % {"name": name}, "bundle_bad_member_name")
                if info.flag_bits & 0x1:
                    raise refuse(_("The bundle holds an encrypted file."), "bundle_bad_zip")
                if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 2**20:
                    raise refuse(
                        _("The bundle's files unpack to far more than they weigh (a zip bomb)."), "bundle_zip_bomb"
                    )
                files[name] = _read_member(archive, info, settings.BUNDLE_MAX_UNPACKED_BYTES - total)
                total += len(files[name])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, RuntimeError):
        raise refuse(_("The bundle is not a readable zip archive."), "bundle_bad_zip")
    if YAML_NAME not in files:
        raise refuse(_("The bundle's zip holds no %(name)s.") % {"name": YAML_NAME}, "bundle_no_yaml")
    return files.pop(YAML_NAME), files


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Unpack one member in chunks, stopping once the whole bundle's budget is spent (the sizes a zip
    declares may lie)."""
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(1 << 16):
            size += len(chunk)
            if size > budget:
                raise refuse(
                    _("The bundle's files are too large once unpacked (limit %(mb)d MB).")
                    % {"mb": settings.BUNDLE_MAX_UNPACKED_BYTES // 2**20},
                    "bundle_zip_bomb",
                )
            chunks.append(chunk)
    return b"".join(chunks)


# The schema -----------------------------------------------------------------------------------------

Check = Callable[[Any, str], Any]


def _type_error(path: str, expected: str) -> Refusal:
    return refuse(
        _("In the bundle, “%(path)s” must be %(expected)s.") % {"path": path, "expected": expected}, "bundle_invalid"
    )


def text(max_length: int | None = None) -> Check:
    def check(value, path):
        if not isinstance(value, str):
            raise _type_error(path, _("text"))
        if max_length is not None and len(value) > max_length:
            raise _type_error(path, _("at most %(n)d characters long") % {"n": max_length})
        return value

    return check


def integer(low: int, high: int) -> Check:
    def check(value, path):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _type_error(path, _("a whole number from %(low)d to %(high)d") % {"low": low, "high": high})
        return value

    return check


def number(low: float, high: float) -> Check:
    def check(value, path):
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise _type_error(path, _("a number from %(low)s to %(high)s") % {"low": low, "high": high})
        return float(value)

    return check


def boolean(value, path):
    if not isinstance(value, bool):
        raise _type_error(path, _("true or false"))
    return value


def choice(values) -> Check:
    allowed = [str(v) for v in values]

    def check(value, path):
        if value not in allowed:
            raise _type_error(path, _("one of %(values)s") % {"values": ", ".join(allowed)})
        return value

    return check


def moment(value, path) -> datetime:
    """A date and time with its offset (ISO 8601); YAML's own timestamps are read too."""
    parsed = value if isinstance(value, datetime) else (parse_datetime(value) if isinstance(value, str) else None)
    if parsed is None or parsed.tzinfo is None:
        raise refuse(
            _("In the bundle, “%(path)s” must be a date and time with its offset, e.g. 2027-03-01T09:00:00Z.")
            % {"path": path},
            "bundle_bad_date",
        )
    return parsed.astimezone(UTC)


def nullable(inner: Check) -> Check:
    def check(value, path):
        return None if value is None else inner(value, path)

    return check


def json_object(value, path):
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _type_error(path, _("a mapping"))
    return value


def list_of(inner: Check, max_items: int = 200) -> Check:
    def check(value, path):
        if not isinstance(value, list) or len(value) > max_items:
            raise _type_error(path, _("a list of at most %(n)d items") % {"n": max_items})
        return [inner(item, f"{path}[{i}]") for i, item in enumerate(value)]

    return check


def mapping(spec: dict[str, Check], required: set[str] = frozenset()) -> Check:
    """A mapping with exactly these keys (those in `required` must be there): an unknown key is refused."""

    def check(value, path):
        if not isinstance(value, dict):
            raise _type_error(path or _("the bundle"), _("a mapping"))
        unknown = [str(k) for k in value if k not in spec]
        if unknown:
            where = f"{path}.{unknown[0]}" if path else unknown[0]
            raise refuse(_("The bundle has an unknown key: “%(key)s”.") % {"key": where}, "bundle_unknown_key")
        missing = sorted(required - set(value))
        if missing:
            where = f"{path}.{missing[0]}" if path else missing[0]
            raise refuse(_("The bundle lacks the key “%(key)s”.") % {"key": where}, "bundle_missing_key")
        return {key: spec[key](value[key], f"{path}.{key}" if path else key) for key in spec if key in value}

    return check


def levels(value, path):
    return list_of(mapping({"score": integer(-1000, 1000), "text": text(500)}, {"score"}), 50)(value, path)


EVENT = mapping(
    {
        "name": text(200),
        "slug": text(80),
        "description": text(),
        "timezone": text(64),
        "registration_opens_at": nullable(moment),
        "registration_closes_at": nullable(moment),
        "team_size_min": integer(1, 1000),
        "team_size_max": integer(1, 1000),
        "max_teams": nullable(integer(0, 10**6)),
        "visibility": choice(Event.Visibility.values),
        "roster_visibility": choice(Event.RosterVisibility.values),
        "code_of_conduct": text(),
        "terms": nullable(text()),
        "banner": nullable(text(200)),
        "board_skills": list_of(text(60)),
    },
    {"name", "slug"},
)
PHASE = mapping(
    {
        "name": text(120),
        "opens_at": moment,
        "closes_at": moment,
        "grace_seconds": integer(0, 24 * 3600),
        "daily_limit": nullable(integer(0, 10**6)),
        "total_limit": nullable(integer(0, 10**6)),
        "failed_count": boolean,
        "leaderboard_mode": choice(Phase.LeaderboardMode.values),
        "public_leaderboard": boolean,
        "order": integer(0, 32767),
    },
    {"name", "opens_at", "closes_at"},
)
DATASET = mapping(
    {
        "source": choice(Challenge.DatasetSource.values),
        "seed": nullable(integer(0, 2**62)),
        "size": choice(Challenge.DatasetSize.values),
        "public_files": list_of(text(120), MAX_MEMBERS),
        "truth_file": nullable(text(200)),
        "secret": nullable(text(32)),
    },
    {"source"},
)
CHALLENGE = mapping(
    {
        "slug": text(80),
        "kind": choice(Challenge.Kind.values),
        "title": text(200),
        "description": text(),
        "order": integer(0, 32767),
        "scoring_params": json_object,
        "dataset": DATASET,
        "phases": list_of(PHASE),
    },
    {"slug", "kind", "title"},
)
JUDGING_SETTINGS = mapping(
    {
        "judges_per_entry": integer(1, 20),
        "seed": integer(-(2**31), 2**31 - 1),
        "opens_at": nullable(moment),
        "closes_at": nullable(moment),
        "anonymous": boolean,
        "show_judge_names": boolean,
        "judged_weight": integer(0, 100),
        "leaderboard_weight": integer(0, 100),
    }
)
CRITERION = mapping(
    {
        "name": text(120),
        "description": text(),
        "weight": number(0.01, 100),
        "min_score": integer(-1000, 1000),
        "max_score": integer(-1000, 1000),
        "levels": levels,
        "order": integer(0, 32767),
    },
    {"name"},
)
PRIZE = mapping({"name": text(120), "challenge": nullable(text(80)), "order": integer(0, 32767)}, {"name"})
JUDGING = mapping({"settings": nullable(JUDGING_SETTINGS), "criteria": list_of(CRITERION), "prizes": list_of(PRIZE)})
BUNDLE = mapping(
    {
        "version": lambda value, path: value,  # checked first, by read_bundle
        "event": EVENT,
        "challenges": list_of(CHALLENGE),
        "judging": JUDGING,
    },
    {"version", "event"},
)


@dataclass
class Bundle:
    """A bundle read and checked: its document (dates as aware datetimes in UTC) and its files."""

    document: dict
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        return any(
            (c.get("dataset") or {}).get("secret") or (c.get("dataset") or {}).get("truth_file")
            for c in self.document.get("challenges", [])
        )

    def moments(self) -> list[datetime]:
        """Every date of the bundle."""
        event = self.document["event"]
        found = [event.get("registration_opens_at"), event.get("registration_closes_at")]
        for challenge in self.document.get("challenges", []):
            for phase in challenge.get("phases", []):
                found += [phase["opens_at"], phase["closes_at"]]
        settings_ = (self.document.get("judging") or {}).get("settings") or {}
        found += [settings_.get("opens_at"), settings_.get("closes_at")]
        return [m for m in found if m is not None]


def read_bundle(data: bytes) -> Bundle:
    """1. unpack (zip) or take the YAML, 2. parse it safely, 3. check the version, then every key and
    value against the schema, 4. check what refers to what (challenge slugs, files)."""
    raw, files = read_upload(data)
    document = load_yaml(raw)
    if not isinstance(document, dict):
        raise refuse(_("The bundle's YAML must be a mapping with `version` and `event`."), "bundle_invalid")
    version = document.get("version")
    if type(version) is not int or version != BUNDLE_VERSION:  # `true == 1` in Python: not a version
        raise refuse(
            _("This bundle's version (%(found)s) is not one this site reads (version: %(known)d).")
            % {"found": str(document.get("version"))[:20], "known": BUNDLE_VERSION},
            "bundle_unknown_version",
        )
    document = BUNDLE(document, "")
    bundle = Bundle(document=document, files=files)
    _check_references(bundle)
    return bundle


def _check_references(bundle: Bundle) -> None:
    document, used = bundle.document, set()

    def need(name: str | None, path: str) -> None:
        if name is None:
            return
        if name not in bundle.files:
            raise refuse(
                _("The bundle names the file “%(name)s” (%(path)s) but does not hold it.")
                % {"name": name, "path": path},
                "bundle_missing_file",
            )
        used.add(name)

    need(document["event"].get("banner"), "event.banner")
    slugs = set()
    for i, challenge in enumerate(document.get("challenges", [])):
        path = f"challenges[{i}]"
        if challenge["slug"] in slugs:
            raise refuse(_("Two challenges are called “%(slug)s”.") % {"slug": challenge["slug"]}, "bundle_invalid")
        slugs.add(challenge["slug"])
        dataset = challenge.get("dataset") or {"source": "none"}
        source = dataset["source"]
        if challenge["kind"] == Challenge.Kind.JUDGED and source != Challenge.DatasetSource.NONE:
            raise refuse(_("%(path)s: a judged challenge has no dataset.") % {"path": path}, "bundle_invalid")
        if source == Challenge.DatasetSource.GENERATED and dataset.get("seed") is None:
            raise refuse(_("%(path)s: a generated dataset needs its seed.") % {"path": path}, "bundle_invalid")
        if source != Challenge.DatasetSource.UPLOADED and (dataset.get("public_files") or dataset.get("truth_file")):
            raise refuse(_("%(path)s: only an uploaded dataset has files.") % {"path": path}, "bundle_invalid")
        secret = dataset.get("secret")
        if secret is not None and not re.fullmatch(r"[0-9a-f]{32}", secret):
            raise refuse(_("%(path)s: a dataset secret is 32 hexadecimal digits.") % {"path": path}, "bundle_invalid")
        for name in dataset.get("public_files", []):
            need(f"challenges/{challenge['slug']}/public/{name}", f"{path}.dataset.public_files")
        need(dataset.get("truth_file"), f"{path}.dataset.truth_file")
    for i, prize in enumerate((document.get("judging") or {}).get("prizes", [])):
        if prize.get("challenge") is not None and prize["challenge"] not in slugs:
            raise refuse(
                _("judging.prizes[%(i)d] names the challenge “%(slug)s”, which the bundle does not have.")
                % {"i": i, "slug": prize["challenge"]},
                "bundle_invalid",
            )
    extra = sorted(set(bundle.files) - used)
    if extra:
        raise refuse(
            _("The bundle holds a file its YAML does not name: “%(name)s”.") % {"name": extra[0][:120]},
            "bundle_unknown_file",
        )


def check_shifted(moments: list[datetime], shift: timedelta) -> None:
    """Every shifted date must stay within the years the site accepts."""
    for value in moments:
        try:
            moved = value + shift
        except OverflowError:
            moved = None
        if moved is None or not FIRST_YEAR <= moved.year <= LAST_YEAR:
            raise refuse(
                _("Shifted this way, a date of the bundle (%(date)s) leaves the years %(first)d to %(last)d.")
                % {"date": value.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
                "bundle_bad_date",
            )


_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<weeks>\d+)W|(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?)$"
)


def parse_shift(value: str) -> timedelta | datetime:
    """How far to move every date: a number of days (`365`, `days=365`), an ISO 8601 duration in weeks,
    days and hours (`P52W`, `P365D`, `-P1DT12H`; years and months are refused: their length varies),
    or a date to start at (`2027-03-01`, `2027-03-01T09:00:00Z`), returned as a datetime."""
    value = (value or "").strip()
    if value.startswith("days="):
        value = value[5:]
    if re.fullmatch(r"-?\d{1,6}", value):
        return timedelta(days=int(value))
    match = _DURATION.match(value)
    if match and value.rstrip("-") not in ("P", "PT") and not value.endswith("T"):
        parts = {k: int(v) for k, v in match.groupdict().items() if k != "sign" and v}
        if parts:
            delta = timedelta(**parts)
            return -delta if match["sign"] else delta
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value += "T00:00:00Z"
    try:
        start = parse_datetime(value)
    except ValueError:
        start = None
    if start is not None:
        return start if start.tzinfo else start.replace(tzinfo=UTC)
    raise refuse(
        _(
            "“%(value)s” is not a shift: give days (365), an ISO 8601 duration (P52W, P365D) or a date to start at (2027-03-01)."
        )
        % {"value": value[:40]},
        "bad_shift",
    )
