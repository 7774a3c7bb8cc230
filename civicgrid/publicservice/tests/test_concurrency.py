"""Capacity under concurrent booking: a database guarantee, on SQLite and PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from civicgrid.core import errors
from civicgrid.publicservice.actions import appointments, structure
from civicgrid.publicservice.actions.structure import ItemInput
from civicgrid.publicservice.models import Booking, Slot
from civicgrid.testing import make_user


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_for_the_last_place_exactly_one_wins(tree):
    admin = make_user("c_admin", "system_admin", tree.district)
    structure.save_item(actor=admin, data=ItemInput(code="HK01", name="户口簿补办"))
    office = structure.create_office(actor=admin, code="P1", name="派出所", region=tree.street_a)
    window = structure.create_window(actor=admin, office=office, code="W1", name="1号窗口", item_codes=["HK01"],
                                     capacity=3)
    start = timezone.now() + timedelta(days=2)
    slot = Slot.objects.create(window=window, starts_at=start, ends_at=start + timedelta(minutes=30), capacity=3,
                               booked=2)  # one place left
    people = [make_user(f"c_res{i}", "resident") for i in range(20)]
    results: list[str] = []
    barrier = threading.Barrier(20)

    def attempt(person):
        try:
            barrier.wait()
            appointments.book(actor=person, slot_id=slot.pk, item_code="HK01")
            results.append("ok")
        except errors.Conflict as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and results.count("slot_full") == 19
    slot.refresh_from_db()
    assert slot.booked == 3 and Booking.objects.filter(slot=slot).count() == 1


@pytest.mark.django_db
def test_the_database_itself_refuses_an_overfull_slot(tree):
    admin = make_user("c_admin", "system_admin", tree.district)
    structure.save_item(actor=admin, data=ItemInput(code="HK01", name="户口簿补办"))
    office = structure.create_office(actor=admin, code="P1", name="派出所", region=tree.street_a)
    window = structure.create_window(actor=admin, office=office, code="W1", name="1号窗口", item_codes=["HK01"],
                                     capacity=1)
    start = timezone.now() + timedelta(days=2)
    slot = Slot.objects.create(window=window, starts_at=start, ends_at=start + timedelta(minutes=30), capacity=1,
                               booked=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=2)  # a write that skipped the conditional UPDATE
