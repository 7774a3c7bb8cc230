
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='region',
            name='level',
            field=models.CharField(choices=[('province', '省'), ('city', '市'), ('district', '区'), ('street', '街道/镇'), ('community', '社区/村'), ('grid', '网格'), ('micro_grid', '微网格')], max_length=12),
        ),
    ]
