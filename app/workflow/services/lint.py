"""Checking a bundle of diagrams before it may become a version: XSD, structure, and our own rules.

Every problem names the file, the line where known, the element's id and name, and a message in
Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from app.auth.roles import Role
from app.documents.services.numbers import DOC_TYPES
from app.workflow.services.sandbox import check_compiles
from app.workflow.services.xmlsafe import UnsafeXml, parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
                  "https://www.omg.org/spec/DMN/20230324/MODEL/")
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# Lane names a diagram may use, mapped to roles: the code name or the Chinese name of DOMAIN.md.
PROPERTY_PATH = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='{name}']"

LANE_ROLES: dict[str, Role] = {
    **{role.value: role for role in Role},
    "监督指导科": Role.SUPERVISION, "法制科": Role.LEGAL, "法制信息科": Role.LEGAL, "法规科": Role.LEGAL,
    "执法检查人员": Role.INSPECTOR, "专家": Role.EXPERT, "纪检员": Role.DISCIPLINE, "局领导": Role.LEADER,
    "监督审计": Role.AUDITOR, "系统管理员": Role.ADMIN,
}

MESSAGES: dict[str, tuple[str, str]] = {
    "xml": ("XML 无法读取：%(detail)s", "XML cannot be read: %(detail)s"),
    "xsd": ("不符合 BPMN 规范：%(detail)s", "Not valid BPMN: %(detail)s"),
    "structure": ("流程结构错误：%(detail)s", "Process structure error: %(detail)s"),
    "no_process": ("文件中没有可执行的流程 %(process)s。", "No executable process %(process)s in the files."),
    "lane_missing": ("用户任务不在任何泳道中，无法确定由哪个角色办理。", "User task is in no lane: no role can do it."),
    "lane_unknown": ("泳道“%(lane)s”不对应任何角色。", "Lane '%(lane)s' maps to no role."),
    "lane_unnamed": ("所在泳道还没有指定角色：请点选泳道，选择由哪个角色办理。",
                     "Its lane has no role yet: select the lane and choose the role."),
    "form_missing": ("用户任务没有指定表单（属性 form）。", "User task names no form (property 'form')."),
    "form_unknown": ("表单“%(form)s”不存在于 forms/ 中。", "Form '%(form)s' does not exist in forms/."),
    "gateway_flow": ("排他网关的出口连线“%(flow)s”既没有条件也不是默认连线。",
                     "Outgoing flow '%(flow)s' of an exclusive gateway has no condition and is not the default."),
    "script": ("脚本无法在沙箱中编译：%(detail)s", "Script does not compile in the sandbox: %(detail)s"),
    "condition": ("条件表达式无法在沙箱中编译：%(detail)s", "Condition does not compile in the sandbox: %(detail)s"),
    "timer": ("定时器表达式无效：%(detail)s", "Timer expression is invalid: %(detail)s"),
    "called_process": ("调用的流程“%(target)s”不存在。", "Called process '%(target)s' does not exist."),
    "decision": ("调用的决策表“%(target)s”不存在。", "Called decision '%(target)s' does not exist."),
    "document_unknown": ("文书类型“%(doc)s”不存在。", "Document type '%(doc)s' does not exist."),
    "too_large": ("文件超过大小限制（最多 %(limit)s KB）。", "The file is over the size limit (%(limit)s KB)."),
    "dmn_entry": ("决策表第 %(rule)s 条规则，“%(column)s”列 %(detail)s", "Decision table rule %(rule)s, column "
                  "“%(column)s”: %(detail)s"),
    "dmn_output": ("决策表第 %(rule)s 条规则，结论“%(column)s”列 %(detail)s", "Decision table rule %(rule)s, "
                   "conclusion “%(column)s”: %(detail)s"),
    "dmn_overlap": ("决策表规则重叠（唯一命中时只能有一条规则符合）：%(detail)s",
                    "Decision table rules overlap (hit policy unique allows one match): %(detail)s"),
    "dmn_missing": ("决策表有情况没有任何规则命中，例如：%(detail)s",
                    "No rule of the decision table matches, e.g. %(detail)s"),
    "dmn_unreachable": ("决策表第 %(rule)s 条规则永远不会被用到（前面的规则已覆盖它的所有情况）。",
                        "Decision table rule %(rule)s is never used (earlier rules cover all its cases)."),
    "import_type": ("只能导入 .bpmn 或 .dmn 文件（文件名用字母、数字、_ . -）。",
                    "Only .bpmn or .dmn files can be imported (names of letters, digits, _ . -)."),
    "import_encoding": ("文件不是 UTF-8 编码的 XML。", "The file is not UTF-8 encoded XML."),
    "import_target": ("只上传决策表时，请选择要加入的流程。",
                      "When uploading decision tables only, choose the process."),
    "import_not_executable": ("流程“%(process)s”标记为不可执行（isExecutable=false）："
                              "请在建模工具中勾选“可执行”后再导出。",
                              "Process '%(process)s' is marked not executable (isExecutable=false): tick "
                              "'executable' in the modelling tool and export again."),
    "import_ambiguous": ("上传的文件中有多个可执行流程（%(processes)s），请选择导入哪一个。",
                         "The files hold several executable processes (%(processes)s): choose which to import."),
    "import_empty": ("请选择要导入的文件。", "Choose the files to import."),
    "no_layout": ("流程图没有布局，%(count)s 个元素无法绘制；可以自动排布。",
                  "The diagram has no layout for %(count)s element(s); it can be laid out automatically."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram."""

    file: str
    line: int | None
    element_id: str
    element_name: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message_zh(self) -> str:
        """The message in Chinese."""
        return MESSAGES[self.code][0] % self.params

    @property
    def message_en(self) -> str:
        """The message in English."""
        return MESSAGES[self.code][1] % self.params

    def render(self) -> str:
        """One line: file:line [id name] 中文 / English."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        label = f"{self.element_id} {self.element_name}".strip()
        element = f" [{label}]" if self.element_id else ""
        return f"{where}{element} {self.message_zh} / {self.message_en}"


def _problem(file: str, node: Any, code: str, **params: Any) -> Problem:
    return Problem(file, getattr(node, "sourceline", None), node.get("id", "") if node is not None else "",
                   node.get("name", "") if node is not None else "", code, params)


def is_dmn(tree: etree._ElementTree) -> bool:
    """Whether the document is a DMN file."""
    return etree.QName(tree.getroot()).namespace in DMN_NAMESPACES


def parse_files(files: dict[str, str]) -> tuple[dict[str, etree._ElementTree], list[Problem]]:
    """Parse every file safely; problems for those that cannot be read."""
    trees, problems = {}, []
    for name, text in files.items():
        try:
            trees[name] = parse_xml(text)
        except UnsafeXml as exc:
            problems.append(Problem(name, exc.line, "", "", "xml", {"detail": str(exc)}))
    return trees, problems


def build_parser(trees: dict[str, etree._ElementTree]) -> tuple[SpiffBpmnParser, list[Problem]]:
    """A Spiff parser with XSD validation over already-parsed trees."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    problems = []
    for name, tree in trees.items():
        try:
            if is_dmn(tree):
                parser.add_dmn_xml(tree.getroot(), filename=name)
            else:
                parser.add_bpmn_xml(tree, filename=name)
        except ValidationException as exc:
            problems.append(Problem(name, exc.line_number or None, exc.id or "", exc.name or "", "xsd",
                                    {"detail": str(exc).splitlines()[0]}))
        except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError) as exc:
            problems.append(Problem(name, None, "", "", "structure", {"detail": str(exc)}))
    return parser, problems


