from civicgrid.core.permissions import Permission, declare

declare(
    Permission("fieldwork.view_visit", "查看入户走访记录与覆盖率"),
    Permission("fieldwork.record_visit", "登记入户走访"),
    # a key person is a resident with a sensitive tag: these reach no further than people.view_sensitive_tags
    Permission("fieldwork.view_key_person", "查看重点人员(敏感个人信息,每次查看留痕)", sensitive=True,
               within="people.view_sensitive_tags"),
    Permission("fieldwork.follow_up_key_person", "登记重点人员帮教、随访", sensitive=True,
               within="people.view_sensitive_tags"),
    Permission("fieldwork.view_screening", "查看矛盾纠纷排查情况"),
    Permission("fieldwork.screen_disputes", "开展矛盾纠纷排查并报告"),
    Permission("fieldwork.view_joint_work", "查看警网联动记录与月报"),
    Permission("fieldwork.record_joint_work", "登记警网联动(联巡、联查、移交)"),
    Permission("fieldwork.view_activity", "查看普法宣传活动"),
    Permission("fieldwork.record_activity", "登记普法宣传活动"),
)
