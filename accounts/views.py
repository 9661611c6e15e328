from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hackplatform.throttling import SignupRateThrottle, wait_seconds

from . import selectors, services
from .forms import ProfileForm, SignUpForm


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


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
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome, %(name)s! Your account is ready.") % {"name": user.username})
        return redirect(_safe_next(request) or "home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
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
