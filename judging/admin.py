"""The power tool for judging rows; routine work has real pages (judging/views.py)."""

from django.contrib import admin

from .models import Assignment, Conflict, Criterion, Entry, EntryImage, JudgingSettings, Prize, Scorecard


class EntryImageInline(admin.TabularInline):
    model = EntryImage
    extra = 0


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "challenge", "reopened", "created_at")
    list_filter = ("event",)
    search_fields = ("title", "team__name")
    raw_id_fields = ("team", "challenge", "event", "submission")
    inlines = [EntryImageInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "weight", "min_score", "max_score", "order")
    list_filter = ("event",)


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ("entry", "judge", "submitted_at", "updated_at")
    raw_id_fields = ("entry", "judge")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("entry", "judge", "by_hand", "created_at")
    raw_id_fields = ("entry", "judge", "event")


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ("judge", "event", "team", "country")
    raw_id_fields = ("judge", "team", "event")


admin.site.register(JudgingSettings)
admin.site.register(Prize)
