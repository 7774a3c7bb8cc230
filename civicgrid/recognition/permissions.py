from civicgrid.core.permissions import Permission, declare

declare(
    Permission("recognition.nominate", "推荐或自荐好人好事"),
    Permission("recognition.view_nomination", "查看好人榜推荐材料(含本人提交的)"),
    Permission("recognition.verify_nomination", "社区核实好人榜推荐"),
    Permission("recognition.review_nomination", "文明办审核、公示、答复异议、上榜"),
)
