from django.urls import include, path
from django.views.i18n import set_language

from civicgrid import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("civicgrid.accounts.urls")),
    path("geo/", include("civicgrid.geo.urls")),
    path("people/", include("civicgrid.people.urls")),
    path("audit/", include("civicgrid.core.urls")),
    path("cases/", include("civicgrid.cases.urls")),
    path("volunteers/", include("civicgrid.volunteers.urls")),
    path("gridops/patrols/", include("civicgrid.gridops.patrols.urls")),
    path("gridops/campaigns/", include("civicgrid.gridops.campaigns.urls")),
    path("gridops/", include("civicgrid.gridops.fieldwork.urls")),
    path("enterprises/", include("civicgrid.enterprises.urls")),
    path("investment/", include("civicgrid.investment.urls")),
    path("publicservice/", include("civicgrid.publicservice.urls")),
    path("subsidies/", include("civicgrid.subsidies.urls")),
    path("relief/", include("civicgrid.relief.urls")),
    path("innovation/", include("civicgrid.innovation.urls")),
    path("figures/", include("civicgrid.figures.urls")),
    path("recognition/", include("civicgrid.recognition.urls")),
    path("works/", include("civicgrid.works.urls")),
    path("dashboard/", include("civicgrid.dashboard.urls")),
    path("reports/", include("civicgrid.reports.urls")),
    path("api/v1/", include("civicgrid.api.urls")),
    path("open311/v2/", include("civicgrid.open311.urls")),
    path("privacy/", include("civicgrid.privacy.urls")),
    path("", include("civicgrid.ops.urls")),  # /healthz, /readyz, /metrics
]
