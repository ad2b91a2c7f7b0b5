"""Draw parameters and everything that can be checked before the seed exists: the form's fields, the calendar's
coverage of the period, one draw per year and scope, and the frozen pools (empty tiers, too few experts, too few
working days). Every refusal names its field, in Chinese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from app.calendar.yearly import covered_years
from app.directories.models import InspectionItem, Tier
from app.draws.models import Draw
from app.draws.services.algorithm import selection_size
from app.draws.services.pools import combined
from app.errors import N_, ValidationFailed
from app.extensions import db

SCOPES = {"annual": N_("年度“双随机”抽查"), "special": N_("专项抽查")}
INTEGERS = (("rest_years", 0, 5, 1), ("experts_per_team", 1, 5, 1), ("experts_to_draw", 0, 10000, 0))
INTEGER_MESSAGES = {"rest_years": N_("间隔期须为 0–5 之间的整数（年）。"),
                    "experts_per_team": N_("每组专家人数须为 1–5 之间的整数：检查组按方案须有专家参加。"),
                    "experts_to_draw": N_("抽取专家人数须为不小于 0 的整数（0 或留空表示按需要人数抽取）。")}


class FieldMessage(str):
    """A field error with parameters: reads as the filled-in Chinese; `msgid` and `params` let the web layer
    translate it."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> FieldMessage:
        """The message filled in, remembering its msgid and parameters."""
        value = super().__new__(cls, msgid % params)
        value.msgid, value.params = msgid, params
        return value


def slot_of(year: int, scope: str) -> str:
    """The key that at most one live draw holds."""
    return f"{year}:{scope}"


