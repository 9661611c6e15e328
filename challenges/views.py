"""HTML pages of the participant's and the organizer's journeys. Thin: parse, fetch through an
ownership helper, call one service, render. Refusals are shown with the service's reason."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hackplatform.downloads import file_download
from hackplatform.svgimage import chart_alt, svg_image
from hackplatform.web import add_form_errors, csv_response, explain_refusals, next_url, refusal_text, safe_next_url

from . import charts, hooks, selectors, services
from .forms import (
    ChallengeForm,
    EventForm,
    JoinTeamForm,
    PhaseForm,
    RegisterForm,
    RoleForm,
    TeamEditForm,
    TeamForm,
    TermsForm,
    TransferCaptainForm,
)
from .models import Event, EventRole, Phase, Registration, Team

INVITE_SESSION_KEY = "invite:{slug}"


# Ownership helpers ------------------------------------------------------------------------------


def _invite_token(request, event: Event) -> str | None:
    token = request.GET.get("invite")
    key = INVITE_SESSION_KEY.format(slug=event.slug)
    if token and token == event.invite_token:
        request.session[key] = token  # remembered, so the register form works after the link was opened
        return token
    return request.session.get(key)


def _get_visible_event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not selectors.event_visible(request.user, event, _invite_token(request, event)):
        raise Http404(_("No such event."))
    return event


def _get_organized_event(request, slug: str) -> Event:
    """The event if the user organizes it; 404 if they cannot even see it; 403 (with why) otherwise."""
    event = _get_visible_event(request, slug)
    if not selectors.is_organizer(request.user, event):
        raise PermissionDenied(_("Only the organizers of this event can open this page."))
    return event


def _get_team(request, team_id: int) -> Team:
    team = get_object_or_404(Team.objects.select_related("event", "captain"), pk=team_id)
    _get_visible_event(request, team.event.slug)
    return team


# Participant pages ------------------------------------------------------------------------------


def home(request):
    events = selectors.events_visible_to(request.user).order_by("-created_at")[:12]
    organized = selectors.events_organized_by(request.user) if request.user.is_authenticated else []
    return render(
        request,
        "home.html",
        {"events": events, "organized": organized, "can_create": selectors.can_create_events(request.user)},
    )


def event_list(request):
    events = selectors.events_visible_to(request.user).order_by("-created_at")
    return render(
        request,
        "challenges/event_list.html",
        {
            "events": events,
            "organized": selectors.events_organized_by(request.user),
            "can_create": selectors.can_create_events(request.user),
        },
    )


@login_required
def my_events(request):
    """The events the user organizes, judges or takes part in, each with their role there."""
    labels = {
        EventRole.Role.ORGANIZER: _("Organizer"),
        EventRole.Role.JUDGE: _("Judge"),
        "participant": _("Participant"),
    }
    rows = [{**row, "role_label": labels[row["role"]]} for row in selectors.events_of_user(request.user)]
    return render(
        request,
        "challenges/my_events.html",
        {"rows": rows, "can_create": selectors.can_create_events(request.user)},
    )


def _event_context(request, event: Event) -> dict:
    registration = selectors.registration_for(event=event, user=request.user)
    role = selectors.event_role(request.user, event)
    team = selectors.team_of(event=event, user=request.user)
    return {
        "event": event,
        "role": role,
        "is_organizer": role == "organizer",
        "registration": registration,
        "needs_reaccept": registration is not None and not registration.accepted_current_terms(),
        "team": team,
        "terms": event.current_terms,
        "roster_locked": selectors.roster_locked(event),
        # An organizer or judge of the event is not offered to register or form a team (the services refuse).
        "staff_role": selectors.event_staff_role(event=event, user=request.user),
    }


def event_detail(request, slug):
    event = _get_visible_event(request, slug)
    context = _event_context(request, event)
    context.update(
        {
            "challenges": selectors.challenges_with_phases(event),
            "deadlines": selectors.event_deadlines(event),
            "registration_open": event.is_registration_open(),
            "join_form": JoinTeamForm(),
        }
    )
    return render(request, "challenges/event_detail.html", context)


@login_required
@explain_refusals
def event_register(request, slug):
    """Accept the current data-use agreement: a first registration or a re-acceptance."""
    event = _get_visible_event(request, slug)
    services.require_not_event_staff(event=event, user=request.user)
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_create(
                event=event, user=request.user, accept_terms=True, invite_token=_invite_token(request, event)
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("You are registered for %(event)s.") % {"event": event.name})
            return redirect(safe_next_url(request, request.GET.get("next"), event.get_absolute_url()))
    context = _event_context(request, event)
    context["form"] = form
    return render(request, "challenges/event_register.html", context)


@login_required
@explain_refusals
def team_create(request, slug):
    event = _get_visible_event(request, slug)
    services.require_not_event_staff(event=event, user=request.user)
    if selectors.team_of(event=event, user=request.user):
        messages.info(request, _("You are already in a team for this event."))
        return redirect(event)
    initial = {"country": request.user.country} if request.user.country else None
    form = TeamForm(request.POST if request.method == "POST" else None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                event=event,
                user=request.user,
                name=form.cleaned_data["name"],
                country=form.cleaned_data["country"],
                logo=form.cleaned_data.get("logo"),
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(
                request, _("Team %(name)s created. Share the invite link with your teammates.") % {"name": team.name}
            )
            return redirect("challenges:team_detail", team.pk)
    context = _event_context(request, event)
    context["form"] = form
    return render(request, "challenges/team_form.html", context)


@login_required
@explain_refusals
def team_detail(request, team_id):
    team = _get_team(request, team_id)
    event = team.event
    context = _event_context(request, event)
    is_member = team.memberships.filter(user=request.user).exists()
    can_manage = services.can_edit_team(request.user, team)
    invite_url = request.build_absolute_uri(reverse("challenges:team_join_link", args=[event.slug, team.join_code]))
    context.update(
        {
            "team": team,
            "my_team": context["team"],
            "members": team.memberships.select_related("user").order_by("joined_at"),
            # Who is in the team: only for those the event shows rosters to (the count is always shown).
            "show_roster": selectors.can_see_roster(request.user, event),
            "is_member": is_member,
            "can_manage": can_manage,
            "show_code": is_member or context["is_organizer"],
            "is_captain": team.captain_id == request.user.id,
            "invite_url": invite_url,
            "transfer_form": TransferCaptainForm(team=team) if can_manage else None,
            "below_min": team.memberships.count() < event.team_size_min,
        }
    )
    return render(request, "challenges/team_detail.html", context)


@login_required
@explain_refusals
def team_edit(request, team_id):
    """Change the team's name, country or logo (its captain or the event's organizers)."""
    team = _get_team(request, team_id)
    services.require_team_editor(team=team, user=request.user)
    event = team.event
    form = TeamEditForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        initial={"name": team.name, "country": team.country.code},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                team=team,
                actor=request.user,
                name=form.cleaned_data["name"],
                country=form.cleaned_data["country"],
                logo=form.cleaned_data.get("logo"),
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The team was saved."))
            return redirect("challenges:team_detail", team.pk)
    context = _event_context(request, event)
    context.update({"team": team, "my_team": context["team"], "form": form})
    return render(request, "challenges/team_edit.html", context)


@login_required
@require_POST
@explain_refusals
def team_join(request, slug):
    """Join with a code typed on the event page."""
    event = _get_visible_event(request, slug)
    form = JoinTeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the join code your captain gave you."))
        return redirect(event)
    try:
        membership = services.team_join_by_code(
            event=event, user=request.user, join_code=form.cleaned_data["join_code"]
        )
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect(event)
    messages.success(request, _("You joined %(team)s.") % {"team": membership.team.name})
    return redirect("challenges:team_detail", membership.team_id)


@login_required
@explain_refusals
def team_join_link(request, slug, join_code):
    """The invite link: shows the team and a button; registering first if needed."""
    event = get_object_or_404(Event, slug=slug)
    team = Team.objects.filter(event=event, join_code=join_code).first()
    if team is None:
        raise Http404(_("This invite link is not valid any more. Ask your captain for a new one."))
    # A valid team join code also lets its holder see an invite-only event.
    if (
        not selectors.event_visible(request.user, event, _invite_token(request, event))
        and event.visibility != Event.Visibility.INVITE_ONLY
    ):
        raise Http404(_("No such event."))
    if event.visibility == Event.Visibility.INVITE_ONLY:
        request.session[INVITE_SESSION_KEY.format(slug=event.slug)] = event.invite_token
    if request.method == "POST":
        try:
            services.team_join(team=team, user=request.user, join_code=join_code)
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("You joined %(team)s.") % {"team": team.name})
            return redirect("challenges:team_detail", team.pk)
    context = _event_context(request, event)
    context.update({"invited_team": team, "join_code": join_code})
    return render(request, "challenges/team_join.html", context)


@login_required
@require_POST
@explain_refusals
def team_leave(request, team_id):
    team = _get_team(request, team_id)
    try:
        services.team_leave(team=team, user=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("challenges:team_detail", team.pk)
    messages.success(request, _("You left %(team)s.") % {"team": team.name})
    return redirect(team.event)


@login_required
@require_POST
@explain_refusals
def team_join_code(request, team_id):
    """The captain makes a new join code: the old code and invite link stop working."""
    team = _get_team(request, team_id)
    services.team_regenerate_join_code(team=team, actor=request.user)
    messages.success(request, _("The team has a new join code; the old code and invite link no longer work."))
    return redirect("challenges:team_detail", team.pk)


@login_required
@require_POST
@explain_refusals
def team_transfer(request, team_id):
    team = _get_team(request, team_id)
    form = TransferCaptainForm(request.POST, team=team)
    if form.is_valid():
        try:
            services.team_transfer_captain(team=team, actor=request.user, new_captain=form.cleaned_data["new_captain"])
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(
                request, _("%(name)s is now the captain.") % {"name": form.cleaned_data["new_captain"].username}
            )
    else:
        messages.error(request, _("Choose a member of the team as the new captain."))
    return redirect("challenges:team_detail", team.pk)


def challenge_detail(request, slug, challenge_slug):
    event = _get_visible_event(request, slug)
    challenge = get_object_or_404(event.challenges, slug=challenge_slug)
    context = _event_context(request, event)
    phases = []
    for phase in challenge.phases.order_by("order", "opens_at"):
        remaining = hooks.phase_remaining(phase, request.user) if context["team"] else None
        phases.append({"phase": phase, "state": phase.state(), "remaining": remaining})
    context.update(
        {
            "challenge": challenge,
            "phases": phases,
            "can_download": context["role"] in ("organizer", "judge")
            or (context["registration"] is not None and not context["needs_reaccept"]),
            "dataset_digest": services.dataset_archive_digest(challenge=challenge)
            if challenge.public_archive
            else None,
        }
    )
    return render(request, "challenges/challenge_detail.html", context)


@explain_refusals
def phase_dataset(request, phase_id):
    """The participant-facing zip, streamed from private storage after the permission check."""
    phase = get_object_or_404(Phase.objects.select_related("challenge__event"), pk=phase_id)
    challenge = phase.challenge
    _get_visible_event(request, challenge.event.slug)
    services.dataset_check_access(phase=phase, user=request.user)
    if not challenge.public_archive:
        raise Http404(_("This challenge has no dataset yet."))
    sha256, size = services.dataset_archive_digest(challenge=challenge)
    return file_download(
        request,
        challenge.public_archive,
        sha256=sha256,
        size=size,
        filename=f"{challenge.event.slug}-{challenge.slug}-data.zip",
        content_type="application/zip",
        api=False,
    )


# Organizer pages --------------------------------------------------------------------------------


@login_required
@explain_refusals
def event_create(request):
    if not selectors.can_create_events(request.user):
        raise PermissionDenied(_("You do not have the right to create events. Ask the site staff."))
    form = EventForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            fields = form.service_fields()
            event = services.event_create(
                creator=request.user,
                name=fields.pop("name"),
                slug=fields.pop("slug"),
                banner=form._banner_upload,
                **fields,
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("Event created. Next: publish its data-use agreement and add challenges."))
            return redirect("challenges:event_dashboard", event.slug)
    return render(request, "challenges/event_form.html", {"form": form, "creating": True})


@login_required
@explain_refusals
def event_edit(request, slug):
    event = _get_organized_event(request, slug)
    form = EventForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        instance=Event.objects.get(pk=event.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, actor=request.user, banner=form._banner_upload, **form.service_fields())
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("challenges:event_dashboard", event.slug)
    invite_url = request.build_absolute_uri(event.get_absolute_url() + "?invite=" + event.invite_token)
    return render(request, "challenges/event_form.html", {"form": form, "event": event, "invite_url": invite_url})


@login_required
@require_POST
@explain_refusals
def event_delete(request, slug):
    """Delete a draft event nobody registered for (challenges.services.event_delete says no otherwise)."""
    event = _get_organized_event(request, slug)
    try:
        services.event_delete(event=event, actor=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("challenges:event_edit", event.slug)
    messages.success(request, _("The event %(name)s was deleted.") % {"name": event.name})
    return redirect("challenges:my_events")


@login_required
@require_POST
@explain_refusals
def challenge_delete(request, slug, challenge_slug):
    """Delete a challenge with no submissions (challenges.services.challenge_delete says no otherwise)."""
    event = _get_organized_event(request, slug)
    challenge = get_object_or_404(event.challenges, slug=challenge_slug)
    try:
        services.challenge_delete(challenge=challenge, actor=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("challenges:challenge_edit", event.slug, challenge.slug)
    messages.success(request, _("The challenge %(title)s was deleted.") % {"title": challenge.title})
    return redirect("challenges:event_dashboard", event.slug)


@login_required
@explain_refusals
def event_terms(request, slug):
    event = _get_organized_event(request, slug)
    current = event.current_terms
    form = TermsForm(
        request.POST if request.method == "POST" else None, initial={"text": current.text if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        terms = services.terms_publish(event=event, actor=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Version %(v)d of the data-use agreement is published.") % {"v": terms.version})
        return redirect("challenges:event_terms", event.slug)
    accepted = dict(
        Registration.objects.filter(event=event, terms__isnull=False)
        .values_list("terms__version")
        .annotate(n=Count("id"))
    )
    versions = [(t, accepted.get(t.version, 0)) for t in event.terms.order_by("-version")]
    return render(request, "challenges/event_terms.html", {"event": event, "form": form, "versions": versions})


@login_required
@explain_refusals
def event_roles(request, slug):
    """Judges and co-organizers: organizers invite judges; organizers and site staff grant organizer rights."""
    event = _get_organized_event(request, slug)
    form = RoleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            services.role_grant_by_username(
                event=event, actor=request.user, username=username, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            form.add_error("username", refusal_text(exc))
        else:
            messages.success(
                request,
                _("%(name)s now has the role %(role)s.") % {"name": username, "role": form.cleaned_data["role"]},
            )
            return redirect("challenges:event_roles", event.slug)
    roles = event.roles.select_related("user").order_by("role", "user__username")
    return render(request, "challenges/event_roles.html", {"event": event, "form": form, "roles": roles})


@login_required
@explain_refusals
def challenge_form(request, slug, challenge_slug=None):
    event = _get_organized_event(request, slug)
    challenge = get_object_or_404(event.challenges, slug=challenge_slug) if challenge_slug else None
    form = ChallengeForm(request.POST if request.method == "POST" else None, request.FILES or None, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            challenge = services.challenge_save(
                event=event,
                actor=request.user,
                challenge=challenge,
                kind=data["kind"],
                title=data["title"],
                slug=data.get("slug") or "",
                description=data.get("description", ""),
                dataset_source=data["dataset_source"],
                dataset_seed=data.get("dataset_seed"),
                dataset_size=data["dataset_size"],
                truth_file=data.get("truth_file"),
                public_files=data.get("public_files"),
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The challenge was saved."))
            return redirect(challenge)
    return render(request, "challenges/challenge_form.html", {"event": event, "form": form, "challenge": challenge})


@login_required
@explain_refusals
def phase_form(request, slug, challenge_slug, phase_id=None):
    event = _get_organized_event(request, slug)
    challenge = get_object_or_404(event.challenges, slug=challenge_slug)
    phase = get_object_or_404(challenge.phases, pk=phase_id) if phase_id else None
    form = PhaseForm(
        request.POST if request.method == "POST" else None, instance=phase or Phase(challenge=challenge), event=event
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            if phase is None:
                services.phase_create(
                    challenge=challenge,
                    actor=request.user,
                    name=fields.pop("name"),
                    opens_at=fields.pop("opens_at"),
                    closes_at=fields.pop("closes_at"),
                    **fields,
                )
            else:
                services.phase_update(phase=Phase.objects.get(pk=phase.pk), actor=request.user, **fields)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The phase was saved."))
            return redirect(challenge)
    return render(
        request, "challenges/phase_form.html", {"event": event, "challenge": challenge, "phase": phase, "form": form}
    )


@login_required
@require_POST
@explain_refusals
def phase_publish(request, phase_id):
    phase = get_object_or_404(Phase.objects.select_related("challenge__event"), pk=phase_id)
    _get_organized_event(request, phase.challenge.event.slug)
    publish = request.POST.get("publish") == "1"
    services.phase_publish_results(phase=phase, actor=request.user, published=publish)
    messages.success(request, _("Results published.") if publish else _("Results withdrawn."))
    return redirect(next_url(request, phase.challenge.get_absolute_url()))


@login_required
@require_POST
@explain_refusals
def roster_toggle(request, slug):
    event = _get_organized_event(request, slug)
    unlocked = request.POST.get("unlocked") == "1"
    services.event_set_roster_unlocked(event=event, actor=request.user, unlocked=unlocked)
    messages.success(
        request,
        _("Teams may change again (recorded in the audit log).") if unlocked else _("The roster lock is back on."),
    )
    return redirect("challenges:event_dashboard", event.slug)


def _one_day_sentence(per_day: Counter) -> str:
    """ "12 registrations on 3 May 2030." when every registration came on one day (the chart is one column)."""
    if len(per_day) != 1:
        return ""
    ((day, n),) = per_day.items()
    return ngettext("%(n)d registration on %(day)s.", "%(n)d registrations on %(day)s.", n) % {
        "n": n,
        "day": date_format(day, "DATE_FORMAT"),
    }


def _setup_checklist(event: Event) -> list[dict]:
    """The dashboard's "what to do next": each step of `selectors.event_setup_steps` with its text and link."""
    texts = {
        "terms": (_("Publish the data-use agreement participants accept"), "challenges:event_terms"),
        "challenge": (_("Add a challenge"), "challenges:challenge_create"),
        "dataset": (_("Give each scored challenge its dataset"), "challenges:challenge_edit"),
        "phase": (_("Add a phase (when uploads are accepted)"), "challenges:phase_create"),
        "publish": (_("Publish the event (visibility: published or invite-only)"), "challenges:event_edit"),
        "judges": (_("Invite judges (for judged challenges)"), "challenges:event_roles"),
    }
    steps = []
    for step in selectors.event_setup_steps(event):
        label, url_name = texts[step["key"]]
        challenge = step["challenge"]
        if url_name in ("challenges:challenge_edit", "challenges:phase_create"):
            url = reverse(url_name, args=[event.slug, challenge.slug]) if challenge else ""
        else:
            url = reverse(url_name, args=[event.slug])
        steps.append({**step, "label": label, "url": url})
    return steps