def executable_process_ids(trees: dict[str, etree._ElementTree]) -> dict[str, str]:
    """Top-level executable processes (not embedded subprocesses): id → file."""
    found = {}
    for name, tree in trees.items():
        for process in tree.getroot().findall(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable", "true") != "false":
                found[process.get("id")] = name
    return found


def decision_ids(trees: dict[str, etree._ElementTree]) -> set[str]:
    """Every DMN decision id in the files."""
    ids = set()
    for tree in trees.values():
        if is_dmn(tree):
            ids.update(el.get("id") for el in tree.getroot() if etree.QName(el).localname == "decision")
    return ids


def lint_tree(name: str, tree: etree._ElementTree, process_ids: set[str], decisions: set[str],
              forms: set[str]) -> list[Problem]:
    """Our own rules over one BPMN file."""
    if is_dmn(tree):
        return []
    root = tree.getroot()
    problems: list[Problem] = []
    lanes: dict[str, str] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name", "")
    flows = {flow.get("id"): flow for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}

    for task in [*root.iter(f"{{{BPMN_NS}}}userTask"), *root.iter(f"{{{BPMN_NS}}}manualTask")]:
        lane = lanes.get(task.get("id"))
        if lane is None:
            problems.append(_problem(name, task, "lane_missing"))
        elif not lane.strip():
            problems.append(_problem(name, task, "lane_unnamed"))
        elif lane not in LANE_ROLES:
            problems.append(_problem(name, task, "lane_unknown", lane=lane))
        form = task.find("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='form']", NS)
        if form is None or not form.get("value"):
            problems.append(_problem(name, task, "form_missing"))
        elif form.get("value") not in forms:
            problems.append(_problem(name, task, "form_unknown", form=form.get("value")))
        documents = task.find(PROPERTY_PATH.format(name="documents"), NS)
        for doc in ([d.strip() for d in documents.get("value", "").split(",")] if documents is not None else []):
            if doc and doc not in DOC_TYPES:
                problems.append(_problem(name, task, "document_unknown", doc=doc))

    for gateway in root.iter(f"{{{BPMN_NS}}}exclusiveGateway", f"{{{BPMN_NS}}}inclusiveGateway"):
        outgoing = [(el.text or "").strip() for el in gateway.findall("bpmn:outgoing", NS)]
        if len(outgoing) < 2:
            continue
        for flow_id in outgoing:
            flow = flows.get(flow_id)
            has_condition = flow is not None and flow.find("bpmn:conditionExpression", NS) is not None
            if not has_condition and gateway.get("default") != flow_id:
                problems.append(_problem(name, flow if flow is not None else gateway, "gateway_flow", flow=flow_id))

    for flow in flows.values():
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None:
            error = check_compiles(condition.text or "", expression=True)
            if error:
                problems.append(_problem(name, condition.getparent(), "condition", detail=error))

    for script in root.iter(f"{{{BPMN_NS}}}script", f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"):
        error = check_compiles(script.text or "", expression=False)
        if error:
            owner = script.getparent()
            while owner is not None and owner.get("id") is None:
                owner = owner.getparent()
            problems.append(_problem(name, owner if owner is not None else script, "script", detail=error))

    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iter(f"{{{BPMN_NS}}}{tag}"):
            error = check_compiles(timer.text or "", expression=True)
            owner = timer.getparent().getparent() if timer.getparent() is not None else timer
            if error or not (timer.text or "").strip():
                problems.append(_problem(name, owner, "timer", detail=error or "empty"))
            else:
                problems.extend(_check_literal_timer(name, owner, tag, timer.text or ""))

    for call in root.iter(f"{{{BPMN_NS}}}callActivity"):
        if call.get("calledElement") not in process_ids:
            problems.append(_problem(name, call, "called_process", target=call.get("calledElement")))
    for rule in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        ref = rule.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)
        if ref is None or (ref.text or "").strip() not in decisions:
            problems.append(_problem(name, rule, "decision", target=None if ref is None else ref.text))
    return problems


def _check_literal_timer(name: str, owner: Any, tag: str, text: str) -> list[Problem]:
    """A timer given as a string literal must parse now (expressions over data are checked when they run)."""
    import ast

    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return []
    if not isinstance(value, str):
        return [_problem(name, owner, "timer", detail="expected a string")]
    try:
        if tag == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
            if not value.upper().startswith("P"):
                raise ValueError("an ISO 8601 duration starts with P")
        elif tag == "timeDate":
            TimerEventDefinition.get_datetime(value)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's to see
        return [_problem(name, owner, "timer", detail=f"{value!r}: {exc}")]
    return []


def lint_bundle(files: dict[str, str], forms: set[str], process_id: str | None = None) -> list[Problem]:
    """Every problem in a bundle of files; an empty list means the bundle may be published."""
    trees, problems = parse_files(files)
    if problems:
        return problems
    parser, problems = build_parser(trees)
    if problems:
        return problems
    process_ids = set(executable_process_ids(trees))
    decisions = decision_ids(trees)
    for name, tree in trees.items():
        problems.extend(lint_tree(name, tree, process_ids, decisions, forms))
    targets = [process_id] if process_id else sorted(process_ids)
    for pid in targets:
        if pid not in process_ids:
            problems.append(Problem(next(iter(files), ""), None, pid or "", "", "no_process", {"process": pid}))
            continue
        try:
            parser.get_spec(pid)
            parser.get_subprocess_specs(pid)
        except ValidationException as exc:
            problems.append(Problem(exc.file_name or executable_process_ids(trees)[pid], exc.line_number or None,
                                    exc.id or "", exc.name or "", "structure", {"detail": str(exc).splitlines()[0]}))
        except (SpiffWorkflowException, KeyError, ValueError) as exc:
            problems.append(Problem(executable_process_ids(trees)[pid], None, pid, "", "structure",
                                    {"detail": str(exc).splitlines()[0]}))
    return problems
