from civicgrid.core.permissions import Permission, declare

declare(
    Permission("people.view_building", "查看楼栋"),
    Permission("people.change_building", "维护楼栋"),
    Permission("people.view_household", "查看户"),
    Permission("people.change_household", "维护户"),
    Permission("people.view_resident", "查看居民"),
    Permission("people.change_resident", "维护居民"),
    Permission("people.unmask_personal", "查看完整身份证号和电话", sensitive=True),
    # exact look-up by a complete ID number or phone: confirms a value, so it is a sensitive read of its own
    Permission("people.lookup_personal", "按完整身份证号或电话查找居民(须填事由,限频,留痕)", sensitive=True),
    Permission("people.view_sensitive_tags", "查看重点人员等敏感标签", sensitive=True),
    Permission("people.import_people", "导入户和居民"),
    Permission("people.export_people", "导出户和居民"),
)