@login_required
@explain_refusals
def event_dashboard(request, slug):
    event = _get_organized_event(request, slug)
    by_country = selectors.registrations_by_country(event)
    per_day = Counter(
        dict(
            Registration.objects.filter(event=event)
            .annotate(day=TruncDate("created_at"))
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by("day")
        )
    )
    panels = []
    for panel in hooks.dashboard_panels:
        html = panel(request, event)
        if html:
            panels.append(mark_safe(html))
    teams = selectors.teams_with_members(event)
    checklist = _setup_checklist(event)
    country_title, country_rows = (
        _("Registrations by country"),
        [(f"{name} ({code})", n) for code, name, n in by_country],
    )
    day_title, day_points = _("Registrations per day"), sorted(per_day.items())
    return render(
        request,
        "challenges/event_dashboard.html",
        {
            "event": event,
            "by_country": by_country,
            "country_chart": svg_image(
                charts.bar_chart(country_rows, title=country_title),
                alt=chart_alt(country_title, charts.bar_chart_summary(country_rows)),
            ),
            "registrations_chart": svg_image(
                charts.column_chart(day_points, title=day_title),
                alt=chart_alt(day_title, charts.column_chart_summary(day_points)),
            ),
            "registrations_one_day": _one_day_sentence(per_day),
            "checklist": checklist,
            "checklist_left": sum(1 for step in checklist if step["required"] and not step["done"]),
            "checklist_open": any(step["required"] and not step["done"] for step in checklist),
            "registration_count": sum(n for _c, _n, n in by_country),
            "teams": teams,
            "phases": selectors.phases_with_state(event),
            "challenges": event.challenges.all(),
            "panels": panels,
            "roster_locked": selectors.roster_locked(event),
            "audit": event.audit_log.select_related("actor")[:20],
            "invite_url": request.build_absolute_uri(event.get_absolute_url() + "?invite=" + event.invite_token),
        },
    )


@login_required
@explain_refusals
def export_participants(request, slug):
    event = _get_organized_event(request, slug)
    return csv_response(selectors.participant_rows(event), f"{event.slug}-participants.csv")


@login_required
@explain_refusals
def export_teams(request, slug):
    event = _get_organized_event(request, slug)
    return csv_response(selectors.team_rows(event), f"{event.slug}-teams.csv")
