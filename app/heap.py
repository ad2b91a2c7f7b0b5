"""The Python heap of a long-running process (a gunicorn worker, the timer worker).

After start-up a process holds a few hundred thousand long-lived objects (Flask, SQLAlchemy, SpiffWorkflow and
their caches). CPython's full collection walks all of them: measured ~150 ms of CPU on this app, landing on
whichever request happens to trigger it, which made one request in twenty several times slower than the rest.
`settle()` moves what exists now into the permanent generation (`gc.freeze`), so later collections only walk
what requests create. Nothing is leaked: frozen objects are still freed by reference counting; only cycles among
them wait for `gc.unfreeze()`, which long-lived start-up objects do not need.
"""

from __future__ import annotations

import gc

SETTLE_AFTER_REQUESTS = 50  # once more after the first requests filled the caches (specs, templates, forms)


def settle() -> None:
    """Collect what is garbage now, then exempt every surviving object from future full collections."""
    gc.collect()
    gc.freeze()
