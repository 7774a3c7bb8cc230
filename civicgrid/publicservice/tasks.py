"""Background work, written against the django_tasks API (database backend by default)."""

from django_tasks import task

from civicgrid.publicservice.actions import appointments, requests, structure


@task()
def send_booking_reminders() -> int:
    """Daily (afternoon): the day-before reminder of every booking of tomorrow, once each."""
    return appointments.send_reminders()


@task()
def mark_no_shows() -> int:
    """Every few minutes: bookings whose slot ended without a check-in become no-shows."""
    return appointments.mark_no_shows()


@task()
def open_slots() -> int:
    """Daily: open the slots of the coming working days (each office's horizon)."""
    return structure.open_slots()


@task()
def lapse_corrections() -> int:
    """Hourly: requests past their 补正 deadline end as 逾期未补正."""
    return requests.lapse_corrections()
