from civicgrid.core.permissions import Permission, declare

declare(
    Permission("patrols.patrol", "开展日常巡查(上传轨迹、打卡、上报发现)"),
    Permission("patrols.view_patrol", "查看巡查轨迹与记录"),
    Permission("patrols.view_compliance", "查看巡查制度落实情况(日报)"),
    Permission("patrols.manage_checkpoints", "维护网格必巡点位"),
)
