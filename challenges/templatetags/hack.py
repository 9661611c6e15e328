"""Template helpers: sanitized Markdown, and times that always carry their zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import markdown as md
import nh3
from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from challenges.models import AOE

register = template.Library()

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> str:
    """Markdown to HTML, then nh3 with an allow-list: no scripts, styles, images, iframes or event handlers."""
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> str:
    return mark_safe(render_markdown(text))


def _offset(dt: datetime) -> str:
    offset = dt.utcoffset()
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def zone_label(zone_name: str, at: datetime | None = None) -> str:
    """'America/Bogota (UTC−05:00)', or 'Anywhere on Earth (UTC−12)' for AOE."""
    if zone_name == AOE:
        return _("Anywhere on Earth (UTC−12)")
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zone_name
    local = (at or timezone.now()).astimezone(zone)
    return f"{zone_name.replace('_', ' ')} ({_offset(local)})"


@register.simple_tag
def zone_name(zone: str) -> str:
    return zone_label(zone)


def format_in_zone(dt: datetime | None, zone_name: str) -> str:
    """'2025-03-01 18:00 America/Bogota (UTC−05:00)': always the date, the time and the zone."""
    if dt is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
        zone_name = "UTC"
    local = dt.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(zone_name, dt)}"


@register.filter
def in_zone(dt: datetime | None, zone: str) -> str:
    return format_in_zone(dt, zone)


@register.simple_tag(takes_context=True)
def when(context, dt: datetime | None, event_zone: str, countdown: bool = False, once: bool = False) -> str:
    """A moment in the event's zone, the viewer's zone when different, and an optional live countdown.

    `once` (cards, where several moments sit side by side): the moment written once, in the viewer's zone
    with the zone named, the event's zone in the `title`; no countdown."""
    if dt is None:
        return format_html("<span class='muted'>{}</span>", _("not set"))
    viewer = timezone.get_current_timezone_name()
    if once:
        return format_html(
            '<time class="when" datetime="{}"{}>{}</time>',
            dt.isoformat(),
            format_html(' title="{} {}"', _("event time:"), format_in_zone(dt, event_zone))
            if viewer != event_zone
            else "",
            format_in_zone(dt, viewer),
        )
    parts = [format_html('<time datetime="{}">{}</time>', dt.isoformat(), format_in_zone(dt, event_zone))]
    if viewer != event_zone:
        parts.append(
            format_html(
                '<span class="viewer-time">{} {}</span>',
                _("your time:"),
                format_in_zone(dt, viewer),
            )
        )
    if countdown and dt > timezone.now():
        parts.append(
            format_html(
                '<span class="countdown-wrap">{} <span class="countdown" data-deadline="{}" aria-live="off">{}</span></span>',
                _("time left:"),
                dt.isoformat(),
                _timeleft(dt),
            )
        )
    return mark_safe('<span class="when">' + " · ".join(parts) + "</span>")


def _timeleft(dt: datetime) -> str:
    left = int((dt - timezone.now()).total_seconds())
    days, rest = divmod(max(left, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    hms = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    # Translators: a countdown such as "2d 03:04:05"; "d" abbreviates "days" (static/js/site.js shows the same text).
    return _("%(d)sd %(hms)s") % {"d": days, "hms": hms} if days else hms


@register.simple_tag
def url_or_empty(name: str, *args) -> str:
    """reverse() that answers "" when the route does not exist (yet), for links to optional apps."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def described(field):
    """Render a form field with aria-describedby pointing at its help text and its errors."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    attrs = {}
    if field.errors:
        ids.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def event_banners(context, event) -> str:
    """The banners other apps add to an event's pages (challenges.hooks.event_banners), e.g. unread
    announcements. Each provider returns safe HTML; challenges does not know what they show."""
    from challenges import hooks

    request = context.get("request")
    if request is None or event is None:
        return ""
    return mark_safe("".join(provider(request, event) for provider in hooks.event_banners))


CLOSING_SOON = 24 * 3600  # seconds: a deadline this close is shown as "closing soon"


@register.simple_tag
def deadline_state(closes_at: datetime | None, opens_at: datetime | None = None) -> str:
    """How near a deadline is, for its colour and label: "upcoming", "open", "soon" (< 24 h) or "closed"."""
    now = timezone.now()
    if closes_at is None:
        return "open"
    if opens_at is not None and now < opens_at:
        return "upcoming"
    left = (closes_at - now).total_seconds()
    if left <= 0:
        return "closed"
    return "soon" if left < CLOSING_SOON else "open"
