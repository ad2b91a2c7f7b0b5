"""What our engine reads from each BPMN element, as a flat description: the basis of the version diff.

Only the elements of executable content count (flow nodes, flows, lanes); layout (bpmndi) does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.errors import N_
from app.workflow.services import lint

KIND_LABELS = {
    "userTask": N_("用户任务"), "manualTask": N_("人工任务"), "scriptTask": N_("脚本任务"),
    "serviceTask": N_("服务任务"), "businessRuleTask": N_("决策任务"), "callActivity": N_("调用子流程"),
    "subProcess": N_("子流程"), "task": N_("任务"), "exclusiveGateway": N_("排他网关"),
    "parallelGateway": N_("并行网关"), "inclusiveGateway": N_("包容网关"), "eventBasedGateway": N_("事件网关"),
    "startEvent": N_("开始事件"), "endEvent": N_("结束事件"), "boundaryEvent": N_("边界事件"),
    "intermediateCatchEvent": N_("中间捕获事件"), "intermediateThrowEvent": N_("中间抛出事件"),
    "sequenceFlow": N_("连线"), "lane": N_("泳道"),
}
FIELD_LABELS = {
    "kind": N_("类型"), "name": N_("名称"), "lane": N_("泳道（角色）"), "form": N_("表单"),
    "documents": N_("生成文书"), "due": N_("办理期限"), "assignees": N_("指定办理人变量"),
    "starts_process": N_("启动流程"), "records_result": N_("记录检查结果"), "condition": N_("连线条件"),
    "default": N_("默认连线"), "script": N_("脚本"), "timer": N_("定时器"), "source": N_("连线起点"),
    "target": N_("连线终点"), "instructions": N_("办理说明"), "called": N_("调用的流程"),
    "decision": N_("决策表"), "pre_script": N_("前置脚本"), "post_script": N_("后置脚本"),
}
SKIP = {"laneSet", "extensionElements", "incoming", "outgoing", "documentation", "dataObject",
        "dataObjectReference", "textAnnotation", "association", "ioSpecification"}


@dataclass
class Element:
    """One element as the engine sees it."""

    element_id: str
    kind: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Its name, or its id when unnamed."""
        return self.values.get("name") or self.element_id


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el: etree._Element, path: str) -> str:
    found = el.find(path, lint.NS)
    return (found.text or "").strip() if found is not None else ""


def _describe(el: etree._Element, lanes: dict[str, str]) -> Element:
    element_id = el.get("id", "")
    values = {"name": (el.get("name") or "").strip()}
    if element_id in lanes:
        values["lane"] = lanes[element_id]
    for prop in el.iterfind(lint.PROPERTY_PATH.split("[")[0], lint.NS):
        if prop.get("name"):
            values[prop.get("name")] = prop.get("value") or ""
    values["script"] = _text(el, "bpmn:script")
    values["condition"] = _text(el, "bpmn:conditionExpression")
    values["default"] = el.get("default") or ""
    values["source"], values["target"] = el.get("sourceRef") or "", el.get("targetRef") or ""
    values["called"] = el.get("calledElement") or ""
    values["decision"] = _text(el, "bpmn:extensionElements/spiffworkflow:calledDecisionId")
    values["instructions"] = _text(el, "bpmn:extensionElements/spiffworkflow:instructionsForEndUser")
    values["pre_script"] = _text(el, "bpmn:extensionElements/spiffworkflow:preScript")
    values["post_script"] = _text(el, "bpmn:extensionElements/spiffworkflow:postScript")
    timer = el.find("bpmn:timerEventDefinition", lint.NS)
    if timer is not None:
        values["timer"] = " ".join((c.text or "").strip() for c in timer if _local(c))
    return Element(element_id, _local(el), {k: v for k, v in values.items() if v})


def elements_of(files: dict[str, str]) -> dict[str, Element]:
    """Every executable element of the BPMN files, by id."""
    trees, _problems = lint.parse_files({k: v for k, v in files.items() if k.endswith(".bpmn")})
    found: dict[str, Element] = {}
    for tree in trees.values():
        for process in tree.getroot().iterfind("bpmn:process", lint.NS):
            lanes = {}
            for lane in process.iter(f"{{{lint.BPMN_NS}}}lane"):
                found[lane.get("id", "")] = Element(lane.get("id", ""), "lane", {"name": lane.get("name") or ""})
                for ref in lane.iterfind("bpmn:flowNodeRef", lint.NS):
                    lanes[(ref.text or "").strip()] = lane.get("name") or ""
            stack = list(process)
            while stack:
                el = stack.pop()
                kind = _local(el)
                if not kind or kind in SKIP or not el.get("id"):
                    continue
                found[el.get("id")] = _describe(el, lanes)
                if kind == "subProcess":
                    stack.extend(el)
    return found


def main_file(definition: Any) -> str:
    """The BPMN file that holds the version's own process."""
    trees, _problems = lint.parse_files({k: v for k, v in definition.files.items() if k.endswith(".bpmn")})
    return lint.executable_process_ids(trees).get(definition.process_id) or next(iter(sorted(definition.files)))
