"""HTML pages of submissions and leaderboards: fetch through an ownership helper, call one service, render."""

from __future__ import annotations

import csv
import gzip
import io
import logging
import uuid
import zipfile
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.http import http_date, urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from challenges.models import Challenge, Event, Phase
from challenges.selectors import is_organizer, team_of
from hackplatform.refusals import Refusal, as_refusal
from hackplatform.svgimage import chart_alt, svg_image
from hackplatform.web import csv_response, explain, explain_refusals, safe_next_url

from . import pictures, rules, selectors, services
from .forms import UploadForm
from .models import Submission
from .texts import metric_description, metric_label
from .throttling import upload_rate_refusal
from .uploads import mark_arrival

logger = logging.getLogger(__name__)


def _phase_or_404(request, pk: int) -> Phase:
    phase = selectors.phase_for_user(user=request.user, pk=pk)
    if phase is None:
        raise Http404(_("No such phase."))
    return phase


def _submission_or_404(request, pk: int) -> Submission:
    submission = selectors.submission_for_user(user=request.user, pk=pk)
    if submission is None:
        raise Http404(_("No such submission."))
    return submission


def _phase_context(request, phase: Phase) -> dict:
    event = phase.challenge.event
    team = team_of(event=event, user=request.user)
    usage = selectors.submission_usage(phase=phase, team=team) if team else None
    return {
        "phase": phase,
        "challenge": phase.challenge,
        "event": event,
        "team": team,
        "usage": usage,
        "state": phase.state(),
        "is_organizer": is_organizer(request.user, event),
    }


# Upload -----------------------------------------------------------------------------------------


@csrf_exempt
def phase_submit(request, pk: int):
    """The upload page. The arrival time is taken, and the size cap installed, before the body is read;
    CSRF is then checked as usual (Django's recipe for changing upload handlers in a view)."""
    mark_arrival(request)
    return _phase_submit(request, pk)


@login_required
@csrf_protect
def _phase_submit(request, pk: int):
    phase = _phase_or_404(request, pk)
    form = UploadForm()
    if request.method == "POST":
        refusal = None
        request.POST  # noqa: B018 - parse the body now: the size cap sets upload_too_large while reading it
        if request.upload_too_large:
            refusal = services.file_too_large()
        elif rate := upload_rate_refusal(request=request, team=team_of(event=phase.challenge.event, user=request.user)):
            refusal = rate
        else:
            form = UploadForm(request.POST, request.FILES)
            form.is_valid()  # errors are shown; the service decides what is accepted
            try:
                submission, created = services.submission_create(
                    phase=phase,
                    user=request.user,
                    file=request.FILES.get("file"),
                    description=request.POST.get("description", ""),
                    idempotency_key=request.POST.get("idempotency_key", ""),
                    received_at=request.received_at,
                    body_received_at=timezone.now(),
                )
            except (Refusal, PermissionDenied) as exc:
                refusal = as_refusal(exc)
            else:
                if created:
                    messages.success(request, _("Your file was received and is waiting to be scored."))
                return redirect(submission)
        context = {**_upload_context(request, phase), "form": form, "refusal": refusal.text}
        response = render(request, "submissions/phase_submit.html", context, status=refusal.status)
        if refusal.retry_after is not None and refusal.status == 429:
            response["Retry-After"] = http_date(refusal.retry_after.timestamp())
        return response
    return render(request, "submissions/phase_submit.html", {**_upload_context(request, phase), "form": form})


def _upload_context(request, phase: Phase) -> dict:
    # A fresh key per rendered form: a double click or a browser re-sending the POST makes one submission.
    context = _phase_context(request, phase)
    too_small = services.team_size_refusal(context["team"], context["event"]) if context["team"] else None
    judged = services.judged_challenge_refusal() if not phase.challenge.is_scored else None
    return {
        **context,
        "judged": judged.text if judged else "",
        "team_too_small": " ".join(too_small.messages) if too_small else "",
        "idempotency_key": f"form-{uuid.uuid4().hex}",
        "max_size": settings.SUBMISSION_MAX_UPLOAD_BYTES,
        "format": selectors.submission_format(phase.challenge),
    }


