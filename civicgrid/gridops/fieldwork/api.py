from ninja import Router

router = Router(tags=["走访与联动"])
