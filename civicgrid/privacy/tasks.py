from django_tasks import task

from civicgrid.privacy import actions


@task()
def anonymise_expired() -> dict[str, int]:
    return actions.anonymise_expired()