@login_required
def my_submissions(request, pk: int):
    phase = _phase_or_404(request, pk)
    context = _phase_context(request, phase)
    team = context["team"]
    qs = selectors.team_submissions(phase=phase, team=team) if team else Submission.objects.none()
    context["page"] = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "submissions/my_submissions.html", context)


@login_required
@explain_refusals
def phase_all_submissions(request, pk: int):
    """The organizers' table of a phase's submissions: filter by status and team, download, re-score, cancel."""
    phase = _phase_or_404(request, pk)
    if not selectors.may_list_all_submissions(request.user, phase):
        raise PermissionDenied(_("Only the organizers of this event can see all of its submissions."))
    status_filter = request.GET.get("status", "")
    if status_filter not in Submission.Status.values:
        status_filter = ""
    team_raw = request.GET.get("team", "")
    team_id = int(team_raw) if team_raw.isascii() and team_raw.isdigit() and int(team_raw) <= 2**63 - 1 else None
    qs = selectors.phase_submissions(phase=phase, status=status_filter, team_id=team_id)
    query = {k: v for k, v in (("status", status_filter), ("team", team_id)) if v}
    context = {
        **_phase_context(request, phase),
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "statuses": Submission.Status.choices,
        "teams": selectors.phase_submitting_teams(phase=phase),
        "status_filter": status_filter,
        "team_filter": team_id,
        "filter_query": urlencode(query),
        "archive_url": reverse("api:phase-submissions-archive", args=[phase.pk])
        + ("?" + urlencode(query) if query else ""),
    }
    return render(request, "submissions/phase_all_submissions.html", context)


# One submission ---------------------------------------------------------------------------------


def _metric_rows(challenge: Challenge, scores: dict) -> list[dict]:
    try:
        from submissions.scoring import get_scorer

        scorer = get_scorer(challenge.kind)
        describe = getattr(scorer, "describe_metrics", None)
        params = rules.scorer_params(challenge)
        descriptions = dict(describe(params) if describe else getattr(scorer, "metric_descriptions", {}) or {})
    except Exception:
        descriptions = {}
    primary = rules.primary_metric(challenge)
    rows = []
    for metric, value in scores.items():
        description = descriptions.get(metric) or descriptions.get(metric.split("@")[0]) or ""
        rows.append(
            {
                "metric": metric,
                "label": metric_label(metric),
                "value": value,
                "description": metric_description(metric, description),
                "primary": metric == primary,
            }
        )
    return rows


@login_required
def submission_detail(request, pk: int):
    submission = _submission_or_404(request, pk)
    phase = submission.phase
    show_private = selectors.can_see_private(request.user, phase)
    splits = []
    if submission.status == Submission.Status.SCORED:
        for split in ("public", "private") if show_private else ("public",):
            rows = _metric_rows(phase.challenge, submission.scores.get(split) or {})
            splits.append({"name": split, "rows": rows})
    context = {
        **_phase_context(request, phase),
        "submission": submission,
        "splits": splits,
        "show_private": show_private,
        "queue_position": selectors.queue_position(submission),
        "has_picture": submission.status == Submission.Status.SCORED
        and phase.challenge.kind in (Challenge.Kind.HOTSPOT, Challenge.Kind.NETWORK),
        "truth_overlay": selectors.truth_overlay_shown(phase),
        "can_mark_final": phase.leaderboard_mode == Phase.LeaderboardMode.FINAL
        and submission.status == Submission.Status.SCORED
        and not submission.is_final
        and phase.is_open(),
    }
    return render(request, "submissions/submission_detail.html", context)


