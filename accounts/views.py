from __future__ import annotations

import math
from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hackplatform.middleware import TZ_COOKIE, valid_zone
from hackplatform.throttling import EmailRateThrottle, SignupRateThrottle, wait_seconds
from hackplatform.web import next_url

from . import selectors, services
from .forms import ProfileForm, SignUpForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST" and (seconds := wait_seconds(SignupRateThrottle(), request)):
        message = _("Too many sign-ups from your network. Please try again in %(minutes)d minutes.") % {
            "minutes": max(1, math.ceil(seconds / 60))
        }
        response = render(request, "registration/signup.html", {"form": SignUpForm(), "refusal": message}, status=429)
        response["Retry-After"] = str(seconds)
        return response
    zone = valid_zone(unquote(request.COOKIES.get(TZ_COOKIE) or ""))
    form = SignUpForm(request.POST if request.method == "POST" else None, browser_zone=str(zone or ""))
    if request.method == "POST" and form.is_valid():
        user = form.save()
        services.email_verification_send(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _(
                "Welcome, %(name)s! Your account is ready. Open the link we emailed to %(email)s to confirm your address."
            )
            % {"name": user.username, "email": user.email},
        )
        return redirect(next_url(request, reverse("home")))
    return render(request, "registration/signup.html", {"form": form})


@login_required
def profile(request):
    current_email = request.user.email
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.email = current_email  # a new address waits for its confirmation link
        user.save()
        messages.success(request, _("Your profile was saved."))
        new_email = form.cleaned_data["email"]
        if new_email != current_email:
            services.email_change_request(user=user, new_email=new_email)
            if user.pending_email:
                messages.info(
                    request,
                    _("We sent a link to %(email)s: your address changes once you open it.") % {"email": new_email},
                )
        return redirect("profile")
    registrations = request.user.registrations.select_related("event").order_by("-created_at")
    tokens = selectors.tokens_of(user=request.user)
    return render(request, "accounts/profile.html", {"form": form, "registrations": registrations, "tokens": tokens})


@login_required
@require_POST
def token_revoke(request, token_id: str):
    if services.token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The API token was revoked: scripts using it are refused from now on."))
    else:
        messages.error(request, _("You have no API token with this id (it may have expired or been revoked)."))
    return redirect("profile")


def email_confirm(request, token: str):
    """The link from a verification or change email: no login needed, the signed token says who and what."""
    try:
        user = services.email_confirm(token=token)
    except ValidationError as exc:
        return render(request, "refused.html", {"reason": " ".join(exc.messages)}, status=400)
    messages.success(request, _("Thank you: %(email)s is confirmed.") % {"email": user.email})
    return redirect("profile" if request.user.is_authenticated else "login")


@login_required
@require_POST
def email_resend(request):
    if seconds := wait_seconds(EmailRateThrottle(), request):
        messages.error(
            request,
            _("Too many emails asked for. Please try again in %(minutes)d minutes.")
            % {"minutes": max(1, math.ceil(seconds / 60))},
        )
        return redirect("profile")
    sent_to = services.email_verification_resend(user=request.user)
    if sent_to:
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": sent_to})
    else:
        messages.info(request, _("Your email address is already confirmed."))
    return redirect("profile")


@login_required
@require_POST
def email_change_cancel(request):
    request.user.pending_email = ""
    request.user.save(update_fields=["pending_email"])
    messages.success(request, _("The change of email address was cancelled."))
    return redirect("profile")
