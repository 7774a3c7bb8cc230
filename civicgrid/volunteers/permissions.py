from civicgrid.core.permissions import Permission, declare

declare(
    Permission("volunteers.create_order", "志愿服务点单(本人或代老人下单)"),
    Permission("volunteers.view_order", "查看志愿服务订单"),
    Permission("volunteers.view_volunteer", "查看志愿者档案"),
    Permission("volunteers.change_volunteer", "登记志愿者、管理队伍成员"),
    Permission("volunteers.view_team", "查看志愿服务队伍"),
    Permission("volunteers.record_service", "填报服务时长"),
    Permission("volunteers.confirm_service", "确认、更正服务记录"),
    Permission("volunteers.issue_certificate", "出具志愿服务证明"),
    Permission("volunteers.view_donation", "查看捐赠与发放记录"),
    Permission("volunteers.change_donation", "登记捐赠与发放"),
    Permission("volunteers.view_stats", "查看志愿服务统计"),
    Permission("volunteers.manage_sites", "维护文明实践阵地与服务队伍"),
)
