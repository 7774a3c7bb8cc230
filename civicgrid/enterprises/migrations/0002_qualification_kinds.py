"""Seed the qualification kinds named in issue 14 with their validity periods (enterprises/kinds.py)."""

from django.db import migrations

KINDS = [
    ("high_tech_enterprise", "高新技术企业", "national", 3, "国科发火〔2016〕32号;有效期三年,期满前重新认定", 10),
    ("tech_sme", "科技型中小企业", "national", 1, "入库编号当年有效,每年重新评价", 20),
    ("innovative_sme", "创新型中小企业", "provincial", 3, "工信部企业〔2022〕63号", 30),
    ("specialised_sme", "专精特新中小企业", "provincial", 3, "省级认定,有效期三年", 40),
    ("little_giant", "专精特新“小巨人”企业", "national", 3, "工业和信息化部认定,有效期三年", 50),
    ("manufacturing_champion", "制造业单项冠军", "national", 3, "工业和信息化部认定,有效期三年", 60),
    ("gazelle", "瞪羚企业", "provincial", None, "辽科创办发〔2021〕2号", 70),
    ("unicorn", "独角兽企业", "provincial", None, "辽宁省科技厅认定", 80),
    ("national_innovative_enterprise", "国家级创新型企业", "national", None, "科技部、国资委、全国总工会", 90),
    ("torch_key_high_tech", "国家火炬计划重点高新技术企业", "national", None, "科技部火炬中心", 100),
    ("postdoctoral_station", "国家级博士后科研工作站", "national", None, "人力资源和社会保障部、全国博士后管委会", 110),
    ("provincial_tech_centre", "省级企业技术中心", "provincial", None, "省工业和信息化厅认定,定期评价", 120),
]  # a copy: a migration never imports application code that may change later


def seed(apps, schema_editor):
    QualificationKind = apps.get_model("enterprises", "QualificationKind")
    for code, name, level, years, description, sort in KINDS:
        QualificationKind.objects.get_or_create(code=code, defaults={
            "name": name, "level": level, "validity_years": years, "description": description, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
