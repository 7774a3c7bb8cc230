from civicgrid.core.permissions import Permission, declare

declare(
    Permission("figures.view_figures", "查看全区统计数据(由记录实时计算)"),
)
