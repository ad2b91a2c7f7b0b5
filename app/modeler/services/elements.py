"""What each element of a process diagram means, in words a clerk reads: kind, lane and role, form, documents,
due rule, assignees, gateway conditions, timers. Read from the diagram XML alone (no engine)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.documents.services.numbers import DOC_TYPES
from app.errors import N_
from app.workflow.services.lint import BPMN_NS, LANE_ROLES, NS, SPIFF_NS, is_dmn
from app.workflow.services.xmlsafe import parse_xml

KIND_LABELS = {
    "userTask": N_("人工任务"), "manualTask": N_("人工任务"), "scriptTask": N_("自动处理（脚本）"),
    "serviceTask": N_("自动处理"), "businessRuleTask": N_("按决策表判断"), "callActivity": N_("调用子流程"),
    "subProcess": N_("子流程"), "task": N_("任务"), "sendTask": N_("发送"), "receiveTask": N_("接收"),
    "startEvent": N_("开始"), "endEvent": N_("结束"), "intermediateCatchEvent": N_("等待"),
    "intermediateThrowEvent": N_("中间事件"), "boundaryEvent": N_("附加事件"),
    "exclusiveGateway": N_("排他网关（只走一条）"), "parallelGateway": N_("并行网关（同时进行）"),
    "inclusiveGateway": N_("包容网关（可走多条）"), "eventBasedGateway": N_("事件网关"),
}
# Data variables the shipped diagrams name as assignees, in words.
ASSIGNEE_LABELS = {"team_user_ids": N_("抽取确定的检查组成员")}

_WORKING_DAYS = re.compile(r"^(?:iso\()?\s*add_working_days\(\s*now\(\)\s*,\s*(\d+)\s*\)\s*\)?$")
_DAYS = re.compile(r"^(?:iso\()?\s*now\(\)\s*\+\s*timedelta\(\s*days\s*=\s*(\d+)\s*\)\s*\)?$")
_ISO_DAYS = re.compile(r"^['\"]P(\d+)D['\"]$")


@dataclass(frozen=True)
class Phrase:
    """A translatable sentence: msgid plus parameters (the web layer translates it)."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)
    expression: str = ""  # the underlying expression, shown small for the curious


@dataclass
class Branch:
    """One outgoing flow of a gateway."""

    flow_id: str
    name: str
    target_name: str
    condition: str
    is_default: bool


@dataclass
class Element:
    """One flow node with everything our engine reads from it."""

    id: str
    tag: str
    name: str
    lane: str = ""
    role: str | None = None
    form_key: str | None = None
    documents: list[tuple[str, str]] = field(default_factory=list)  # (code, Chinese name)
    due: Phrase | None = None
    assignees: Phrase | None = None
    starts_process: str | None = None
    records_result: bool = False
    branches: list[Branch] = field(default_factory=list)
    timer: Phrase | None = None
    attached_to: str = ""
    interrupting: bool = True
    script: str = ""
    called: str = ""
    instructions: str = ""

    @property
    def kind(self) -> str:
        """The Chinese msgid of the element's kind."""
        return KIND_LABELS.get(self.tag, N_("任务"))


@dataclass
class DiagramView:
    """One BPMN file of a version: its processes' lanes (→ role) and elements in flow order."""

    file: str
    process_name: str
    lanes: list[tuple[str, str | None]]
    elements: list[Element]


def describe_expression(text: str, *, timer: bool = False) -> Phrase:
    """A due rule or timer expression in words ("7 个工作日内"); anything else is "按流程计算"."""
    text = (text or "").strip()
    if match := _WORKING_DAYS.match(text):
        return Phrase(N_("%(days)s 个工作日后") if timer else N_("%(days)s 个工作日内"), {"days": match[1]}, text)
    if match := _DAYS.match(text) or _ISO_DAYS.match(text):
        msgid = N_("%(days)s 日后（自然日）") if timer else N_("%(days)s 日内（自然日）")
        return Phrase(msgid, {"days": match[1]}, text)
    return Phrase(N_("按流程中计算的时间") if timer else N_("按流程中计算的期限"), {}, text)


def _prop(el: etree._Element, name: str) -> str | None:
    found = el.find(f"bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='{name}']", NS)
    return found.get("value") if found is not None else None


