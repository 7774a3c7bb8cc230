from civicgrid.core.permissions import Permission, declare

declare(
    Permission("relief.view_relief", "查看助企纾困诉求、项目堵点及其成效(企业联系人仅本企业)"),
    Permission("relief.record_outcome", "登记助企纾困诉求的办理成效(增资、引入资金、贷款、审批打通、稳岗)"),
)