@login_required
@require_POST
def submission_action(request, pk: int, action: str):
    submission = _submission_or_404(request, pk)
    actions = {
        "cancel": lambda: services.submission_cancel(submission=submission, actor=request.user),
        "rescore": lambda: services.submission_rescore(submission=submission, actor=request.user),
        "final": lambda: services.submission_mark_final(submission=submission, user=request.user),
    }
    if action not in actions:
        raise Http404(_("No such action."))
    try:
        actions[action]()
    except (Refusal, PermissionDenied) as exc:
        explain(request, exc)
    else:
        done = {
            "cancel": _("The submission was cancelled."),
            "rescore": _("The submission will be scored again."),
            "final": _("This is now your team's final submission."),
        }
        messages.success(request, done[action])
    return redirect(safe_next_url(request, request.POST.get("next"), submission.get_absolute_url()))


@login_required
@require_POST
def phase_rescore(request, pk: int):
    phase = _phase_or_404(request, pk)
    try:
        n = services.phase_rescore(phase=phase, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("%(n)d submission will be scored again.", "%(n)d submissions will be scored again.", n) % {"n": n},
        )
    return HttpResponseRedirect(reverse("submissions:phase_leaderboard", args=[phase.pk]))


# Pictures ---------------------------------------------------------------------------------------


def _read_text(storage, name: str, limit: int = 64 * 1024 * 1024) -> str:
    with storage.open(name, "rb") as handle:
        head = handle.read(2)
        rest = handle.read(limit)
    data = head + rest
    if head == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            data = gz.read(limit)
    return data.decode("utf-8-sig")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1:]


def picture_texts() -> pictures.Texts:
    """The texts of pictures and charts in the active language (pictures.py itself stays free of gettext)."""

    def network_summary(communities: int, nodes: int) -> str:
        return _("%(communities)s, %(nodes)s") % {
            "communities": ngettext("%(n)d community", "%(n)d communities", communities) % {"n": communities},
            "nodes": ngettext("%(n)d node", "%(n)d nodes", nodes) % {"n": nodes},
        }

    def day_summary(day: str, n: int, failed: int) -> str:
        return ngettext(
            "%(day)s: %(n)d upload (%(failed)d failed)", "%(day)s: %(n)d uploads (%(failed)d failed)", n
        ) % {"day": day, "n": n, "failed": failed}

    def colours_repeat(communities: int, colours: int) -> str:
        # Translators: drawn on the network picture when it shows more communities than it has colours.
        return _("%(communities)d communities shown with %(colours)d colours: some colours repeat.") % {
            "communities": communities,
            "colours": colours,
        }

    return pictures.Texts(
        # Translators: legend of the hotspot map (a PNG): the shaded cells.
        true_incidents=_("true incidents"),
        # Translators: legend of the hotspot map (a PNG): the cells outlined in blue.
        flagged_cells=_("flagged cells"),
        # Translators: legend of the hotspot map (a PNG): cells shaded by the incidents of the history weeks.
        history_incidents=_("past incidents (history)"),
        no_community=_("No node was placed in a community."),
        network_summary=network_summary,
        history_title=_("Best score over time"),
        no_scored_submission=_("No scored submission yet."),
        submissions_title=_("Submissions per day"),
        no_submission=_("No submission yet."),
        day_summary=day_summary,
        colours_repeat=colours_repeat,
        locale=get_language() or settings.LANGUAGE_CODE,
    )


