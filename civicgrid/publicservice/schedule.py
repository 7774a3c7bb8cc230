"""The public-service app's periodic jobs (core.schedule)."""

from datetime import time, timedelta

from civicgrid.core.schedule import Job

JOBS = (
    Job("open_booking_slots", "civicgrid.publicservice.tasks.open_slots", at=time(0, 30),
        description="slots of the coming working days for every window (existing ones kept)"),
    Job("send_booking_reminders", "civicgrid.publicservice.tasks.send_booking_reminders", at=time(16, 0),
        description="the day-before reminder of every booking of tomorrow, each once"),
    Job("mark_no_shows", "civicgrid.publicservice.tasks.mark_no_shows", every=timedelta(minutes=10),
        description="bookings whose slot ended without a check-in become no-shows"),
    Job("lapse_corrections", "civicgrid.publicservice.tasks.lapse_corrections", every=timedelta(hours=1),
        description="online requests past their 补正 deadline end as 逾期未补正"),
)