def _flow_order(process: etree._Element) -> list[etree._Element]:
    """Flow nodes in the order a case meets them (breadth-first from the start events), the rest after."""
    nodes = {el.get("id"): el for el in process if isinstance(el.tag, str) and el.get("id")
             and etree.QName(el).localname in KIND_LABELS}
    out: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        out.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for el in nodes.values():
        if etree.QName(el).localname == "boundaryEvent":
            out.setdefault(el.get("attachedToRef"), []).append(el.get("id"))
    queue = [i for i, el in nodes.items() if etree.QName(el).localname == "startEvent"]
    seen: list[str] = []
    while queue:
        current = queue.pop(0)
        if current in seen or current not in nodes:
            continue
        seen.append(current)
        queue.extend(out.get(current, []))
    seen += [i for i in nodes if i not in seen]
    return [nodes[i] for i in seen]


def _element(el: etree._Element, lanes: dict[str, str], names: dict[str, str],
             flows: dict[str, etree._Element]) -> Element:
    tag = etree.QName(el).localname
    item = Element(id=el.get("id"), tag=tag, name=el.get("name") or "", lane=lanes.get(el.get("id"), ""))
    item.role = LANE_ROLES[item.lane].value if item.lane in LANE_ROLES else None
    item.form_key = _prop(el, "form")
    docs = [d.strip() for d in (_prop(el, "documents") or "").split(",") if d.strip()]
    item.documents = [(d, DOC_TYPES[d].title if d in DOC_TYPES else d) for d in docs]
    if due := _prop(el, "due"):
        item.due = describe_expression(due)
    if assignees := _prop(el, "assignees"):
        item.assignees = Phrase(ASSIGNEE_LABELS.get(assignees, N_("流程数据中指定的人员")), {}, assignees)
    item.starts_process = _prop(el, "starts_process")
    item.records_result = (_prop(el, "records_result") or "").lower() == "true"
    instructions = el.find("bpmn:extensionElements/spiffworkflow:instructionsForEndUser", NS)
    item.instructions = (instructions.text or "").strip() if instructions is not None else ""
    script = el.find(f"{{{BPMN_NS}}}script")
    item.script = (script.text or "").strip() if script is not None else ""
    item.called = el.get("calledElement") or ""
    decision = el.find(f"bpmn:extensionElements/{{{SPIFF_NS}}}calledDecisionId", NS)
    if decision is not None:
        item.called = (decision.text or "").strip()
    for tag_name in ("timeDate", "timeDuration", "timeCycle"):
        timer = el.find(f"{{{BPMN_NS}}}timerEventDefinition/{{{BPMN_NS}}}{tag_name}")
        if timer is not None:
            item.timer = describe_expression(timer.text or "", timer=True)
    item.attached_to = names.get(el.get("attachedToRef") or "", "")
    item.interrupting = el.get("cancelActivity", "true") != "false"
    if tag.endswith("Gateway"):
        for ref in el.findall(f"{{{BPMN_NS}}}outgoing"):
            flow = flows.get((ref.text or "").strip())
            if flow is None:
                continue
            condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
            item.branches.append(Branch(flow.get("id"), flow.get("name") or "", names.get(flow.get("targetRef"), ""),
                                        (condition.text or "").strip() if condition is not None else "",
                                        el.get("default") == flow.get("id")))
    return item


def describe_file(file_name: str, xml: str) -> DiagramView | None:
    """The elements of one BPMN file (None for a DMN file)."""
    tree = parse_xml(xml)
    if is_dmn(tree):
        return None
    root = tree.getroot()
    lanes: dict[str, str] = {}
    lane_list: list[tuple[str, str | None]] = []
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        name = lane.get("name", "")
        role = LANE_ROLES[name].value if name in LANE_ROLES else None
        lane_list.append((name, role))
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = name
    names = {el.get("id"): el.get("name") or "" for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    flows = {f.get("id"): f for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    elements: list[Element] = []
    process_names = []
    for process in root.findall(f"{{{BPMN_NS}}}process"):
        process_names.append(process.get("name") or process.get("id"))
        containers = [process, *process.iter(f"{{{BPMN_NS}}}subProcess")]
        for container in containers:
            elements += [_element(el, lanes, names, flows) for el in _flow_order(container)]
    return DiagramView(file_name, "、".join(process_names), lane_list, elements)


def describe_files(files: dict[str, str], main_process_id: str | None = None) -> list[DiagramView]:
    """Every BPMN file of a version, the one holding the main process first."""
    views = [v for name, xml in sorted(files.items()) if (v := describe_file(name, xml)) is not None]
    if main_process_id:
        views.sort(key=lambda v: f'id="{main_process_id}"' not in files[v.file])
    return views
