"""The outbox tests count what they push: the demo data's own publications (seeded into the shared test database)
count as already delivered to the platform before these tests start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import update

from app.bureaus import context
from app.clock import utcnow
from app.extensions import db
from app.outbox.models import OutboxEvent


@pytest.fixture(scope="session", autouse=True)
def demo_pushes_delivered(app: Flask) -> Iterator[None]:
    with app.app_context(), context.use(context.SYSTEM):
        db.session.execute(update(OutboxEvent).where(OutboxEvent.status != "delivered")
                           .values(status="delivered", delivered_at=utcnow()))
        db.session.commit()
        db.session.remove()
    yield
