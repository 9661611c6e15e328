import secrets

from django.db import migrations, models

import challenges.models


def give_each_challenge_its_own_secret(apps, schema_editor):
    # AddField evaluates a callable default once, so every existing row got the same value: draw one per row.
    Challenge = apps.get_model("challenges", "Challenge")
    for challenge in Challenge.objects.only("pk").iterator():
        Challenge.objects.filter(pk=challenge.pk).update(dataset_secret=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0002_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="challenge",
            name="dataset_secret",
            field=models.CharField(default=challenges.models.dataset_secret, editable=False, max_length=32),
        ),
        migrations.RunPython(give_each_challenge_its_own_secret, migrations.RunPython.noop),
    ]
