from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "civicgrid.gridops.campaigns"
    label = "campaigns"
    verbose_name = "专项排查"
