from civicgrid.core.permissions import Permission, declare

declare(
    Permission("privacy.export_subject_data", "代居民导出其个人信息(须填写事由,留痕)"),
)
