"""HTML pages of judging: the team's entry form; the organizers' settings, rubric, judges and conflicts,
assignment and results; the judge's queue and scorecard; the public results. Thin: fetch through an
ownership helper, call one service, render; refusals say why."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from challenges.models import Challenge, Event
from challenges.selectors import event_visible, is_organizer, team_of
from hackplatform.web import add_form_errors, csv_response, explain, explain_refusals
from submissions.models import Submission

from . import selectors, services
from .forms import AssignmentRunForm, ConflictForm, CriterionForm, EntryForm, JudgingSettingsForm, PrizeForm
from .models import Assignment, Conflict, Criterion, Entry, Prize, Scorecard


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not event_visible(request.user, event):
        raise Http404(_("No such event."))
    return event


def _organized(request, slug: str) -> Event:
    event = _event(request, slug)
    if not is_organizer(request.user, event):
        raise PermissionDenied(_("Only the organizers of this event can open this page."))
    return event


def _staff(request, slug: str) -> Event:
    event = _event(request, slug)
    if not (is_organizer(request.user, event) or selectors.is_judge(request.user, event)):
        raise PermissionDenied(_("Only the organizers and judges of this event can open this page."))
    return event


# Organizers ---------------------------------------------------------------------------------------------


@login_required
@explain_refusals
def judging_home(request, slug):
    """Settings (window in the event's zone, anonymity, blend weights) and publication."""
    event = _organized(request, slug)
    settings = selectors.judging_settings(event)
    form = JudgingSettingsForm(request.POST or None, instance=settings, event=event)
    if request.method == "POST":
        if "publish" in request.POST:
            try:
                services.results_publish(event=event, actor=request.user, published=request.POST["publish"] == "1")
            except ValidationError as exc:
                explain(request, exc)
            return redirect("judging:home", event.slug)
        if form.is_valid():
            try:
                services.judging_settings_update(event=event, actor=request.user, **form.service_fields())
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Judging settings saved."))
                return redirect("judging:home", event.slug)
    context = {
        "event": event,
        "form": form,
        "settings": selectors.judging_settings(event),
        "n_entries": Entry.objects.filter(event=event).count(),
        "n_criteria": Criterion.objects.filter(event=event).count(),
        "n_judges": selectors.judges_of(event).count(),
        "n_scorecards": Scorecard.objects.filter(entry__event=event).count(),
    }
    return render(request, "judging/home.html", context, status=400 if form.errors else 200)


@login_required
@explain_refusals
def criteria(request, slug):
    event = _organized(request, slug)
    form = CriterionForm(request.POST if request.method == "POST" and "name" in request.POST else None)
    if request.method == "POST":
        try:
            if "defaults" in request.POST:
                made = services.criteria_add_defaults(event=event, actor=request.user)
                messages.success(request, _("%(n)d criteria added.") % {"n": len(made)})
                return redirect("judging:criteria", event.slug)
            if "delete" in request.POST:
                criterion = get_object_or_404(Criterion, event=event, pk=request.POST["delete"])
                services.criterion_delete(criterion=criterion, actor=request.user)
                messages.success(request, _("Criterion removed."))
                return redirect("judging:criteria", event.slug)
            if form.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if k != "levels_text"}
                services.criterion_create(event=event, actor=request.user, levels=form.levels(), **data)
                messages.success(request, _("Criterion added."))
                return redirect("judging:criteria", event.slug)
        except ValidationError as exc:
            if form.is_bound:
                add_form_errors(form, exc)
            else:
                explain(request, exc)
                return redirect("judging:criteria", event.slug)
    return render(
        request,
        "judging/criteria.html",
        {"event": event, "form": form, "criteria": selectors.criteria_of(event)},
        status=400 if form.errors else 200,
    )


@login_required
@explain_refusals
def judges(request, slug):
    """Organizers: every judge with their conflicts (and record one for a judge). Judges: declare their own."""
    event = _staff(request, slug)
    organizer = is_organizer(request.user, event)
    form = ConflictForm(request.POST or None, event=event, judges=selectors.judges_of(event) if organizer else None)
    if request.method == "POST":
        if "remove" in request.POST:
            conflict = get_object_or_404(Conflict, event=event, pk=request.POST["remove"])
            try:
                services.conflict_remove(conflict=conflict, actor=request.user)
            except ValidationError as exc:
                explain(request, exc)
            return redirect("judging:judges", event.slug)
        if form.is_valid():
            try:
                services.conflict_declare(
                    event=event,
                    actor=request.user,
                    judge=form.cleaned_data.get("judge"),
                    team=form.cleaned_data.get("team"),
                    country=form.cleaned_data.get("country") or "",
                )
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Conflict recorded."))
                return redirect("judging:judges", event.slug)
    conflicts = Conflict.objects.filter(event=event).select_related("judge", "team").order_by("judge__username", "id")
    if not organizer:
        conflicts = conflicts.filter(judge=request.user)
    context = {
        "event": event,
        "form": form,
        "is_organizer": organizer,
        "judges": selectors.judges_of(event) if organizer else [],
        "conflicts": conflicts,
    }
    return render(request, "judging/judges.html", context, status=400 if form.errors else 200)


