from django.db import migrations, models

# Copy each conversation's last activity to both of its participations, in one statement.
BACKFILL = """
UPDATE parley_conversations_participant SET last_activity_at = (
    SELECT c.last_activity_at FROM parley_conversations_conversation c
    WHERE c.id = parley_conversations_participant.conversation_id
)
"""


class Migration(migrations.Migration):
    dependencies = [("parley_conversations", "0008_message_attachments")]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="last_activity_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="participant",
            name="last_activity_at",
            field=models.DateTimeField(),
        ),
        migrations.RemoveIndex(
            model_name="participant",
            name="parley_conv_user_id_f22ad7_idx",
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["user", "-last_activity_at", "-conversation"], name="participant_inbox"),
        ),
    ]
