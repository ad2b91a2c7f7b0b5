"""Preparing, performing (witnessed), confirming and redrawing draws; every step audited, all or nothing."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus.context import current
from app.bureaus.services.tree import subordinate_bureaus, widened_below
from app.calendar.services import WorkingDays
from app.clock import utcnow
from app.directories.models import Expert, Officer
from app.draws.models import Draw
from app.draws.services import algorithm, algorithm_v2
from app.draws.services import params as params_service
from app.draws.services import results as results_service
from app.draws.services.generator import ALGORITHM_VERSION, derive_seed, sha256
from app.draws.services.pools import combined, freeze
from app.errors import N_, Conflict, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db

ALGORITHMS = {ALGORITHM_VERSION: algorithm.run, algorithm_v2.VERSION: algorithm_v2.run}
ENTROPY = re.compile(r"^[0-9A-Za-z]{6,64}$")


def _require(actor: User, role: Role) -> None:
    if role not in actor.role_set:
        raise PermissionDenied(N_("您的角色不能执行此操作。"))


def next_draw_year(today: date | None = None) -> int:
    """The year a draw prepared today is for: this year until September, then next year (plans are made ahead)."""
    today = today or utcnow().date()
    return today.year + (1 if today.month >= 10 else 0)


def get_draw(draw_id: int) -> Draw:
    """The draw or NotFound."""
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise NotFound(N_("抽取记录不存在。"))
    return draw


def list_draws() -> list[Draw]:
    """Every draw, newest first."""
    return list(db.session.scalars(select(Draw).order_by(Draw.id.desc())))


def prepare(actor: User, raw: dict[str, Any]) -> Draw:
    """Check every parameter, freeze the pools and commit to a secret nonce (its hash is shown before the draw)."""
    _require(actor, Role.SUPERVISION)
    return _prepare(actor, actor, params_service.parse(raw))


def _prepare(actor: User, organiser: User, params: dict[str, Any], redraw_of: Draw | None = None) -> Draw:
    start, end = date.fromisoformat(params["period_start"]), date.fromisoformat(params["period_end"])
    joined = _joined(params.get("joint"))
    ids = [b["id"] for b in joined]
    pools, hashes, exclusions = freeze(
        params["tier_ids"], start, end, params["rest_years"], joined,
        lambda: widened_below(actor, ids, "draw.joint_pools", {"year": params["year"],
                                                               "scope": params.get("scope", "annual")}))
    params = params_service.check_pools(params, pools)
    nonce = secrets.token_hex(32)
    draw = Draw(year=params["year"], scope=params.get("scope", "annual"), status="prepared", params=params,
                pools=pools, pool_hashes=hashes, exclusions=exclusions, nonce=nonce, nonce_hash=sha256(nonce),
                algorithm_version=algorithm_v2.VERSION, period_start=start, period_end=end,
                organiser_id=organiser.id, redraw_of_id=redraw_of.id if redraw_of else None,
                slot=params_service.slot_of(params["year"], params.get("scope", "annual")))
    try:
        with db.session.begin_nested():  # another draw took the year's slot meanwhile (a concurrent prepare)
            db.session.add(draw)
            db.session.flush()
    except IntegrityError as exc:
        taken = N_("同一年度同一类别只能有一次抽取：刚刚已有人准备了这一年度的抽取，请刷新后查看。")
        raise ValidationFailed({"year": [taken]}) from exc
    record_event("draw.prepared", actor=actor, object_type="draw", object_id=draw.id,
                 details={"params": params, "pool_hashes": hashes, "nonce_hash": draw.nonce_hash,
                          "algorithm": draw.algorithm_version,
                          "eligible": {"objects": len(pools["objects"]), "experts": len(pools["experts"]),
                                       **{t["name"]: len(t["officers"]) for t in pools["tiers"]}},
                          "joint": [{"bureau": part["bureau"], "name": part["name"],
                                     "officers": None if part["tiers"] is None else
                                     {t["name"]: len(t["officers"]) for t in part["tiers"]},
                                     "experts": None if part["experts"] is None else len(part["experts"])}
                                    for part in pools.get("joint") or []],
                          "workdays": len(pools["calendar"]["workdays"]), "excluded": len(exclusions)})
    return draw


def _joined(joint: dict[str, list[int]] | None) -> list[dict[str, Any]]:
    """The joined bureaus in tree order, with what each contributes."""
    if not joint:
        return []
    wanted = set(joint["officers"]) | set(joint["experts"])
    return [{"id": b.id, "name": b.name, "short_name": b.short_name, "officers": b.id in joint["officers"],
             "experts": b.id in joint["experts"]} for b in subordinate_bureaus(current().bureau_id or 0)
            if b.id in wanted]


def schedule_v1(draw: Draw, result: dict[str, Any], working_days: WorkingDays | None = None) -> list[dict[str, Any]]:
    """Version 1 planned dates: the drawn objects spread evenly over the working days of the period."""
    days = working_days or WorkingDays()
    current, workdays = draw.period_start, []
    while current <= draw.period_end:
        if days.is_workday(current):
            workdays.append(current)
        current += timedelta(days=1)
    if not workdays:
        workdays = [draw.period_start]
    teams = result["teams"]
    return [{"object": team["object"], "date": workdays[i * len(workdays) // len(teams)].isoformat(),
             "officers": team["officers"], "experts": team["experts"]} for i, team in enumerate(teams)]


def people_names(pools: dict[str, Any]) -> dict[str, str]:
    """Code → name of every object, officer and expert in the frozen pools (joined bureaus' people included)."""
    pools = combined(pools)
    names = {o["code"]: o["name"] for o in pools["objects"]}
    names.update({o["code"]: o["name"] for t in pools["tiers"] for o in t["officers"]})
    names.update({e["code"]: e["name"] for e in pools["experts"]})
    return names


def run_draw(draw: Draw, seed: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(result, schedule) by the draw's algorithm version; raises DrawImpossible."""
    if draw.algorithm_version == ALGORITHM_VERSION:
        result = algorithm.run(draw.pools, draw.params, seed)
        return result, draw.schedule if draw.schedule is not None else schedule_v1(draw, result)
    pools = combined(draw.pools)
    result = algorithm_v2.run(pools, draw.params, seed)
    return result, algorithm_v2.schedule(result, pools["calendar"]["workdays"], people_names(pools))


def record_hash(draw: Draw) -> str:
    """SHA-256 over everything the record says (stored, and written into the audit chain)."""
    if draw.algorithm_version == ALGORITHM_VERSION:
        return sha256({
            "year": draw.year, "params": draw.params, "pools": draw.pools, "pool_hashes": draw.pool_hashes,
            "exclusions": draw.exclusions, "nonce_hash": draw.nonce_hash, "nonce": draw.nonce,
            "entropy": draw.witness_entropy, "seed": draw.seed, "algorithm": draw.algorithm_version,
            "result": draw.result, "schedule": draw.schedule, "organiser": draw.organiser_id,
            "witness": draw.witness_id, "redraw_of": draw.redraw_of_id,
        })
    return sha256(record_fields(draw))


def record_fields(draw: Draw) -> dict[str, Any]:
    """Version 2: what the record hash covers — all public, so the stand-alone verifier can recompute it."""
    return {"draw": draw.id, "year": draw.year, "scope": draw.scope, "params": draw.params,
            "pool_hashes": draw.pool_hashes, "exclusions": sha256(draw.exclusions), "nonce_hash": draw.nonce_hash,
            "nonce": draw.nonce, "entropy": draw.witness_entropy, "seed": draw.seed,
            "algorithm": draw.algorithm_version, "result": draw.result, "schedule": draw.schedule,
            "attempts": draw.attempts or [], "organiser": draw.organiser_id, "witness": draw.witness_id,
            "redraw_of": draw.redraw_of_id}


def perform(witness: User, draw: Draw, entropy: str) -> Draw:
    """The discipline inspector enters entropy and the draw runs. Success: the record becomes immutable (drawn).
    Failure: the attempt (nonce, entropy, seed, reason) is written to the record and the audit chain and the draw
    waits for a leader's decision (failed) — the caller commits it like a success."""
    _require(witness, Role.DISCIPLINE)
    if draw.status != "prepared":
        raise Conflict(N_("此抽取已经完成、失败待决定或已取消，不能再次抽取。"))
    entropy = (entropy or "").strip()
    if not ENTROPY.match(entropy):
        raise ValidationFailed({"entropy": [N_("见证随机数应为 6–64 位数字或字母（例如掷骰子得到的数字）。")]})
    seed = derive_seed(draw.pool_hashes, draw.nonce, entropy, draw.algorithm_version)
    try:
        result, schedule = run_draw(draw, seed)
    except algorithm.DrawImpossible as exc:
        attempt = {"number": len(draw.attempts or []) + 1, "nonce_hash": draw.nonce_hash, "nonce": draw.nonce,
                   "entropy": entropy, "seed": seed, "failure": str(exc), "witness": witness.id,
                   "at": utcnow().isoformat(timespec="seconds")}
        draw.attempts = [*(draw.attempts or []), attempt]
        draw.status = "failed"
        db.session.flush()
        record_event("draw.failed", actor=witness, object_type="draw", object_id=draw.id,
                     details={**attempt, "algorithm": draw.algorithm_version})
        return draw
    draw.witness_entropy, draw.seed, draw.result, draw.schedule = entropy, seed, result, schedule
    draw.witness_id, draw.drawn_at, draw.status = witness.id, utcnow(), "drawn"
    draw.record_hash = record_hash(draw)
    db.session.flush()
    record_event("draw.performed", actor=witness, object_type="draw", object_id=draw.id,
                 details={"seed": seed, "entropy": entropy, "nonce": draw.nonce, "record_hash": draw.record_hash,
                          "selected": result["selected_count"], "algorithm": draw.algorithm_version})
    return draw


def _team_user_ids(draw: Draw, team: dict[str, Any], joint_users: dict[str, int]) -> list[int]:
    ids = list(db.session.scalars(select(Officer.user_id).where(Officer.certificate_no.in_(team["officers"]),
                                                                Officer.user_id.is_not(None))))
    ids += list(db.session.scalars(select(Expert.user_id).where(Expert.code.in_(team["experts"]),
                                                                Expert.user_id.is_not(None))))
    ids += [joint_users[c] for c in team["officers"] + team["experts"] if c in joint_users]
    return sorted(set(ids))


def _joint_users(actor: User, draw: Draw) -> dict[str, int]:
    """Joined people's code in the draw → their user account, read in the joined bureaus through an audited
    widening (the drawn county officers then find the inspection in their own inbox)."""
    joint = draw.pools.get("joint") or []
    if not joint:
        return {}
    drawn = {c for row in draw.schedule or [] for c in row["officers"] + row["experts"]}
    wanted: dict[tuple[str, int, int], str] = {}
    for part in joint:
        for tier in part["tiers"] or []:
            wanted.update({("officer", part["bureau"], o["id"]): o["code"] for o in tier["officers"]
                           if o["code"] in drawn})
        wanted.update({("expert", part["bureau"], e["id"]): e["code"] for e in part["experts"] or []
                       if e["code"] in drawn})
    found: dict[str, int] = {}
    with widened_below(actor, [p["bureau"] for p in joint], "draw.joint_team_users", {"draw": draw.id}):
        for model, kind in ((Officer, "officer"), (Expert, "expert")):
            ids = [pid for k, _b, pid in wanted if k == kind]
            for pid, bureau_id, user_id in db.session.execute(
                    select(model.id, model.bureau_id, model.user_id).where(model.id.in_(ids),
                                                                          model.user_id.is_not(None))):
                code = wanted.get((kind, bureau_id, pid))
                if code is not None:
                    found[code] = user_id
    return found


def confirm(actor: User, draw: Draw, process_id: str) -> int:
    """Confirm the result, publish its public part, and start one inspection case per drawn object when the
    inspection process is published; returns the number of cases started."""
    _require(actor, Role.SUPERVISION)
    if draw.status != "drawn":
        raise Conflict(N_("只有已抽取、尚未确认的结果可以确认。"))
    names = {o["code"]: o["name"] for o in draw.pools["objects"]}
    draw.public_part = [{"object": names[row["object"]], "credit_code": row["object"], "date": row["date"]}
                        for row in draw.schedule or []]
    draw.status, draw.confirmed_by_id, draw.confirmed_at = "confirmed", actor.id, utcnow()
    db.session.flush()
    record_event("draw.confirmed", actor=actor, object_type="draw", object_id=draw.id,
                 details={"record_hash": draw.record_hash})
    return start_cases(actor, draw, process_id)


def start_cases(actor: User, draw: Draw, process_id: str) -> int:
    """One case per drawn object with the team as its named users (when the process is published)."""
    from app.workflow.services import cases, definitions

    if draw.status != "confirmed" or draw.cases_started_at is not None:
        return 0
    try:
        definitions.published(process_id)
    except NotFound:
        return 0
    by_code = {o["code"]: o for o in draw.pools["objects"]}
    pools = combined(draw.pools)
    officer_names = {o["code"]: o["name"] for t in pools["tiers"] for o in t["officers"]}
    expert_names = {e["code"]: e["name"] for e in pools["experts"]}
    joint_users = _joint_users(actor, draw)
    count = 0
    for row in draw.schedule or []:
        obj = by_code[row["object"]]
        data = {"draw_id": draw.id, "object_id": obj["id"], "object_code": obj["code"], "object_name": obj["name"],
                "planned_date": row["date"],
                "officers": [{"code": c, "name": officer_names[c]} for c in row["officers"]],
                "experts": [{"code": c, "name": expert_names[c]} for c in row["experts"]],
                "team_user_ids": _team_user_ids(draw, row, joint_users),
                "inspection_items": draw.params.get("item_codes", [])}
        cases.start_case(actor, process_id, f"{draw.year} 年度随机抽查：{obj['name']}", data)
        count += 1
    draw.cases_started_at = utcnow()
    record_event("draw.cases_started", actor=actor, object_type="draw", object_id=draw.id,
                 details={"process_id": process_id, "cases": count})
    return count


OUTCOME_LABELS = results_service.OUTCOME_LABELS


def results_report(actor: User, draw: Draw) -> Any:
    """The year's 抽查结果通报 (numbered .docx); its rows (no personal data) are marked for publication. A bureau
    with bureaus below it adds their results of the year, per bureau, and the totals."""
    from app.documents.services.documents import generate

    _require(actor, Role.SUPERVISION)
    if draw.status != "confirmed":
        raise Conflict(N_("只有已确认的抽取才能通报结果。"))
    rows, counts = results_service.outcomes(draw)
    draw.public_results = rows
    from app.statistics.services.figures import draw_problem_areas

    data: dict[str, Any] = {"year": draw.year, "eligible": draw.result["eligible"],
                            "selected": draw.result["selected_count"], "counts": counts, "rows": rows,
                            "areas": draw_problem_areas(draw.id)}
    counties = results_service.county_rollup(actor, draw.bureau_id, draw.year)
    if counties:
        own = {"bureau": "本局", "draws": 1, "eligible": draw.result["eligible"],
               "selected": draw.result["selected_count"], "counts": counts}
        data.update(counties=counties, own=own, totals=results_service.totals(own, counties))
    document = generate(actor, "results_report", data, draw_id=draw.id)
    record_event("draw.results_reported", actor=actor, object_type="draw", object_id=draw.id,
                 details={"document": document.number, "counts": counts,
                          **({"counties": {r["bureau"]: r["counts"] for r in counties},
                              "totals": data["totals"]["counts"]} if counties else {})})
    return document
