from civicgrid.core.permissions import Permission, declare

declare(
    Permission("open311.manage_keys", "签发和撤销 Open311 接口密钥"),
)
