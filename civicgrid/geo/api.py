from ninja import Router

router = Router(tags=["区域网格 geo"])
