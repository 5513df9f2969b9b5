import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Sum


def count_what_is_unread(apps, schema_editor):
    """Each user's total as the sum it replaces: last_seq - last_read_seq over their participations."""
    Participant = apps.get_model("parley_conversations", "Participant")
    UnreadTotal = apps.get_model("parley_conversations", "UnreadTotal")
    rows = (
        Participant.objects.values("user_id")
        .annotate(total=Sum(F("conversation__last_seq") - F("last_read_seq")))
        .values_list("user_id", "total")
    )
    UnreadTotal.objects.bulk_create(
        [UnreadTotal(user_id=uid, total=total) for uid, total in rows if total], batch_size=1000
    )


class Migration(migrations.Migration):

    dependencies = [
        ("parley_conversations", "0010_send_path_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UnreadTotal",
            fields=[
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                              related_name="+", serialize=False, to=settings.AUTH_USER_MODEL)),
                ("total", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(count_what_is_unread, migrations.RunPython.noop),
    ]
