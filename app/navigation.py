"""The main navigation: each entry is shown only to users whose roles open its endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import ROLE_LABELS, can_open


@dataclass(frozen=True)
class NavItem:
    """One menu entry."""

    endpoint: str
    label: object
    icon: str


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("home.index", _l("工作台"), "bi-house"),
    NavItem("workflow.my_tasks", _l("我的任务"), "bi-inbox"),
    NavItem("workflow.case_list", _l("案件"), "bi-folder2-open"),
    NavItem("draws.index", _l("随机抽取"), "bi-shuffle"),
    NavItem("oversight.overview", _l("上下联动"), "bi-diagram-2"),
    NavItem("statistics.dashboard", _l("统计分析"), "bi-bar-chart"),
    NavItem("directories.index", _l("名录与清单"), "bi-card-list"),
    NavItem("disclosure.index", _l("执法公示"), "bi-megaphone"),
    NavItem("processes.index", _l("流程定义"), "bi-diagram-3"),
    NavItem("audit.events", _l("审计日志"), "bi-journal-check"),
    NavItem("outbox.index", _l("推送监控"), "bi-broadcast"),
    NavItem("admin.users", _l("用户管理"), "bi-people"),
    NavItem("takeover.delegation_list", _l("工作代理"), "bi-person-check"),
    NavItem("calendar.overrides", _l("节假日"), "bi-calendar-week"),
    NavItem("bureaus.index", _l("档案局"), "bi-building"),
    NavItem("bureau.settings", _l("机关设置"), "bi-building"),
)


def visible_items() -> list[NavItem]:
    """The entries the current user may open."""
    return [item for item in NAV_ITEMS if can_open(item.endpoint)]


def init_app(app: Flask) -> None:
    """Expose the navigation to templates."""

    @app.context_processor
    def _nav_context() -> dict[str, object]:
        labels = [ROLE_LABELS[r] for r in sorted(getattr(current_user, "role_set", ()))]
        return {"nav_items": visible_items(), "can_open": can_open, "my_role_labels": labels}