@login_required
@explain_refusals
def assignment(request, slug):
    event = _organized(request, slug)
    settings = selectors.judging_settings(event)
    form = AssignmentRunForm(
        request.POST if request.method == "POST" and "seed" in request.POST else None,
        initial={"judges_per_entry": settings.judges_per_entry, "seed": settings.seed, "keep_existing": True},
    )
    if request.method == "POST":
        try:
            if "seed" in request.POST:
                if form.is_valid():
                    result = services.assignment_run(event=event, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Assignment done."))
                    if not result.balanced or result.shortfalls:
                        messages.warning(request, _("The constraints could not all be met: see the warnings."))
                    return redirect("judging:assignment", event.slug)
            else:
                entry = get_object_or_404(Entry, event=event, pk=request.POST.get("entry"))
                judge = get_object_or_404(User, username=request.POST.get("judge", ""))
                if request.POST.get("action") == "remove":
                    services.assignment_remove(entry=entry, judge=judge, actor=request.user)
                else:
                    services.assignment_add(entry=entry, judge=judge, actor=request.user)
                return redirect("judging:assignment", event.slug)
        except ValidationError as exc:
            explain(request, exc)
            return redirect("judging:assignment", event.slug)
    context = {
        "event": event,
        "form": form,
        "overview": selectors.assignment_overview(event),
        "warnings": services.assignment_warnings(event),
        "settings": settings,
    }
    return render(request, "judging/assignment.html", context, status=400 if form.errors else 200)


def _may_see_results(request, event: Event) -> bool:
    return is_organizer(request.user, event) or selectors.judging_settings(event).published


@explain_refusals
def results(request, slug):
    """Organizers: always, with agreement and prizes. Everyone else: once published (judges' names hidden
    unless the event shows them)."""
    event = _event(request, slug)
    organizer = is_organizer(request.user, event)
    if not _may_see_results(request, event):
        raise PermissionDenied(_("The judged results are not published yet."))
    settings = selectors.judging_settings(event)
    prize_form = PrizeForm(request.POST or None, event=event) if organizer else None
    if request.method == "POST":
        if not organizer:
            raise PermissionDenied(_("Only the organizers of this event can do this."))
        try:
            if "award" in request.POST:
                prize = get_object_or_404(Prize, event=event, pk=request.POST["award"])
                winner = Entry.objects.filter(event=event, pk=request.POST.get("winner") or 0).first()
                services.prize_award(prize=prize, actor=request.user, winner=winner)
            elif prize_form.is_valid():
                services.prize_create(event=event, actor=request.user, **prize_form.cleaned_data)
        except ValidationError as exc:
            explain(request, exc)
        return redirect("judging:results", event.slug)
    rows = selectors.results(event)
    judges_by_entry = {}
    if organizer or settings.show_judge_names:
        for entry_id, username in Assignment.objects.filter(event=event).values_list("entry_id", "judge__username"):
            judges_by_entry.setdefault(entry_id, []).append(username)
    context = {
        "event": event,
        "settings": settings,
        "is_organizer": organizer,
        "rows": rows,
        "by_challenge": selectors.challenge_results(event, rows),
        "agreement": selectors.judge_agreement(event, rows) if organizer else [],
        "prizes": selectors.prizes_of(event),
        "prize_form": prize_form,
        "judges_by_entry": judges_by_entry,
        "entries": Entry.objects.filter(event=event).select_related("team").order_by("title"),
    }
    return render(request, "judging/results.html", context)


@explain_refusals
def results_csv(request, slug):
    event = _event(request, slug)
    if not _may_see_results(request, event):
        raise PermissionDenied(_("The judged results are not published yet."))
    return csv_response(selectors.results_csv_rows(event), f"{event.slug}-judged-results.csv")


@login_required
@explain_refusals
def scorecards_csv(request, slug):
    event = _organized(request, slug)
    return csv_response(selectors.scorecard_csv_rows(event), f"{event.slug}-scorecards.csv")


# Judges ---------------------------------------------------------------------------------------------


@login_required
@explain_refusals
def queue(request, slug):
    event = _event(request, slug)
    if not selectors.is_judge(request.user, event):
        raise PermissionDenied(_("Only the judges of this event have a queue."))
    items = selectors.judge_queue(event=event, judge=request.user)
    settings = selectors.judging_settings(event)
    context = {
        "event": event,
        "items": items,
        "done": sum(1 for i in items if i.scorecard),
        "settings": settings,
        "hide_teams": selectors.hides_teams_from(request.user, event),
    }
    return render(request, "judging/queue.html", context)


@explain_refusals
def entry_detail(request, pk):
    """An entry with its links and screenshots; for its assigned judge, the scorecard (POST saves it)."""
    entry = selectors.entry_for_user(request.user, pk)
    if entry is None:
        raise Http404(_("No such entry."))
    event = entry.event
    criteria = selectors.criteria_of(event)
    card = Scorecard.objects.filter(entry=entry, judge=request.user).first() if request.user.is_authenticated else None
    assigned = request.user.is_authenticated and Assignment.objects.filter(entry=entry, judge=request.user).exists()
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Log in as a judge of this event to score entries."))
        scores = {str(c.pk): request.POST.get(f"score-{c.pk}", "") for c in criteria}
        try:
            services.scorecard_submit(
                entry=entry, judge=request.user, scores=scores, comment=request.POST.get("comment", "")
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            if getattr(exc, "status", 400) == 403:
                raise PermissionDenied(" ".join(exc.messages)) from exc
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Scorecard saved. You can revise it until judging closes."))
            return redirect("judging:queue", event.slug)
    organizer = is_organizer(request.user, event)
    context = {
        "event": event,
        "entry": entry,
        "images": entry.images.all(),
        "criteria": criteria,
        "card": card,
        "values": {c.pk: (card.scores.get(str(c.pk)) if card else None) for c in criteria},
        "assigned": assigned,
        "error": error,
        "settings": selectors.judging_settings(event),
        "hide_teams": selectors.hides_teams_from(request.user, event),
        "is_organizer": organizer,
        "can_edit": services.can_edit_entry(request.user, entry),
        "all_cards": Scorecard.objects.filter(entry=entry).select_related("judge") if organizer else [],
        "public_scores": (entry.submission.scores or {}).get("public") if entry.submission else None,
        "deadline": selectors.entry_deadline(entry.challenge),
    }
    return render(request, "judging/entry_detail.html", context, status=400 if error else 200)


@login_required
@require_POST
@explain_refusals
def entry_reopen(request, pk):
    entry = get_object_or_404(Entry.objects.select_related("event", "team"), pk=pk)
    if not event_visible(request.user, entry.event):
        raise Http404(_("No such entry."))
    try:
        services.entry_reopen(entry=entry, actor=request.user, reopened=request.POST.get("reopen") == "1")
    except ValidationError as exc:
        if getattr(exc, "status", 400) == 403:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        explain(request, exc)
    return redirect(entry)


# Teams ---------------------------------------------------------------------------------------------------


@login_required
@explain_refusals
def entry_edit(request, slug, challenge_slug):
    """The team's entry for a challenge: create it, or change it until the deadline."""
    event = _event(request, slug)
    challenge = get_object_or_404(Challenge, event=event, slug=challenge_slug)
    team = team_of(event=event, user=request.user)
    entry = Entry.objects.filter(team=team, challenge=challenge).first() if team else None
    submissions = None
    if challenge.is_scored and team:
        submissions = Submission.objects.filter(
            team=team, phase__challenge=challenge, status=Submission.Status.SCORED
        ).order_by("-received_at")
    initial = {}
    if entry:
        initial = {
            "title": entry.title,
            "summary": entry.summary,
            "repository_url": entry.repository_url,
            "video_url": entry.video_url,
            "submission": entry.submission_id,
        }
    form = EntryForm(request.POST or None, request.FILES or None, initial=initial, submissions=submissions)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "images"}
        remove = [int(pk) for pk in request.POST.getlist("remove_images") if pk.isdigit()]
        try:
            if entry is None:
                title = data.pop("title")
                entry = services.entry_create(
                    challenge=challenge, user=request.user, title=title, images=form.cleaned_data["images"], **data
                )
            else:
                services.entry_update(
                    entry=entry, user=request.user, images=form.cleaned_data["images"], remove_images=remove, **data
                )
        except ValidationError as exc:
            if getattr(exc, "status", 400) == 403:
                raise PermissionDenied(" ".join(exc.messages)) from exc
            add_form_errors(form, exc)
            status = getattr(exc, "status", 400)
        else:
            messages.success(request, _("Your entry is saved."))
            return redirect(entry)
    elif request.method == "POST":
        status = 400
    if request.method == "GET" and team is None:
        raise PermissionDenied(_("You are not in a team for this event: create or join a team first."))
    context = {
        "event": event,
        "challenge": challenge,
        "team": team,
        "entry": entry,
        "form": form,
        "deadline": selectors.entry_deadline(challenge),
        "open": entry is None or selectors.entry_is_open(entry),
    }
    return render(request, "judging/entry_form.html", context, status=status)
