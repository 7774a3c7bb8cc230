from civicgrid.core.permissions import Permission, declare

declare(
    Permission("publicservice.book", "网上预约办事(本人)"),
    Permission("publicservice.apply", "网上申请办事(本人)"),
    Permission("publicservice.view_booking", "查看预约(本人或本机构窗口)"),
    Permission("publicservice.check_in", "窗口预约签到、登记爽约"),
    Permission("publicservice.view_request", "查看网上办事申请(本人或本机构)"),
    Permission("publicservice.handle_request", "受理、审核、办理网上办事申请"),
    Permission("publicservice.manage_catalogue", "维护办事事项、机构、窗口和号源"),
    Permission("publicservice.register_hard_case", "“办不成事”窗口登记(为来访群众)"),
    Permission("publicservice.record_meeting", "记录“办不成事”会商(协调会)"),
)
