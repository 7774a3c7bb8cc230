from civicgrid.core.permissions import Permission, declare

declare(
    Permission("innovation.view_innovation", "查看创新平台、研发团队和揭榜挂帅榜单(已发布的需求摘要全区可见)"),
    Permission("innovation.manage_platforms", "登记创新平台、研发团队,设定科技创新部"),
    Permission("innovation.view_agreement", "查看产学研合作协议(本人可见的企业)"),
    Permission("innovation.change_agreement", "登记产学研合作协议、状态和成果"),
    Permission("innovation.view_challenge", "查看揭榜需求的申报、遴选和里程碑(本人可见的企业)"),
    Permission("innovation.post_challenge", "为企业发布技术需求、作为企业一方遴选团队、记录里程碑"),
    Permission("innovation.review_challenge", "科技创新部:审核发榜、登记揭榜申报、作为部门一方遴选、验收"),
)
