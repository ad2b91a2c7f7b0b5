"""Who may see a case: oversight roles see all; others only cases where they hold or held a task."""

from __future__ import annotations

from sqlalchemy import and_, exists, or_, select

from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from app.takeover.services.delegations import acting_for
from app.workflow.models import Case, Task, TaskAssignee

OVERSIGHT = frozenset({Role.SUPERVISION, Role.LEGAL, Role.LEADER, Role.AUDITOR, Role.ADMIN})


def may_view_case(user: User, case: Case) -> bool:
    """Oversight roles, or someone who completed a task of the case or may act on an open one."""
    if user.role_set & OVERSIGHT:
        return True
    roles = [r.value for r in user.role_set]
    named = exists().where(and_(TaskAssignee.task_id == Task.id, TaskAssignee.user_id.in_(acting_for(user.id))))
    involved = select(Task.id).where(
        Task.case_id == case.id,
        or_(Task.completed_by_id == user.id,
            and_(Task.state == "ready", Task.role.in_(roles), or_(Task.restricted.is_(False), named))),
    ).limit(1)
    return db.session.scalar(involved) is not None
