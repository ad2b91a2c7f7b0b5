"""Joint work across bureaus (联合抽查): a lower bureau's officer or expert drawn into a higher bureau's inspection.

The inspection, its case and its tasks belong to the drawing bureau; the drawn person is named on those tasks
(TaskAssignee). Their inbox reads, besides their own bureau, exactly the tasks of other bureaus on which they are
named; a task (or its case) of another bureau on which they are named is opened and completed as a guest of that
bureau — the request's scope becomes that bureau's (reads there only, writes there only), and the switch is
audited when the guest writes. The two look-ups below read across bureaus on purpose (listed in
docs/architecture.md): they return only bureau ids of tasks naming this user.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.bureaus import context
from app.bureaus.scoping import UNSCOPED, forget_unreadable
from app.extensions import db
from app.workflow.models import Task, TaskAssignee


def guest_bureaus(user: User) -> frozenset[int]:
    """Bureaus other than the user's holding an open task that names this user."""
    rows = db.session.scalars(
        select(Task.bureau_id).join(TaskAssignee, TaskAssignee.task_id == Task.id)
        .where(TaskAssignee.user_id == user.id, Task.state == "ready", Task.bureau_id != user.bureau_id)
        .distinct().execution_options(**{UNSCOPED: True}))
    return frozenset(rows)


def host_of(user: User, *, task_id: int | None = None, case_id: int | None = None) -> int | None:
    """The bureau of this task (or of this case) when it is not the user's and a task of it names the user."""
    query = (select(Task.bureau_id).join(TaskAssignee, TaskAssignee.task_id == Task.id)
             .where(TaskAssignee.user_id == user.id, Task.bureau_id != user.bureau_id))
    query = query.where(Task.id == task_id) if task_id is not None else query.where(Task.case_id == case_id)
    return db.session.scalar(query.limit(1).execution_options(**{UNSCOPED: True}))


def enter_as_guest(user: User, host: int) -> None:
    """For the rest of this request: work in the host bureau (its rows only; writes go there). Audited at the
    first write by the caller (`record_guest_write`)."""
    context.set_scope(context.for_bureau(host))  # the request's teardown restores the scope before the request
    forget_unreadable(db.session())


def record_guest_write(user: User, host: int, task_id: int) -> None:
    """The audit entry of a guest's write in the host bureau (in the same transaction as the write)."""
    from app.audit.services import record_event

    record_event("bureau.guest_write", actor=user, object_type="task", object_id=task_id,
                 details={"host_bureau": host, "own_bureau": user.bureau_id})


class InboxScope:
    """`with InboxScope(user) as guests:` the inbox reads the user's bureau plus the guest bureaus (only the tasks
    naming the user there: app.workflow.services.inbox filters by `guests`)."""

    def __init__(self, user: User) -> None:
        self.guests = guest_bureaus(user)
        self._token = None

    def __enter__(self) -> frozenset[int]:
        if self.guests:
            self._token = context.set_scope(context.widened(context.current(), self.guests))
        return self.guests

    def __exit__(self, *_exc: object) -> None:
        if self._token is not None:
            context.reset(self._token)
