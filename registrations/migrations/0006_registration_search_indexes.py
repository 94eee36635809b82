from django.db import migrations, models


class Migration(migrations.Migration):
    """The registration list's search by mobile number and by ICCID, in every status."""

    dependencies = [
        ("registrations", "0005_subscriber_data_encrypted"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(fields=["msisdn"], name="reg_msisdn"),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(fields=["iccid"], name="reg_iccid"),
        ),
    ]
