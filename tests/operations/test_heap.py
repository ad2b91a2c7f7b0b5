"""Long-running processes settle their start-up heap (app/heap.py): gunicorn's hooks and the timer worker."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from app import heap

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture
def unfrozen():  # type: ignore[no-untyped-def]
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite runs with a normal heap


def test_settle_moves_the_live_objects_out_of_the_collectors_generations(unfrozen) -> None:  # type: ignore[no-untyped-def]
    kept = [object() for _ in range(1000)]
    heap.settle()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_count()[2] == 0  # nothing left for a full collection to walk


def test_gunicorn_settles_each_worker_after_start_up_and_after_its_first_requests(unfrozen) -> None:  # type: ignore[no-untyped-def]
    hooks = runpy.run_path(str(CONFIG))
    hooks["post_worker_init"](SimpleNamespace(nr=0))
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    hooks["post_request"](SimpleNamespace(nr=heap.SETTLE_AFTER_REQUESTS - 1), None, {}, None)
    assert gc.get_freeze_count() == 0  # not before the caches are warm
    hooks["post_request"](SimpleNamespace(nr=heap.SETTLE_AFTER_REQUESTS), None, {}, None)
    assert gc.get_freeze_count() > 0
