"""What can be published: kinds, their portal tab and their deadline."""

from __future__ import annotations

from app.errors import N_

DECISIONS = ("penalty_decision", "no_penalty_decision", "sanction_recommendation")
KIND_LABELS = {
    "penalty_decision": N_("行政处罚决定"),
    "no_penalty_decision": N_("不予行政处罚决定"),
    "sanction_recommendation": N_("处分建议"),
    "inspection_result": N_("抽查结果"),
    "officer_list": N_("执法人员资格清单"),
    "annual_plan": N_("年度抽查计划"),
    "implementation_plan": N_("实施方案"),
}
MANUAL = ("annual_plan", "implementation_plan")  # written by the legal section, not drafted by a procedure
STATUS_LABELS = {"draft": N_("待发布"), "published": N_("已公示"), "withdrawn": N_("已撤回"),
                 "taken_down": N_("已撤下"), "cancelled": N_("已作废")}
PORTAL_STATUSES = ("published", "withdrawn")
OUTCOME_LABELS = {"compliant": N_("未发现违法行为"), "problems": N_("发现问题，责令整改"),
                  "violation": N_("涉嫌违法，移送立案")}


def deadline_setting(kind: str) -> str:
    """Which period sets a first publication's deadline (penalty decisions 7 working days, the rest 20)."""
    if kind == "penalty_decision":
        return "penalty_days"
    if kind == "officer_list":
        return "directory_days"
    return "other_days"


TABS = {"penalty_decision": "decisions", "no_penalty_decision": "decisions", "sanction_recommendation": "decisions",
        "inspection_result": "results", "officer_list": "lists", "annual_plan": "plans",
        "implementation_plan": "plans"}
