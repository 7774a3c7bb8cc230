"""Data-key rotation: old rows readable throughout, a crash half-way resumes, look-ups keep working."""

import base64
import os

import pytest
from django.core.management import CommandError, call_command

from civicgrid.core import crypto
from civicgrid.ops import keys, sql
from civicgrid.people.models import Resident, id_number_hash, phone_hash

OLD, NEW = (base64.urlsafe_b64encode(os.urandom(32)).decode() for _ in range(2))


class Crash(Exception):
    pass


def _stored_key_ids() -> set[str]:
    from django.db import connection

    rows = sql.table_rows(connection, "people_resident", ["id_number", "phone"], "id")
    return {crypto.key_id_of(t) for row in rows for t in row if t}


@pytest.fixture
def residents(tree, settings):
    settings.DATA_KEY, settings.DATA_KEYS_PREVIOUS = OLD, []
    people = []
    for i in range(7):
        number, phone = f"21100419900101{i:03d}X", f"1390000{i:04d}"
        people.append(Resident.objects.create(region=tree.grid_a, name=f"居民{i}", gender="M", id_number=number,
                                              id_number_hash=id_number_hash(number), phone=phone,
                                              phone_hash=phone_hash(phone)))
    return people


@pytest.mark.django_db
def test_a_crash_half_way_resumes_and_old_rows_stay_readable(residents, settings):
    old_id = crypto.current_key_id()
    settings.DATA_KEY, settings.DATA_KEYS_PREVIOUS = NEW, [OLD]
    new_id = crypto.current_key_id()
    assert new_id != old_id and _stored_key_ids() == {old_id}

    calls = []

    def crash_after_two_batches(label, seen, total):
        calls.append(label)
        if calls.count("people.Resident") == 2:
            raise Crash

    with pytest.raises(Crash):
        keys.rotate(batch=3, progress=crash_after_two_batches)
    assert _stored_key_ids() == {old_id, new_id}  # half-way: both keys in use
    assert keys.remaining() == {"people.Resident": 1}
    assert [r.phone for r in Resident.objects.order_by("id")] == [f"1390000{i:04d}" for i in range(7)]

    changed = keys.rotate(batch=3)
    assert changed["people.Resident"] == 1 and keys.remaining() == {}
    assert _stored_key_ids() == {new_id}

    settings.DATA_KEYS_PREVIOUS, settings.LOOKUP_KEY = [], OLD  # the old key retired from reading
    assert [r.id_number for r in Resident.objects.order_by("id")] == [f"21100419900101{i:03d}X" for i in range(7)]
    assert Resident.objects.get(phone_hash=phone_hash("13900000003")).name == "居民3"


@pytest.mark.django_db
def test_a_value_under_an_unconfigured_key_is_refused_plainly(residents, settings):
    settings.DATA_KEY, settings.DATA_KEYS_PREVIOUS = NEW, []
    with pytest.raises(ValueError, match="DATA_KEYS_PREVIOUS"):
        list(Resident.objects.values_list("phone", flat=True))


@pytest.mark.django_db
def test_lookup_hashes_survive_the_rotation(residents, settings):
    before = phone_hash("13900000001")
    settings.DATA_KEY, settings.DATA_KEYS_PREVIOUS = NEW, [OLD]
    assert phone_hash("13900000001") == before  # keyed by the oldest key until LOOKUP_KEY says otherwise


@pytest.mark.django_db
def test_check_mode_fails_until_done(residents, settings, capsys):
    settings.DATA_KEY, settings.DATA_KEYS_PREVIOUS = NEW, [OLD]
    with pytest.raises(CommandError, match="not finished"):
        call_command("rotate_data_key", check=True)
    call_command("rotate_data_key", batch=4)
    call_command("rotate_data_key", check=True)
    assert "earlier keys may be removed" in capsys.readouterr().out