def parse(raw: dict[str, Any]) -> dict[str, Any]:
    """The form's values → parameters, or ValidationFailed naming every bad field."""
    errors: dict[str, list[str]] = {}
    params: dict[str, Any] = {}
    try:
        year = int(raw.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError
        params["year"] = year
    except (TypeError, ValueError):
        errors["year"] = [N_("请填写 2000–2100 之间的年度。")]
    scope = str(raw.get("scope") or "annual")
    if scope not in SCOPES:
        errors["scope"] = [N_("请选择抽查类别。")]
    params["scope"] = scope
    try:
        text = str(raw.get("ratio", "0.2")).strip().replace("％", "%")
        ratio = Decimal(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        if not Decimal(0) < ratio <= Decimal(1):
            raise ValueError
        params["ratio"] = str(ratio.normalize())
    except (InvalidOperation, ValueError):
        errors["ratio"] = [N_("抽取比例须大于 0 且不超过 1（例如 0.2 或 20％）。")]
    for key, low, high, default in INTEGERS:
        value = raw.get(key, "")
        try:
            number = int(value) if str(value).strip() != "" else default
            if not low <= number <= high:
                raise ValueError
            params[key] = number
        except (TypeError, ValueError):
            errors[key] = [INTEGER_MESSAGES[key]]
    tier_ids = [int(t) for t in raw.get("tier_ids", []) if str(t).isdigit()]
    known = set(db.session.scalars(select(Tier.id).where(Tier.id.in_(tier_ids), Tier.active.is_(True))))
    if len(known) < 2:
        errors["tier_ids"] = [N_("请至少选择两个职务层次（每组至少两名执法人员）。")]
    params["tier_ids"] = sorted(known)
    params["item_codes"] = sorted(set(db.session.scalars(select(InspectionItem.code).where(
        InspectionItem.code.in_([str(c) for c in raw.get("item_codes", [])])))))
    joint = _joint(raw, errors)
    if joint:
        params["joint"] = joint
    try:
        start, end = date.fromisoformat(str(raw.get("period_start"))), date.fromisoformat(str(raw.get("period_end")))
        if end < start or (end - start).days > 366:
            raise ValueError
        params["period_start"], params["period_end"] = start.isoformat(), end.isoformat()
    except ValueError:
        errors["period"] = [N_("计划检查期间无效：结束日期须不早于开始日期，且不超过一年。")]
    else:
        known_years = covered_years()
        missing = [y for y in range(start.year, end.year + 1) if y not in known_years]
        if missing:
            errors["period"] = [FieldMessage(
                N_("计划检查期间涉及 %(years)s 年，系统日历还没有这一年的法定节假日和调休安排，"
                   "无法排除节假日：请系统管理员先在“节假日”页面录入该年安排，再准备抽取。"),
                years="、".join(str(y) for y in missing))]
    if "year" in params and "year" not in errors and scope in SCOPES:
        holder = db.session.scalar(select(Draw).where(Draw.slot == slot_of(params["year"], scope)))
        if holder is not None:
            errors["year"] = [FieldMessage(
                N_("%(year)s 年度的%(scope)s已有抽取记录（第 %(id)s 号）。同一年度同一类别只能有一次抽取；"
                   "如需重新抽取，请在原记录上申请重新抽取并经局领导批准，或先取消尚未抽取的记录。"),
                year=params["year"], scope=SCOPES[scope], id=holder.id)]
    if errors:
        raise ValidationFailed(errors)
    return params


def _ids(values: Any) -> list[int]:
    return sorted({int(v) for v in values or [] if str(v).strip().isdigit()})


def _joint(raw: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, list[int]] | None:
    """联合抽查: the lower bureaus whose officers and/or experts join; only bureaus below the drawing one."""
    from app.bureaus.context import current
    from app.bureaus.services.tree import subordinate_bureaus

    officers, experts = _ids(raw.get("joint_officer_bureaus")), _ids(raw.get("joint_expert_bureaus"))
    if not officers and not experts:
        return None
    own = current().bureau_id
    allowed = {b.id for b in subordinate_bureaus(own)} if own is not None else set()
    if not set(officers) | set(experts) <= allowed:
        errors["joint"] = [N_("联合抽查只能选择本局下级档案局的执法人员或专家。")]
        return None
    return {"officers": officers, "experts": experts}


def check_pools(params: dict[str, Any], pools: dict[str, Any]) -> dict[str, Any]:
    """Everything the frozen pools must allow before the seed exists; returns the parameters with the number of
    experts to draw resolved. Raises ValidationFailed naming the field."""
    errors: dict[str, list[str]] = {}
    pools = combined(pools)
    for entries in ([o for t in pools["tiers"] for o in t["officers"]], pools["experts"]):
        seen: set[str] = set()
        for entry in entries:
            if entry["code"] in seen:
                errors["joint"] = [FieldMessage(N_("联合抽查的人员编号“%(code)s”重复（两个档案局的简称相同？）："
                                                   "请先修改其中一个档案局的简称。"), code=entry["code"])]
                raise ValidationFailed(errors)
            seen.add(entry["code"])
    if not pools["objects"]:
        errors["ratio"] = [N_("没有符合条件的检查对象（全部已停用或处于间隔期），无法抽取。")]
        raise ValidationFailed(errors)
    n = selection_size(params["ratio"], len(pools["objects"]))
    for tier in pools["tiers"]:
        if not tier["officers"]:
            errors.setdefault("tier_ids", []).append(FieldMessage(
                N_("职务层次“%(tier)s”没有可抽取的执法人员（均已停用或执法证在检查期间到期）。"), tier=tier["name"]))
    per_team, experts = params["experts_per_team"], len(pools["experts"])
    wanted = params["experts_to_draw"] or min(n * per_team, experts)
    if experts < per_team:
        errors["experts_per_team"] = [FieldMessage(
            N_("每组需要 %(need)s 名专家，但专家库中只有 %(have)s 名可抽取的专家。"), need=per_team, have=experts)]
    elif wanted > experts:
        errors["experts_to_draw"] = [FieldMessage(
            N_("抽取专家人数 %(want)s 超过了专家库中可抽取的 %(have)s 名。"), want=wanted, have=experts)]
    elif wanted < per_team:
        errors["experts_to_draw"] = [FieldMessage(
            N_("抽取专家人数 %(want)s 少于每组需要的 %(need)s 名。"), want=wanted, need=per_team)]
    workdays = len(pools["calendar"]["workdays"])
    loads = [-(-n // len(t["officers"])) for t in pools["tiers"] if t["officers"]]
    if wanted:
        loads.append(-(-n * per_team // wanted))
    if workdays == 0 or (loads and max(loads) > workdays):
        errors["period"] = [FieldMessage(
            N_("计划检查期间只有 %(days)s 个工作日，而一名检查人员最多要检查 %(load)s 个对象，"
               "每人每天只能参加一次检查：请延长检查期间。"), days=workdays, load=max(loads or [1]))]
    if errors:
        raise ValidationFailed(errors)
    return {**params, "experts_to_draw": wanted}
