"""The power tool: every model, searchable. Routine tasks have real pages (see views.py)."""

from django.contrib import admin

from .models import AuditLog, Challenge, Event, EventRole, Phase, Registration, Team, TeamMembership, Terms


class EventRoleInline(admin.TabularInline):
    model = EventRole
    extra = 0
    autocomplete_fields = ["user"]


class TermsInline(admin.StackedInline):
    model = Terms
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "visibility",
        "timezone",
        "registration_opens_at",
        "registration_closes_at",
        "created_at",
    )
    list_filter = ("visibility",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("invite_token", "created_by", "created_at", "updated_at")
    inlines = [EventRoleInline, TermsInline]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = (
        "name",
        "opens_at",
        "closes_at",
        "grace_seconds",
        "daily_limit",
        "total_limit",
        "public_leaderboard",
        "results_published_at",
    )


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "kind", "dataset_source", "truth_version")
    list_filter = ("kind", "dataset_source", "event")
    search_fields = ("title", "slug", "event__name")
    readonly_fields = ("truth_version", "dataset_meta")
    inlines = [PhaseInline]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ("name", "challenge", "opens_at", "closes_at", "daily_limit", "total_limit", "results_published_at")
    list_filter = ("challenge__event",)
    search_fields = ("name", "challenge__title")


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ("user", "joined_at")
    readonly_fields = ("joined_at",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "country", "captain", "is_baseline", "created_at")
    list_filter = ("event", "country", "is_baseline")
    search_fields = ("name", "captain__username")
    readonly_fields = ("join_code",)
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        # A membership copies its team's event (the database refuses a second team per user and event).
        for obj in formset.save(commit=False):
            if isinstance(obj, TeamMembership):
                obj.event = form.instance.event
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "event", "joined_at")
    list_filter = ("event",)
    search_fields = ("user__username", "team__name")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "terms", "terms_accepted_at", "created_at")
    list_filter = ("event",)
    search_fields = ("user__username", "user__email")


@admin.register(EventRole)
class EventRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "role", "created_at")
    list_filter = ("role", "event")
    search_fields = ("user__username",)


@admin.register(Terms)
class TermsAdmin(admin.ModelAdmin):
    list_display = ("event", "version", "published_at")
    list_filter = ("event",)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "event", "actor", "action")
    list_filter = ("action", "event")
    readonly_fields = ("event", "actor", "action", "details", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
