"""How audit events read to people: a Chinese label per action and per object type, and a one-line summary."""

from __future__ import annotations

from typing import Any

from app.errors import N_

ACTION_LABELS: dict[str, str] = {
    "login.succeeded": N_("登录成功"), "login.failed": N_("登录失败"), "login.refused": N_("拒绝登录"),
    "logout": N_("退出登录"), "user.locked": N_("账号锁定"), "user.created": N_("创建账号"),
    "user.updated": N_("修改账号"), "user.password_reset": N_("重置密码"), "user.password_changed": N_("修改密码"),
    "user.reactivated": N_("启用账号"), "user.deactivated": N_("停用账号"),
    "api_token.created": N_("创建 API 令牌"), "api_token.revoked": N_("吊销 API 令牌"),
    "directory.created": N_("新增名录记录"), "directory.updated": N_("修改名录记录"),
    "directory.reactivated": N_("启用名录记录"), "directory.deactivated": N_("停用名录记录"),
    "directory.imported": N_("导入名录"), "inspection.result_recorded": N_("登记检查结果"),
    "definition.created": N_("新建流程版本"), "definition.published": N_("发布流程版本"),
    "case.started": N_("案件启动"), "task.completed": N_("完成任务"), "timer.fired": N_("定时器触发"),
    "case.error": N_("流程出错"), "document.generated": N_("生成文书"),
    "draw.prepared": N_("准备抽取"), "draw.performed": N_("执行抽取"), "draw.confirmed": N_("确认抽取结果"),
    "draw.cases_started": N_("启动检查案件"), "draw.redraw_requested": N_("申请重新抽取"),
    "draw.redraw_approved": N_("批准重新抽取"), "draw.results_reported": N_("生成抽查结果通报"),
    "calendar.override_set": N_("设置节假日"), "demo.seeded": N_("载入演示数据"),
    "casefile.requested": N_("申请生成案卷"),
}

OBJECT_LABELS: dict[str, str] = {
    "user": N_("账号"), "api_token": N_("API 令牌"), "case": N_("案件"), "draw": N_("抽取"),
    "process_definition": N_("流程"), "calendar": N_("日历"), "demo": N_("演示数据"), "object": N_("检查对象"),
    "objects": N_("检查对象"), "officers": N_("执法检查人员"), "experts": N_("专家"), "tiers": N_("职级"),
    "conflicts": N_("回避关系"), "inspection-items": N_("随机抽查事项"), "enforcement-items": N_("行政执法事项"),
}

# Detail keys worth showing, with their labels; everything else (hashes, engine internals) stays out of prose.
DETAIL_LABELS: dict[str, str] = {
    "subject": N_("名称"), "name": N_("任务"), "number": N_("文号"), "version": N_("版本"),
    "username": N_("用户名"), "cases": N_("案件数"), "year": N_("年度"),
    "reason": N_("原因"), "message": N_("说明"), "rows": N_("行数"),
}


def action_label(action: str) -> str:
    """The Chinese label (msgid) of an action; unknown actions show as they are."""
    return ACTION_LABELS.get(action, action)


def object_label(object_type: str) -> str:
    """The Chinese label (msgid) of an object type."""
    return OBJECT_LABELS.get(object_type, object_type)


def detail_pairs(details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label msgid, value) for the readable detail keys of an event."""
    pairs = []
    for key, label in DETAIL_LABELS.items():
        value = details.get(key)
        if isinstance(value, dict):
            value = value.get("version") if key == "version" else None
        if value not in (None, "", [], {}):
            pairs.append((label, str(value)))
    return pairs
