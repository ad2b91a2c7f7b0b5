"""The one-pass sweep the history replay uses gives exactly what asking `_open_at` per moment gives."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.workflow.services.history import _open_at, _OpenSweep


def test_sweep_matches_open_at_on_random_histories():
    rng = random.Random(11)
    start = datetime(2027, 3, 1, 9, 0)
    for _case in range(200):
        tasks = []
        for _n in range(rng.randint(0, 40)):
            created = start + timedelta(minutes=rng.randint(0, 300))
            completed = None if rng.random() < 0.3 else created + timedelta(minutes=rng.randint(0, 120))
            state = "ready" if completed is None else rng.choice(["completed", "cancelled"])
            tasks.append((created, completed, state, rng.choice("abcdefg")))
        tasks.sort(key=lambda t: t[0])
        moments = sorted(start + timedelta(minutes=rng.randint(-10, 450)) for _ in range(rng.randint(1, 30)))
        if rng.random() < 0.2 and len(moments) > 2:  # a moment out of order (clock skew) is answered directly
            moments[1], moments[-1] = moments[-1], moments[1]
        sweep = _OpenSweep(tasks)
        for moment in moments:
            assert sweep.at(moment) == _open_at(tasks, moment)
