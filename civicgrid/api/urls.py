"""Project-level API wiring: one NinjaAPI at /api/v1/, each domain app contributes its router."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import path

from civicgrid.accounts.api import auth_router
from civicgrid.accounts.api import router as accounts_router
from civicgrid.api import errors, steps
from civicgrid.api.auth import AUTH
from civicgrid.api.params import StrictJson
from civicgrid.cases.api import router as cases_router
from civicgrid.enterprises.api import router as enterprises_router
from civicgrid.figures.api import router as figures_router
from civicgrid.geo.api import router as geo_router
from civicgrid.gridops.campaigns.api import router as campaigns_router
from civicgrid.gridops.fieldwork.api import router as fieldwork_router
from civicgrid.gridops.patrols.api import router as patrols_router
from civicgrid.innovation.api import router as innovation_router
from civicgrid.investment.api import router as investment_router
from civicgrid.open311.api import router as open311_router
from civicgrid.people.api import router as people_router
from civicgrid.publicservice.api import router as publicservice_router
from civicgrid.recognition.api import router as recognition_router
from civicgrid.relief.api import router as relief_router
from civicgrid.reports.api import router as reports_router
from civicgrid.subsidies.api import router as subsidies_router
from civicgrid.volunteers.api import router as volunteers_router
from civicgrid.volunteers.api import steps as volunteer_steps
from civicgrid.webhooks.api import router as webhooks_router
from civicgrid.works.api import router as works_router


def docs_access(view):
    """The explorer and the OpenAPI document need a signed-in user or a bearer token unless
    settings.API_DOCS_PUBLIC (default: only in development): the document maps every operation."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if settings.API_DOCS_PUBLIC or any(auth(request) is not None for auth in AUTH):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"code": "unauthenticated", "message": "请先登录或提供有效令牌", "details": None},
                                status=401)
        return redirect_to_login(request.get_full_path())

    return guarded


api = errors.API(
    title="civicgrid API",
    version="1",
    description="基层治理综合服务平台接口。列表返回 {count, items, next};错误返回 {code, message, details}。",
    auth=AUTH,
    urls_namespace="api-v1",
    docs_url="/docs",
    parser=StrictJson(),
    docs_decorator=docs_access,
)
errors.install(api)


@api.get("/ping", tags=["运维 ops"])
def ping(request):
    """最小的已认证接口:经过同样的中间件和认证,用于基准测试的上限和探活。"""
    return {"ok": True, "user": request.auth.get_username()}


# the case types whose steps their app takes, each through POST /cases/{id}/transitions
steps.register("volunteer_order", volunteer_steps.take, volunteer_steps.SCHEMAS)

api.add_router("/auth/", auth_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/geo/", geo_router)
api.add_router("/people/", people_router)
api.add_router("/cases", cases_router)
api.add_router("/volunteers", volunteers_router)
api.add_router("/gridops/patrols", patrols_router)
api.add_router("/gridops/campaigns", campaigns_router)
api.add_router("/gridops", fieldwork_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/publicservice", publicservice_router)
api.add_router("/investment", investment_router)
api.add_router("/innovation", innovation_router)
api.add_router("/figures", figures_router)
api.add_router("/subsidies", subsidies_router)
api.add_router("/relief", relief_router)
api.add_router("/recognition", recognition_router)
api.add_router("/works", works_router)
api.add_router("/open311", open311_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/reports", reports_router)

urlpatterns = [path("", api.urls)]
