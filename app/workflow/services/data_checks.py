"""Checks of submitted task data that a JSON Schema cannot express (dates against today and the case, amounts
against what is owed, certificate numbers against the officer directory), so documents cannot say nonsense.

Each check names the field and the limit in Chinese; a refused submission changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from app.clock import local_today
from app.errors import N_, ValidationFailed
from app.workflow.services.choices import certified_officers

Errors = dict[str, list[str]]


class Message(str):
    """A field message with parameters: reads as the Chinese text; the web layer translates `msgid` % `params`."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        message = super().__new__(cls, msgid % params if params else msgid)
        message.msgid, message.params = msgid, params
        return message
PLAN_HORIZON_DAYS = 366
HEARING_NOTICE_DAYS = 7
PAYMENT_DAYS = 15
LATE_RATE = 0.03


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _plan(data: dict[str, Any], _context: dict[str, Any], errors: Errors) -> None:
    day, today = _date(data.get("notice_date")), local_today()
    if day and day < today:
        errors["notice_date"] = [Message(N_("检查日期不能早于今天（%(limit)s）。"), limit=today.isoformat())]
    elif day and day > today + timedelta(days=PLAN_HORIZON_DAYS):
        limit = (today + timedelta(days=PLAN_HORIZON_DAYS)).isoformat()
        errors["notice_date"] = [Message(N_("检查日期不能晚于 %(limit)s。"), limit=limit)]


def _times(data: dict[str, Any], start: str, end: str, errors: Errors) -> None:
    if data.get(start) and data.get(end) and str(data[end]) <= str(data[start]):
        errors[end] = [Message(N_("结束时间应晚于开始时间（%(start)s）。"), start=data[start])]


def _onsite(data: dict[str, Any], _context: dict[str, Any], errors: Errors) -> None:
    _times(data, "start_time", "end_time", errors)


def _inquiry(data: dict[str, Any], _context: dict[str, Any], errors: Errors) -> None:
    _times(data, "inquiry_start", "inquiry_end", errors)


def _filing(data: dict[str, Any], _context: dict[str, Any], errors: Errors) -> None:
    """Investigators are certified officers from the directory; their names come from it, not from typing."""
    known = dict(certified_officers())
    seen: set[str] = set()
    for index, row in enumerate(data.get("investigators") or []):
        code = str(row.get("certificate_no", ""))
        if code not in known:
            errors[f"investigators.{index}.certificate_no"] = [N_("请从执法人员名录中选择持有效执法证的人员。")]
        elif code in seen:
            errors[f"investigators.{index}.certificate_no"] = [N_("同一执法人员不能重复选择。")]
        else:
            row["name"] = known[code]
        seen.add(code)


def _review(data: dict[str, Any], _context: dict[str, Any], errors: Errors) -> None:
    failed = [k for k, v in data.items() if k.startswith("el_") and v == "problem"]
    if data.get("review_outcome") == "agree" and failed and not str(data.get("review_justification") or "").strip():
        errors["review_justification"] = [N_("有审核要素为“不符合”时同意，须写明理由。")]


def _hearing_notice(data: dict[str, Any], context: dict[str, Any], errors: Errors) -> None:
    day = _date(data.get("hearing_date"))
    earliest = local_today() + timedelta(days=HEARING_NOTICE_DAYS)
    if day and day < earliest:
        message = N_("听证日期不能早于 %(limit)s（须在通知之日 7 日以后）。")
        errors["hearing_date"] = [Message(message, limit=earliest.isoformat())]
    investigators = {o.get("name") for o in context.get("investigators") or []}
    if data.get("hearing_host") in investigators:
        errors["hearing_host"] = [N_("听证主持人不能由本案调查人员担任。")]


def _hearing(data: dict[str, Any], _context: dict[str, Any], errors: Errors) -> None:
    _times(data, "hearing_start", "hearing_end", errors)


def _payment(data: dict[str, Any], context: dict[str, Any], errors: Errors) -> None:
    """Not before service, not in the future, not more than what is owed (fine + late penalty − paid)."""
    paid_on, served_on = _date(data.get("paid_on")), _date(context.get("served_on"))
    if paid_on and served_on and paid_on < served_on:
        errors["paid_on"] = [Message(N_("缴纳日期不能早于决定书送达日期（%(limit)s）。"), limit=served_on.isoformat())]
        return
    fine = float(context.get("fine_amount") or 0)
    if not (paid_on and served_on):
        return
    late_days = max(0, (paid_on - (served_on + timedelta(days=PAYMENT_DAYS))).days)
    owed = round(fine + min(fine, round(fine * LATE_RATE * late_days, 2)) - float(context.get("total_paid") or 0), 2)
    if float(data.get("amount_paid") or 0) > owed:
        message = N_("缴纳金额超过应缴金额（罚款及加处罚款尚欠 ¥%(owed)s）。")
        errors["amount_paid"] = [Message(message, owed=f"{owed:,.2f}")]


def _serve(data: dict[str, Any], context: dict[str, Any], errors: Errors) -> None:
    served, decided = _date(data.get("served_on")), _date(context.get("decision_date"))
    if served and decided and served < decided:
        errors["served_on"] = [Message(N_("送达日期不能早于决定日期（%(limit)s）。"), limit=decided.isoformat())]


def _demand(data: dict[str, Any], context: dict[str, Any], errors: Errors) -> None:
    """A demand comes after the payment period (Administrative Compulsion Law art. 54)."""
    day, due = _date(data.get("demand_date")), _date(context.get("pay_due"))
    if day and due and day <= due:
        errors["demand_date"] = [Message(N_("催告日期应在缴款期限（%(limit)s）届满之后。"), limit=due.isoformat())]


def _enforce(data: dict[str, Any], context: dict[str, Any], errors: Errors) -> None:
    """Only when no reconsideration or lawsuit was sought, and not before the periods ended (art. 53)."""
    if data.get("no_remedy_sought") is not True:
        errors["no_remedy_sought"] = [N_("当事人已申请行政复议或者提起行政诉讼的，不得申请人民法院强制执行；"
                                         "请待复议或诉讼结果后再办理。")]
    day, end = _date(data.get("application_date")), _date(context.get("pay_deadline"))
    if day and end and day <= end:
        errors["application_date"] = [Message(N_("申请日期应在催告期限及复议、诉讼期限（%(limit)s）届满之后。"),
                                              limit=end.isoformat())]


CHECKS: dict[str, Callable[[dict[str, Any], dict[str, Any], Errors], None]] = {
    "ri_plan": _plan, "ri_onsite": _onsite, "ri_inquiry": _inquiry, "ch_investigate": _inquiry, "ch_file": _filing,
    "lr_review": _review, "ch_hearing_notice": _hearing_notice, "ch_hearing": _hearing, "ch_payment": _payment,
    "ch_serve": _serve, "ch_demand": _demand, "ch_enforce": _enforce,
}


def check(form_key: str | None, data: dict[str, Any], context: dict[str, Any]) -> None:
    """Refuse (ValidationFailed per field) data that contradicts today, the case or the directories; may complete
    the data from the directories (officers' names)."""
    rule = CHECKS.get(form_key or "")
    if rule is None:
        return
    errors: Errors = {}
    rule(data, context, errors)
    if errors:
        raise ValidationFailed(errors)
