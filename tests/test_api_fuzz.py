"""Issue 17: a bounded schemathesis run against the OpenAPI document finds no server error (part of `make test`).

Every operation gets generated requests (valid and invalid: huge ids and pages, odd Unicode, wrong types),
signed in with a bearer token of a user who may write; any 5xx fails, naming the request. Bounded: a few
dozen examples per operation, under a minute on SQLite.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from app.auth import tokens
from app.auth.roles import Role
from app.extensions import db
from tests.conftest import user_for

EXAMPLES_PER_OPERATION = 25


def test_no_server_error_from_any_request(app):
    token, _record = tokens.create_token(user_for(Role.SUPERVISION), "fuzz")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    server_errors: list[str] = []
    operations = 0
    calls = [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            calls[0] += 1
            if response.status_code >= 500:
                server_errors.append(f"{response.status_code} {case.method} {case.formatted_path} "
                                     f"query={case.query!r} body={case.body!r}"[:400])

        run()
    assert operations >= 10 and calls[0] >= operations * 5
    assert server_errors == []
