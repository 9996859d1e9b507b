from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0003_status_says"),
    ]

    operations = [
        migrations.AddField(
            model_name="student",
            name="last_report_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="student",
            name="message_seen",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
