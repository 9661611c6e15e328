"""Export an event as a bundle, and import a bundle as a new event (docs/api.md, "Event bundles")."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from challenges import services as challenge_services
from challenges.models import Challenge, Event
from challenges.selectors import can_create_events, is_organizer
from hackplatform.refusals import Refusal, as_refusal

from . import reading, writing

# Addresses under /events/ that are pages, not events.
RESERVED_SLUGS = {"new", "import"}


@dataclass
class Download:
    content: bytes
    filename: str
    content_type: str


def bundle_export(*, event: Event, actor: User, full: bool = False) -> Download:
    """The event as a bundle (YAML, or a zip when it has files), recorded in the audit log.

    1. only the event's organizers, 2. build the document and gather the files it names (the truth files
    and dataset secrets only when `full`), 3. record the export (`bundle_export_full` for a full one).
    """
    if not is_organizer(actor, event):
        raise PermissionDenied(_("Only the organizers of this event can export it."))
    document, files = writing.bundle_document(event, full=full)
    content, extension = writing.pack(document, files)
    challenge_services.audit(
        event=event, actor=actor, action="bundle_export_full" if full else "bundle_export", format=extension
    )
    suffix = "-full" if full else ""
    content_type = "application/zip" if extension == "zip" else "application/yaml"
    return Download(content=content, filename=f"{event.slug}{suffix}.{extension}", content_type=content_type)


def _shift_of(bundle: reading.Bundle, shift: timedelta | datetime | None) -> timedelta:
    """A start date becomes the distance from the bundle's earliest date to it."""
    if shift is None:
        return timedelta(0)
    if isinstance(shift, timedelta):
        return shift
    moments = bundle.moments()
    return shift - min(moments) if moments else timedelta(0)


def _check_new_slug(slug: str) -> None:
    try:
        validate_slug(slug)
    except ValidationError:
        raise Refusal(
            _("“%(slug)s” is not a valid slug: use letters, numbers, hyphens and underscores.") % {"slug": slug[:80]},
            code="bad_slug",
        )
    if len(slug) > 80 or slug in RESERVED_SLUGS:
        raise Refusal(
            _("The slug “%(slug)s” is reserved or too long; choose another.") % {"slug": slug[:80]}, code="bad_slug"
        )
    if Event.objects.filter(slug=slug).exists():
        raise Refusal(
            _("An event with the slug “%(slug)s” already exists: choose another slug for the new event.")
            % {"slug": slug},
            code="slug_taken",
        )


def bundle_import(
    *,
    actor: User,
    data: bytes,
    slug: str | None = None,
    name: str | None = None,
    shift: timedelta | datetime | None = None,
) -> Event:
    """Create a new event from a bundle; the importing user becomes its organizer.

    1. the user must be allowed to create events,
    2. read and check the whole bundle (bundles.reading) and the new slug, and check that every date
       moved by `shift` (a duration, or the date the earliest date should move to) stays valid,
    3. in one transaction create the event, its terms, skills, challenges (a non-full bundle's generated
       datasets get a fresh secret, so the hidden data differs even with the same seed; a full archive
       restores the secrets and truth files), phases, judging settings, criteria and prizes,
       through each app's own services (every model rule is checked again),
    4. record the import. Any refusal rolls everything back (files written are deleted) and
       answers 400 with a code.
    """
    if not can_create_events(actor):
        raise PermissionDenied(_("You do not have the right to create events. Ask the site staff."))
    bundle = reading.read_bundle(data)
    source = bundle.document["event"]
    slug = (slug or "").strip() or source["slug"]
    _check_new_slug(slug)
    delta = _shift_of(bundle, shift)
    reading.check_shifted(bundle.moments(), delta)
    made: list = []
    where = [_("the event")]
    try:
        with transaction.atomic():
            event = _create(
                bundle,
                actor=actor,
                slug=slug,
                name=(name or "").strip() or source["name"],
                delta=delta,
                made=made,
                where=where,
            )
            challenge_services.audit(
                event=event,
                actor=actor,
                action="bundle_import",
                source=source["slug"],
                full=bundle.full,
                shift_seconds=int(delta.total_seconds()),
            )
    except (ValidationError, PermissionDenied) as exc:
        _delete_files(made)
        refusal = as_refusal(exc)
        if refusal.status == 400 and refusal.code != "bundle_invalid" and not refusal.code.startswith("bundle_"):
            raise Refusal(
                _("The bundle cannot be imported (%(where)s): %(reason)s")
                % {"where": where[0], "reason": refusal.text},
                code="bundle_invalid",
            ) from exc
        raise
    except BaseException:
        _delete_files(made)
        raise
    return event


def _delete_files(made: list) -> None:
    for obj in made:
        for field in obj._meta.get_fields():
            if hasattr(field, "storage") and hasattr(obj, field.name):
                file = getattr(obj, field.name)
                if file and file.name:
                    file.storage.delete(file.name)


def _moved(value: datetime | None, delta: timedelta) -> datetime | None:
    return None if value is None else value + delta


