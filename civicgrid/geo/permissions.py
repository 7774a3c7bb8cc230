from civicgrid.core.permissions import Permission, declare

declare(
    Permission("geo.view_region", "查看区域网格"),
    Permission("geo.change_region", "维护区域网格与边界"),
)
