"""Outbox services: `enqueue` (called by features inside their own transaction), delivery, feeds, the dashboard.

    from app.outbox.services import enqueue
    enqueue("disclosure", f"decision:{item.id}", "published", {...public text...})  # the caller commits
"""

from app.outbox.services.events import enqueue

__all__ = ["enqueue"]