def _create(
    bundle: reading.Bundle, *, actor: User, slug: str, name: str, delta: timedelta, made: list, where: list[str]
) -> Event:
    """Create everything the bundle holds; `made` collects the rows with files, `where` names the part
    being created (for the refusal's message)."""
    from communication.board import skill_add
    from judging import services as judging_services
    from submissions.rules import check_scoring_params

    source, files = bundle.document["event"], bundle.files
    fields = {
        key: source[key]
        for key in (
            "description",
            "timezone",
            "team_size_min",
            "team_size_max",
            "max_teams",
            "visibility",
            "roster_visibility",
            "code_of_conduct",
        )
        if key in source
    }
    for key in ("registration_opens_at", "registration_closes_at"):
        if key in source:
            fields[key] = _moved(source[key], delta)
    banner = None
    if source.get("banner"):
        banner = ContentFile(files[source["banner"]], name=source["banner"].rsplit("/", 1)[-1])
    event = challenge_services.event_create(creator=actor, name=name, slug=slug, banner=banner, **fields)
    made.append(event)
    if source.get("terms"):
        challenge_services.terms_publish(event=event, actor=actor, text=source["terms"])
    for skill in source.get("board_skills", []):
        skill_add(event=event, actor=actor, name=skill)
    challenges: dict[str, Challenge] = {}
    for item in bundle.document.get("challenges", []):
        where[0] = _("challenge “%(slug)s”") % {"slug": item["slug"]}
        challenge = challenge_services.challenge_create(
            event=event,
            actor=actor,
            kind=item["kind"],
            title=item["title"],
            slug=item["slug"],
            description=item.get("description", ""),
        )
        made.append(challenge)
        challenge.order = item.get("order", 0)
        dataset = item.get("dataset") or {"source": Challenge.DatasetSource.NONE}
        challenge.dataset_size = dataset.get("size", challenge.dataset_size)
        if dataset.get("secret"):
            challenge.dataset_secret = dataset["secret"]
        if "scoring_params" in item:
            try:
                challenge.scoring_params = check_scoring_params(item["kind"], item["scoring_params"])
            except ValidationError:
                raise
            except Exception as exc:  # the scorer's own error type; its message is meant for people
                raise Refusal(
                    _("Challenge “%(slug)s”: its scoring settings are refused: %(error)s")
                    % {"slug": item["slug"], "error": exc},
                    code="bundle_invalid",
                )
        challenge.save()
        _dataset(challenge, dataset, files, actor)
        for phase in item.get("phases", []):
            where[0] = _("challenge “%(slug)s”, phase “%(name)s”") % {"slug": item["slug"], "name": phase["name"]}
            phase_fields = {k: v for k, v in phase.items() if k not in ("name", "opens_at", "closes_at")}
            challenge_services.phase_create(
                challenge=challenge,
                actor=actor,
                name=phase["name"],
                opens_at=phase["opens_at"] + delta,
                closes_at=phase["closes_at"] + delta,
                **phase_fields,
            )
        challenges[challenge.slug] = challenge
    judging = bundle.document.get("judging") or {}
    where[0] = _("the judging settings")
    if judging.get("settings") is not None:
        settings_fields = dict(judging["settings"])
        for key in ("opens_at", "closes_at"):
            if key in settings_fields:
                settings_fields[key] = _moved(settings_fields[key], delta)
        judging_services.judging_settings_update(event=event, actor=actor, **settings_fields)
    for item in judging.get("criteria", []):
        where[0] = _("criterion “%(name)s”") % {"name": item["name"]}
        criterion = judging_services.criterion_create(
            event=event,
            actor=actor,
            **{k: v for k, v in item.items() if k != "order"},
        )
        if "order" in item and item["order"] != criterion.order:
            type(criterion).objects.filter(pk=criterion.pk).update(order=item["order"])
    for item in judging.get("prizes", []):
        where[0] = _("prize “%(name)s”") % {"name": item["name"]}
        prize = judging_services.prize_create(
            event=event, actor=actor, name=item["name"], challenge=challenges.get(item.get("challenge") or "")
        )
        if "order" in item and item["order"] != prize.order:
            type(prize).objects.filter(pk=prize.pk).update(order=item["order"])
    return event


def _dataset(challenge: Challenge, dataset: dict, files: dict[str, bytes], actor: User) -> None:
    """Give an imported challenge its dataset: generate it again (its seed and size; the secret restored
    by a full archive, else the fresh one it was created with), or store the uploaded files (the truth
    only when a full archive holds it: otherwise the organizers upload it again)."""
    source = dataset["source"]
    if source == Challenge.DatasetSource.GENERATED:
        params = challenge.scoring_params
        challenge_services.challenge_generate_dataset(
            challenge=challenge, seed=dataset["seed"], size=dataset.get("size", Challenge.DatasetSize.SMALL)
        )
        if params and params != challenge.scoring_params:
            challenge.scoring_params = params
            challenge.save(update_fields=["scoring_params"])
        return
    if source != Challenge.DatasetSource.UPLOADED:
        return
    public = {name: files[f"challenges/{challenge.slug}/public/{name}"] for name in dataset.get("public_files", [])}
    truth_name = dataset.get("truth_file")
    if truth_name:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as out:
            for name, content in sorted(public.items()):
                out.writestr(name, content)
        challenge_services.challenge_upload_dataset(
            challenge=challenge,
            actor=actor,
            truth=ContentFile(files[truth_name], name="truth.csv"),
            public_files=ContentFile(archive.getvalue(), name="public.zip"),
        )
        return
    challenge.dataset_source = Challenge.DatasetSource.UPLOADED
    challenge.dataset_meta = {"files": sorted(public)}
    if public:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for name, content in sorted(public.items()):
                out.writestr(name, content)
        challenge.public_archive.save(
            f"{challenge.event.slug}-{challenge.slug}-data.zip", ContentFile(archive.getvalue()), save=False
        )
    challenge.save()


def read_limited(upload) -> bytes:
    """An uploaded bundle's bytes, reading at most one byte past the limit (bundles.reading refuses it)."""
    from django.conf import settings

    upload.seek(0)
    return upload.read(settings.BUNDLE_MAX_BYTES + 1)
