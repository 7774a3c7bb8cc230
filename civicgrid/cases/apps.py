from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "civicgrid.cases"
    label = "cases"
    verbose_name = "案件工单"

    def ready(self):
        from civicgrid.cases.models import Category, RoutingRule, WorkflowDefinition
        from civicgrid.core import confcache

        # intake caches categories, routing rules and workflow rows (civicgrid.core.confcache)
        confcache.watch(Category)
        confcache.watch(RoutingRule, m2m=[RoutingRule.co_departments.through])
        confcache.watch(WorkflowDefinition)
