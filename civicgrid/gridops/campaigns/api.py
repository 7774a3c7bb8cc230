from ninja import Router

router = Router(tags=["专项排查"])
