"""Legal review of major decisions, enforced by the service whatever a (possibly edited) diagram says.

- Only a user with legal professional qualification may complete a legal-review task (form `lr_review`).
- Every completed review (and a collective discussion that decides to proceed) is kept as a `LegalReview`.
- No decision (form `ch_decide`, or a `penalty_decision` document) for a case the major-decision catalog calls
  major, without an agreeing review or a collective decision to proceed.
"""

from __future__ import annotations

import ast
from typing import Any

from lxml import etree
from sqlalchemy import select

from app.auth.models import User
from app.errors import N_, DomainError, PermissionDenied
from app.extensions import db
from app.workflow.models import Case, LegalReview, Task
from app.workflow.services import lint
from app.workflow.services.sandbox import RestrictedEnvironment, base_helpers

REVIEW_FORM = "lr_review"
COLLECTIVE_FORM = "ch_collective"
DECISION_FORM = "ch_decide"
CATALOG_DECISION = "major_decision"


class LegalReviewRequired(DomainError):
    """A major decision without a passed legal review."""


def check_reviewer(actor: User, row: Task) -> None:
    """Refuse a legal review by someone without legal professional qualification."""
    if row.form_key == REVIEW_FORM and not actor.legal_qualified:
        raise PermissionDenied(N_("法制审核人员须具有法律职业资格。"))


def record(actor: User, case: Case, row: Task, data: dict[str, Any]) -> None:
    """Keep the outcome of a review or of a collective discussion."""
    if row.form_key == REVIEW_FORM:
        elements = {k: v for k, v in data.items() if k.startswith("el_")}
        db.session.add(LegalReview(case_id=case.id, task_id=row.id, reviewer_id=actor.id,
                                   outcome=str(data.get("review_outcome", "")), elements=elements,
                                   opinion=str(data.get("review_opinion", ""))[:5000]))
    elif row.form_key == COLLECTIVE_FORM:
        outcome = "collective_agreed" if data.get("collective_proceed") else "collective_refused"
        db.session.add(LegalReview(case_id=case.id, task_id=row.id, reviewer_id=actor.id, outcome=outcome,
                                   elements={}, opinion=str(data.get("discussion", ""))[:5000]))
    db.session.flush()


def _evaluate(expression: str, data: dict[str, Any]) -> Any:
    from app.calendar.services import WorkingDays
    from app.clock import utcnow

    environment = RestrictedEnvironment(base_helpers(utcnow, WorkingDays({})))
    return environment.evaluate(expression, dict(data))


def is_major(case: Case, data: dict[str, Any]) -> bool:
    """Evaluate the case version's major-decision catalog (DMN, first hit) in the sandbox against the case data."""
    trees, _problems = lint.parse_files({k: v for k, v in case.definition.files.items() if k.endswith(".dmn")})
    for tree in trees.values():
        for decision in tree.getroot():
            if etree.QName(decision).localname != "decision" or decision.get("id") != CATALOG_DECISION:
                continue
            table = next(el for el in decision if etree.QName(el).localname == "decisionTable")
            inputs = [el.findtext("{*}inputExpression/{*}text") for el in table if etree.QName(el).localname == "input"]
            for rule in (el for el in table if etree.QName(el).localname == "rule"):
                entries = [el.findtext("{*}text") or "" for el in rule if etree.QName(el).localname == "inputEntry"]
                if all(_matches(expr, entry.strip(), data) for expr, entry in zip(inputs, entries, strict=True)):
                    output = rule.find("{*}outputEntry/{*}text")
                    return bool(_evaluate(output.text or "False", data)) if output is not None else False
    return False


def _matches(input_expression: str | None, entry: str, data: dict[str, Any]) -> bool:
    if not entry or entry == "-":
        return True
    try:
        ast.parse(entry, mode="eval")
        expression = f"({input_expression}) == ({entry})"
    except SyntaxError:
        expression = f"{input_expression} {entry}"
    try:
        return bool(_evaluate(expression, data))
    except NameError:
        return False


def require_passed_review(case: Case, data: dict[str, Any]) -> None:
    """Refuse a decision on a major case without an agreeing review or a collective decision to proceed."""
    if not is_major(case, data):
        return
    passed = db.session.scalar(select(LegalReview.id).where(
        LegalReview.case_id == case.id, LegalReview.outcome.in_(("agree", "collective_agreed"))).limit(1))
    if passed is None:
        raise LegalReviewRequired(N_("重大执法决定未经法制审核通过，不能作出决定。"))
