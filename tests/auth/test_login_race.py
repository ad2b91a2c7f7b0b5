"""Parallel wrong passwords on PostgreSQL: the account row is locked, so each try sees the one before it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth import services
from app.auth.models import User
from app.bureaus import context
from app.clock import utcnow
from app.demo.services import CITY_BUREAU_ID
from app.extensions import db

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def db_session(app):
    """Opt out of the shared rolled-back transaction: each thread commits on its own connection."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL row locks")
    with context.use(context.for_bureau(CITY_BUREAU_ID)):  # as the first bureau's requests and jobs do
        yield None


def test_parallel_wrong_passwords_are_counted_one_by_one(app):
    with app.app_context():
        user = services.create_user(None, username=f"race.{utcnow().microsecond}", full_name="并发",
                                    password="race-password-2026", roles=["expert"])
        db.session.commit()
        user_id, username = user.id, user.username
    policy = services.LoginPolicy(slowdown_after=3, slowdown_seconds=30, lock_after=10, lock_minutes=15,
                                  client_limit=1000)
    barrier = threading.Barrier(30)

    def attempt(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                services.authenticate(username, "wrong-password-x", policy, ip=f"10.1.0.{n}")
            except services.LoginRefused:
                pass
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        checks = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "login.failed", AuditEvent.object_id == str(user_id)))
        assert checks == 3
        assert db.session.get(User, user_id).failed_logins == 3
