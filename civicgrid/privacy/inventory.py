"""The personal-data inventory (个人信息清单, PIPL arts. 51 and 54): each field that holds personal data,
why it is kept, how long, and who may read it. tests/test_inventory.py fails when an encrypted field is
missing here, so the list cannot fall behind the models."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    model: str  # app_label.Model
    field: str
    record: str  # what the page calls the record
    what: str
    purpose: str
    retention: str
    readers: str  # the permission that reaches it; the page names the roles that hold it


RETAIN_CASES = "案件档案长期保存(法定留存);结案满 5 年后报告人姓名、电话匿名化"
ENTRIES = [
    Entry("accounts.User", "phone", "账号", "账号手机号", "登录、通知、找回密码", "账号停用满 3 年后匿名化",
          "accounts.view_user"),
    Entry("people.Resident", "name", "居民档案", "居民姓名", "网格服务与走访", "迁出或注销后按档案规定", "people.view_resident"),
    Entry("people.Resident", "id_number", "居民档案", "身份证号(加密,掩码显示)", "身份核验、精准服务",
          "迁出或注销后按档案规定", "people.unmask_personal"),
    Entry("people.Resident", "phone", "居民档案", "居民电话(加密,掩码显示)", "联系、回访", "迁出或注销后按档案规定",
          "people.unmask_personal"),
    Entry("cases.Case", "reporter_name", "案件", "报告人姓名", "办理反馈、回访", RETAIN_CASES, "cases.view_case"),
    Entry("cases.Case", "reporter_phone", "案件", "报告人电话(加密)", "办理反馈、回访", RETAIN_CASES, "cases.view_case"),
    Entry("publicservice.Booking", "phone", "办事预约", "预约电话(加密)", "预约提醒、核验", "预约日满 2 年后匿名化",
          "publicservice.view_booking"),
    Entry("publicservice.ServiceRequest", "phone", "网上办事申请", "申请人电话(加密)", "办件联系", "办结满 2 年后匿名化",
          "publicservice.view_request"),
    Entry("publicservice.ServiceRequest", "mail_address", "网上办事申请", "邮寄地址(加密)", "证照寄递", "办结满 2 年后匿名化",
          "publicservice.view_request"),
    Entry("recognition.Honoree", "phone", "好人候选人", "好人候选人电话(加密)", "核实事迹", "评选结束后按档案规定",
          "recognition.view_nomination"),
    Entry("recognition.Objection", "contact_phone", "公示异议", "异议人电话(加密)", "核实公示异议", "评选结束后按档案规定",
          "recognition.view_nomination"),
    Entry("subsidies.Beneficiary", "id_number", "补贴对象", "补贴对象身份证号(加密)", "免申即享资格比对", "补贴发放后按财政档案规定",
          "subsidies.view_disbursement"),
    Entry("fieldwork.KeyPersonFollowUp", "notes", "重点人员帮扶", "重点人员帮扶记录(加密)", "重点人员服务管理", "解除管控后按规定",
          "fieldwork.view_key_person"),
    Entry("volunteers.Volunteer", "id_number", "志愿者", "志愿者身份证号(加密)", "实名注册、保险、证书",
          "注销后按志愿服务档案规定", "volunteers.change_volunteer"),
    Entry("volunteers.Volunteer", "phone", "志愿者", "志愿者电话(加密)", "派单联系", "注销后按志愿服务档案规定",
          "volunteers.view_volunteer"),
    Entry("webhooks.Subscription", "secret", "推送订阅", "推送签名密钥(加密)", "对外推送签名", "订阅删除即删除",
          "webhooks.manage_webhooks"),
]
