"""DMN decision tables read as plain tables (inputs, outputs, rules) so people can read and edit them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.errors import N_
from app.workflow.services.lint import is_dmn
from app.workflow.services.xmlsafe import parse_xml

HIT_POLICIES = {"UNIQUE": N_("唯一命中（只能有一条规则符合）"), "FIRST": N_("首条命中（按顺序取第一条符合的规则）"),
                "PRIORITY": N_("按优先级"), "ANY": N_("任一命中（符合的规则结论须相同）"),
                "COLLECT": N_("汇总所有符合的规则"), "RULE ORDER": N_("按规则顺序汇总"),
                "OUTPUT ORDER": N_("按结论顺序汇总")}
TYPE_LABELS = {"string": N_("文字"), "number": N_("数字"), "integer": N_("整数"), "boolean": N_("是/否"),
               "date": N_("日期"), "": N_("未指定")}
_COMPARISON = re.compile(r"^(>=|<=|>|<|==|!=)\s*(.+)$")
_OPERATOR_WORDS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}


@dataclass
class Column:
    """An input (condition) or output (conclusion) column."""

    id: str
    label: str
    expression: str  # the data variable an input reads, or the name an output sets
    type_ref: str

    @property
    def type_label(self) -> str:
        """The column's type in Chinese (msgid)."""
        return TYPE_LABELS.get(self.type_ref, self.type_ref)


@dataclass
class Rule:
    """One row: a condition per input, a conclusion per output."""

    id: str
    description: str
    inputs: list[str]
    outputs: list[str]


@dataclass
class DecisionTable:
    """One decision of a DMN file as a table."""

    file: str
    decision_id: str
    name: str
    hit_policy: str
    inputs: list[Column]
    outputs: list[Column]
    rules: list[Rule] = field(default_factory=list)

    @property
    def hit_policy_label(self) -> str:
        """The hit policy in Chinese (msgid)."""
        return HIT_POLICIES.get(self.hit_policy, self.hit_policy)


def _ns(root: etree._Element) -> str:
    return etree.QName(root).namespace or ""


def _text(el: etree._Element | None, ns: str) -> str:
    if el is None:
        return ""
    inner = el.find(f"{{{ns}}}text")
    return ((inner.text if inner is not None else el.text) or "").strip()


def read_tables(file_name: str, xml: str) -> list[DecisionTable]:
    """Every decision table of a DMN file (none for a BPMN file)."""
    tree = parse_xml(xml)
    if not is_dmn(tree):
        return []
    root = tree.getroot()
    ns = _ns(root)
    tables = []
    for decision in root.findall(f"{{{ns}}}decision"):
        table = decision.find(f"{{{ns}}}decisionTable")
        if table is None:
            continue
        inputs = []
        for el in table.findall(f"{{{ns}}}input"):
            expression = el.find(f"{{{ns}}}inputExpression")
            inputs.append(Column(el.get("id", ""), el.get("label") or "", _text(expression, ns),
                                 expression.get("typeRef", "") if expression is not None else ""))
        outputs = [Column(el.get("id", ""), el.get("label") or el.get("name") or "", el.get("name") or "",
                          el.get("typeRef", "")) for el in table.findall(f"{{{ns}}}output")]
        rules = []
        for rule in table.findall(f"{{{ns}}}rule"):
            description = rule.find(f"{{{ns}}}description")
            rules.append(Rule(rule.get("id", ""), (description.text or "").strip() if description is not None else "",
                              [_text(e, ns) for e in rule.findall(f"{{{ns}}}inputEntry")],
                              [_text(e, ns) for e in rule.findall(f"{{{ns}}}outputEntry")]))
        tables.append(DecisionTable(file_name, decision.get("id", ""), decision.get("name") or decision.get("id", ""),
                                    table.get("hitPolicy", "UNIQUE"), inputs, outputs, rules))
    return tables


def value_labels(forms: dict[str, Any]) -> dict[str, dict[str, str]]:
    """For each form field with choices: value → Chinese label (used to show "fine" as 罚款 in a table)."""
    labels: dict[str, dict[str, str]] = {}
    for schema in forms.values():
        for name, prop in schema.get("properties", {}).items():
            if "enum" in prop and prop.get("enumNames"):
                labels.setdefault(name, {}).update(
                    {str(v): str(n) for v, n in zip(prop["enum"], prop["enumNames"], strict=False)})
    return labels


def describe_entry(entry: str, labels: dict[str, str] | None = None) -> str:
    """An input or output entry as a clerk reads it: 任意, 是/否, ≥ 10000, ≠ 个人, 罚款 (translate the result)."""
    text = entry.strip()
    if text in ("", "-"):
        return N_("任意")
    if text in ("True", "true"):
        return N_("是")
    if text in ("False", "false"):
        return N_("否")
    operator = ""
    if match := _COMPARISON.match(text):
        operator, text = _OPERATOR_WORDS[match[1]] + " ", match[2].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        value = text[1:-1]
        text = (labels or {}).get(value, value)
    elif re.fullmatch(r"-?\d+(\.\d+)?", text):
        text = f"{float(text):,.0f}" if float(text).is_integer() else f"{float(text):,}"
    return operator + text


EDITABLE_HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")
EDITABLE_TYPES = ("string", "number", "boolean", "date")


def write_table(xml: str, table: DecisionTable) -> str:
    """The DMN file with this decision's hit policy, column labels and types and rules replaced by `table`'s."""
    tree = parse_xml(xml)
    root = tree.getroot()
    ns = _ns(root)
    decision = next((d for d in root.findall(f"{{{ns}}}decision") if d.get("id") == table.decision_id), None)
    element = decision.find(f"{{{ns}}}decisionTable") if decision is not None else None
    if element is None:
        raise ValueError(f"no decision table {table.decision_id}")
    element.set("hitPolicy", table.hit_policy)
    for column, el in zip(table.inputs, element.findall(f"{{{ns}}}input"), strict=False):
        el.set("label", column.label)
        expression = el.find(f"{{{ns}}}inputExpression")
        if expression is not None and column.type_ref:
            expression.set("typeRef", column.type_ref)
    for column, el in zip(table.outputs, element.findall(f"{{{ns}}}output"), strict=False):
        el.set("label", column.label)
        if column.type_ref:
            el.set("typeRef", column.type_ref)
    for old in element.findall(f"{{{ns}}}rule"):
        element.remove(old)
    used = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for number, rule in enumerate(table.rules, start=1):
        rule_id = rule.id if rule.id and rule.id not in used else _fresh(used, f"Rule_{number}")
        used.add(rule_id)
        rule_el = etree.SubElement(element, f"{{{ns}}}rule", id=rule_id)
        if rule.description:
            etree.SubElement(rule_el, f"{{{ns}}}description").text = rule.description
        for kind, entries in (("inputEntry", rule.inputs), ("outputEntry", rule.outputs)):
            for index, entry in enumerate(entries):
                entry_el = etree.SubElement(rule_el, f"{{{ns}}}{kind}", id=_fresh(used, f"{rule_id}_{kind}_{index}"))
                used.add(entry_el.get("id"))
                etree.SubElement(entry_el, f"{{{ns}}}text").text = entry.strip()
    etree.indent(element, space="  ", level=2)
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _fresh(used: set[str], base: str) -> str:
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}_{n}"
    return candidate
