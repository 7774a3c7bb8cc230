"""The demo district at a tiny population scale, built once for this package and shared by its modules.

Building it is the expensive part of these tests (the volunteer stage alone takes half a minute), so the
district and the stages built on it are kept in one transaction across the package's modules, each stage
behind a savepoint:

- a module asks for the stages it reads through one fixture: `demo` (the district), `built_volunteers`
  (plus the volunteer platform), `built_zone` (plus the high-tech zone), `built_enterprises` (the district
  and the zone without volunteers), `built_investment` (plus the investment pipeline);
- whatever a module writes itself (its module fixture, its tests) is rolled back when the module ends;
- a module that needs other stages than the one before rolls back to the common ones and builds the
  rest; the modules are run in the order of their stages (`pytest_collection_modifyitems`) so that each
  stage is built once per run;
- a module that asks for none sees an empty database, and the whole transaction is rolled back when the
  package ends, so other apps' tests never see the district."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

SEED = 7
SCALE = 0.01
PASSWORD = "Demo#Pass2024"

HERE = Path(__file__).resolve().parent


def _build_demo():
    from civicgrid.demo import builder

    return builder.build(seed=SEED, scale=SCALE, password=PASSWORD)


def _build_volunteers():
    from civicgrid.cases.actions import sync_categories
    from civicgrid.demo import volunteers as demo_volunteers

    sync_categories()
    return demo_volunteers.generate(seed=SEED, scale=SCALE)


def _build_enterprises():
    import importlib

    from django.apps import apps

    from civicgrid.cases.actions import sync_categories
    from civicgrid.demo import enterprises as demo_enterprises

    # the qualification kinds come from a data migration: a transactional test's flush may have removed them
    importlib.import_module("civicgrid.enterprises.migrations.0002_qualification_kinds").seed(apps, None)
    sync_categories()
    return demo_enterprises.generate(seed=SEED)


def _build_investment():
    from civicgrid.demo import investment as demo_investment

    return demo_investment.generate(seed=SEED)


BUILDERS = {"demo": _build_demo, "volunteers": _build_volunteers, "enterprises": _build_enterprises,
            "investment": _build_investment}

# fixture name -> the stages it stands for, in building order
STAGE_FIXTURES = {
    "demo": ("demo",),
    "built_volunteers": ("demo", "volunteers"),
    "built_zone": ("demo", "volunteers", "enterprises"),
    "built_enterprises": ("demo", "enterprises"),
    "built_investment": ("demo", "enterprises", "investment"),
}


class Stages:
    """The stages built so far, each behind the savepoint taken before it, inside one open transaction."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None
        self.stack: list[tuple[str, str, object]] = []  # (stage, savepoint before it, what it returned)
        self.in_module = False

    def _open(self):
        from django.db import transaction

        if self.atomic is None:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

    @staticmethod
    def _forget_boundaries():
        from civicgrid.geo.locator import get_locator

        get_locator().invalidate()  # the process's locator must not keep rolled-back boundaries

    def reach(self, names: tuple[str, ...]) -> dict[str, object]:
        """Roll back the stages beyond the longest common prefix with `names`, build the missing ones."""
        from django.db import transaction

        assert not self.in_module, "one demo stage fixture per test module"
        with self.blocker.unblock():
            self._open()
            keep = 0
            while keep < min(len(self.stack), len(names)) and self.stack[keep][0] == names[keep]:
                keep += 1
            if len(self.stack) > keep:
                transaction.savepoint_rollback(self.stack[keep][1])
                del self.stack[keep:]
                self._forget_boundaries()
            for name in names[keep:]:
                savepoint = transaction.savepoint()
                try:
                    made = BUILDERS[name]()
                except BaseException:
                    transaction.savepoint_rollback(savepoint)  # no half-built stage under the next module
                    self._forget_boundaries()
                    raise
                self.stack.append((name, savepoint, made))
        return {name: made for name, _, made in self.stack}

    @contextmanager
    def module(self):
        """The module's own writes, rolled back when it ends."""
        from django.db import transaction

        with self.blocker.unblock():
            self._open()
            savepoint = transaction.savepoint()
        self.in_module = True
        try:
            yield
        finally:
            self.in_module = False
            with self.blocker.unblock():
                transaction.savepoint_rollback(savepoint)
                transaction.savepoint_commit(savepoint)  # released: the stages' savepoints stay usable
            self._forget_boundaries()

    def close(self):
        from django.db import transaction

        if self.atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)
            self.atomic = None
            self.stack = []
            self._forget_boundaries()


@pytest.fixture(scope="module")
def module_demo(django_db_setup, django_db_blocker):
    """For a module outside this package (import it from here): the district built for that module
    alone, rolled back when it ends."""
    from civicgrid.testing import rolled_back

    with rolled_back(django_db_blocker):
        yield _build_demo()


_open_stages: list[Stages] = []  # the package's, while it runs


@pytest.fixture(scope="package")
def demo_stages(django_db_setup, django_db_blocker):
    stages = Stages(django_db_blocker)
    _open_stages.append(stages)
    yield stages
    _open_stages.remove(stages)
    stages.close()


def _stage_fixture(fixture_name: str):
    names = STAGE_FIXTURES[fixture_name]

    @pytest.fixture(scope="module", name=fixture_name)
    def stage(demo_stages):
        made = demo_stages.reach(names)
        with demo_stages.module():
            yield made[names[-1]]

    return stage


demo = _stage_fixture("demo")
built_volunteers = _stage_fixture("built_volunteers")
built_zone = _stage_fixture("built_zone")
built_enterprises = _stage_fixture("built_enterprises")
built_investment = _stage_fixture("built_investment")


@pytest.fixture(scope="module", autouse=True)
def _empty_without_a_stage(request):
    """A module that asks for no stage sees an empty database, even after modules that built some (their
    order puts such modules first, so this only matters when a run selects otherwise)."""
    if _open_stages and not _module_stages.get(request.path):
        _open_stages[-1].reach(())


_module_stages: dict[Path, tuple[str, ...]] = {}  # module path -> the deepest stage its tests read


def _stage_key(item) -> tuple[str, ...]:
    stages = [STAGE_FIXTURES[name] for name in getattr(item, "fixturenames", ()) if name in STAGE_FIXTURES]
    return max(stages, key=len, default=())


@pytest.hookimpl(trylast=True)  # after pytest-django's, which moves the tests without a database last
def pytest_collection_modifyitems(config, items):
    """Run this package's modules together, in the order of their stages (a module's stages extend the
    previous module's where they can), so that each stage is built once; other items keep their order."""
    ours = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    if not ours:
        return
    first_slot = items.index(ours[0])
    first_seen = {}
    for position, item in enumerate(ours):
        first_seen.setdefault(item.path, position)
    for item in ours:  # a module's place is decided by its deepest stage
        key = _stage_key(item)
        if len(key) > len(_module_stages.get(item.path, ())):
            _module_stages[item.path] = key
    ordered = sorted(ours, key=lambda item: (_module_stages.get(item.path, ()), first_seen[item.path]))
    chosen = set(map(id, ours))
    others = [item for item in items if id(item) not in chosen]
    items[:] = others[:first_slot] + ordered + others[first_slot:]