def _public_archive(challenge: Challenge) -> zipfile.ZipFile | None:
    if not challenge.public_archive:
        return None
    with challenge.public_archive.storage.open(challenge.public_archive.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _history_counts(archive: zipfile.ZipFile | None, cells: list[str]) -> dict[str, int]:
    """Incidents per cell over the participants' history.csv (zeros when the dataset has none)."""
    counts = dict.fromkeys(cells, 0)
    if archive is not None and "history.csv" in archive.namelist():
        for row in _rows(archive.read("history.csv").decode("utf-8-sig")):
            if len(row) >= 3 and row[1] in counts:
                counts[row[1]] += int(row[2])
    return counts


def _render_picture(submission: Submission, *, truth_overlay: bool) -> bytes | None:
    """The submission's picture: what the submission says, over participant-facing data only, unless
    `truth_overlay` (results published, see `selectors.truth_overlay_shown`) lets the truth be drawn."""
    challenge = submission.phase.challenge
    texts = picture_texts()
    if challenge.kind == Challenge.Kind.HOTSPOT:
        from challenges.datasets.hotspot import parse_cell_id

        scores = {row[0]: float(row[1]) for row in _rows(_read_text(submission.file.storage, submission.file.name))}
        if truth_overlay:
            truth = _rows(_read_text(challenge.truth_file.storage, challenge.truth_file.name))
            by_cell = {cell: int(n) for cell, split, n in truth if split == "public"}
            label = texts.true_incidents
        else:
            by_cell = _history_counts(_public_archive(challenge), sorted(scores))
            label = texts.history_incidents
        counts = {parse_cell_id(cell): n for cell, n in by_cell.items()}
        fractions = (challenge.scoring_params or {}).get("fractions") or [0.05]
        fraction = 0.05 if 0.05 in fractions else fractions[0]
        flagged = [parse_cell_id(c) for c in pictures.flagged_cells(scores, fraction)]
        meta = challenge.dataset_meta or {}
        rows = meta.get("grid_rows") or 1 + max(r for r, _ in counts)
        cols = meta.get("grid_cols") or 1 + max(c for _, c in counts)
        return pictures.hotspot_map(
            rows=rows, cols=cols, counts=counts, flagged=flagged, texts=texts, counts_label=label
        )
    if challenge.kind == Challenge.Kind.NETWORK:
        # The team's own communities over the public edges.csv: nothing from the truth, before or after.
        communities = {row[0]: int(row[1]) for row in _rows(_read_text(submission.file.storage, submission.file.name))}
        edges: list[tuple[str, str]] = []
        archive = _public_archive(challenge)
        if archive is not None and "edges.csv" in archive.namelist():
            text = archive.read("edges.csv").decode("utf-8-sig")
            edges = [(row[0], row[1]) for row in _rows(text)]
        return pictures.network_picture(communities=communities, edges=edges, texts=texts)
    return None


@login_required
def submission_picture(request, pk: int):
    """The map (hotspot) or graph (network) of a scored submission, rendered once per language (the picture
    carries a legend) and kept in private storage. The team, the organizers and the judges of an entry
    that stands on the submission may see it."""
    submission = selectors.submission_picture_for_user(user=request.user, pk=pk)
    if submission is None:
        raise Http404(_("No such submission."))
    if submission.status != Submission.Status.SCORED:
        raise Http404(_("Pictures are drawn for scored submissions only."))
    storage = submission.file.storage
    language = get_language() or settings.LANGUAGE_CODE
    truth_overlay = selectors.truth_overlay_shown(submission.phase)
    # The overlay is in the name: a truth picture drawn after publication is never served once the results
    # are withdrawn (or another phase reopens), nor a plain one after publication.
    layer = "truth" if truth_overlay else "plain"
    name = f"pictures/{submission.pk}-v{submission.phase.challenge.truth_version}-{layer}-{language}.png"
    if storage.exists(name):
        with storage.open(name, "rb") as handle:
            data = handle.read()
    else:
        try:
            data = _render_picture(submission, truth_overlay=truth_overlay)
        except Exception:
            logger.exception("could not draw the picture of submission %s", submission.pk)
            data = None
        if data is None:
            raise Http404(_("No picture for this submission."))
        storage.save(name, ContentFile(data))
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


# Leaderboards -----------------------------------------------------------------------------------


def _leaderboard_split(request, phase: Phase) -> str:
    """The split asked for; by default the private one once the results are published (the final ranking),
    else the public one."""
    default = "private" if phase.results_published else "public"
    split = request.GET.get("split", default)
    return split if split in ("public", "private") else default


def phase_leaderboard(request, pk: int):
    phase = _phase_or_404(request, pk)
    split = _leaderboard_split(request, phase)
    context = _phase_context(request, phase)
    context.update(
        split=split,
        can_see_private=selectors.can_see_leaderboard(request.user, phase, "private"),
        visible=selectors.can_see_leaderboard(request.user, phase, split),
        primary_metric=metric_label(rules.primary_metric(phase.challenge)),
        higher_is_better=rules.higher_is_better(phase.challenge),
    )
    if context["visible"]:
        country = request.GET.get("country", "")
        try:
            page = max(1, int(request.GET.get("page", 1)))
        except ValueError:
            page = 1
        count, rows = selectors.leaderboard_page(phase=phase, split=split, page=page, country=country)
        rows = [{**row, "submitted_dt": parse_datetime(row["submitted_at"])} for row in rows]
        pages = max(1, (count + 49) // 50)
        start = phase.opens_at
        end = min(timezone.now(), phase.accepts_until)
        history = selectors.leaderboard_history(phase=phase, split=split)
        texts = picture_texts()
        context.update(
            rows=rows,
            count=count,
            page=page,
            pages=pages,
            country=country.upper(),
            countries=selectors.leaderboard_countries(phase=phase, split=split),
            my_team_id=context["team"].pk if context["team"] else None,
            # pictures.history_svg escapes every text it writes (team names included); svg_image escapes the alt.
            history_svg=svg_image(
                pictures.history_svg(
                    history,
                    start=start,
                    end=max(end, start + timedelta(hours=1)),
                    texts=texts,
                    value_range=rules.metric_range(phase.challenge, rules.primary_metric(phase.challenge)),
                ),
                alt=chart_alt(
                    texts.history_title, pictures.history_summary(history, texts=texts) or [texts.no_scored_submission]
                ),
            ),
        )
    if context["is_organizer"]:
        context["queue"] = selectors.phase_queue_summary(phase=phase)
    return render(request, "submissions/leaderboard.html", context, status=200 if context["visible"] else 403)


def _leaderboard_hidden_reason(split: str) -> str:
    if split == "private":
        return _("The private leaderboard is shown once the organizers publish the results.")
    return _("The organizers hide this leaderboard until they publish the results.")


def phase_leaderboard_csv(request, pk: int):
    phase = _phase_or_404(request, pk)
    split = _leaderboard_split(request, phase)
    if not selectors.can_see_leaderboard(request.user, phase, split):
        return render(request, "refused.html", {"reason": _leaderboard_hidden_reason(split)}, status=403)
    entries = list(selectors.leaderboard_all(phase=phase, split=split, country=request.GET.get("country", "")))
    metrics = sorted({m for e in entries for m in e.scores})
    header = ["rank", "team_id", "team", "country", "baseline", "score", "submission", "submitted_at", *metrics]
    rows = (
        [
            e.rank,
            e.team_id,
            e.team_name,
            e.team_country,
            "yes" if e.is_baseline else "",
            e.score,
            e.submission_id,
            e.received_at.isoformat(),
            *[e.scores.get(m) for m in metrics],
        ]
        for e in entries
    )
    return csv_response([header, *rows], f"leaderboard-phase{phase.pk}-{split}.csv")


# Organizer dashboard panel (registered in challenges.hooks.dashboard_panels) ----------------------


def submissions_over_time_panel(request, event: Event) -> str:
    days = selectors.submissions_per_day(event=event)
    total = sum(n for _day, n, _failed in days)
    texts, title = picture_texts(), _("Submissions per day (UTC); failed ones in red")
    return format_html(
        # The dashboard puts each panel in its own box (`<section class="panel">`): no box here.
        '<h2>{}</h2><figure>{}</figure><p class="muted">{}</p>',
        _("Submissions over time"),
        svg_image(
            pictures.bar_chart_svg(days, title=title, texts=texts),
            alt=chart_alt(title, pictures.bar_chart_summary(days, texts=texts) or [texts.no_submission]),
        ),
        ngettext("%(n)d submission in total.", "%(n)d submissions in total.", total) % {"n": total},
    )
