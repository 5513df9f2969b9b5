from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("parley_conversations", "0006_message_reply_to")]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="archived_seq",
            field=models.BigIntegerField(blank=True, default=None, null=True),
        ),
    ]
