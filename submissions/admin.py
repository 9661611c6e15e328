from django.contrib import admin

from .models import LeaderboardEntry, ScoreResult, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "phase", "team", "status", "received_at", "public_score", "attempts", "is_final"]
    list_filter = ["status", "phase__challenge__event"]
    search_fields = ["team__name", "original_name", "description"]
    raw_id_fields = ["phase", "team", "submitted_by"]
    readonly_fields = ["received_at", "claimed_at", "scored_at", "enqueued_at", "attempts", "scores", "file"]


@admin.register(ScoreResult)
class ScoreResultAdmin(admin.ModelAdmin):
    list_display = ["submission", "truth_version", "computed_at", "duration_ms"]
    raw_id_fields = ["submission"]


@admin.register(LeaderboardEntry)
class LeaderboardEntryAdmin(admin.ModelAdmin):
    list_display = ["phase", "split", "position", "rank", "team_name", "score", "is_baseline"]
    list_filter = ["split"]
    raw_id_fields = ["phase", "team", "submission"]
