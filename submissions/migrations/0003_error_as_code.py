from django.db import migrations, models


def keep_old_texts(apps, schema_editor):
    """Errors written before codes existed keep their words (rendered as is, in the language they were written)."""
    Submission = apps.get_model("submissions", "Submission")
    for submission in Submission.objects.exclude(error="").only("pk", "error").iterator():
        Submission.objects.filter(pk=submission.pk).update(error_code="text", error_params={"text": submission.error})


def back_to_texts(apps, schema_editor):
    Submission = apps.get_model("submissions", "Submission")
    for submission in Submission.objects.exclude(error_code="").only("pk", "error_params").iterator():
        text = (submission.error_params or {}).get("text") or submission.error_code
        Submission.objects.filter(pk=submission.pk).update(error=text)


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0002_leaderboardentry_scoreresult_submission_enqueued_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="error_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="submission",
            name="error_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(keep_old_texts, back_to_texts),
        migrations.RemoveField(
            model_name="submission",
            name="error",
        ),
    ]
