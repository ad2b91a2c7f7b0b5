"""Checking a decision table: each entry fits its column's type, and which situations no rule or several rules cover.

Entries follow what SpiffWorkflow evaluates: empty or "-" (any value), a literal (equal to), an operator and a
literal (`>= 10000`, `!= "person"`), a list of literals (`"a", "b"`: one of them), or anything else the sandbox
compiles (checked for syntax only and left out of the coverage analysis).

Coverage is checked by trying every combination of representative values per input column (each constant in the
column, just below and above it, and one "other" value): a combination no rule matches is reported as missing; with
hit policy UNIQUE a combination that several rules match is an overlap; with FIRST a rule that never comes first is
unreachable.
"""

from __future__ import annotations

import ast
import itertools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.modeler.services.dmn import DecisionTable, describe_entry, read_tables
from app.workflow.services import lint
from app.workflow.services.sandbox import check_compiles

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq, "!=": operator.ne}
OTHER = object()  # a value equal to no constant of the column
MAX_COMBINATIONS = 20000


@dataclass(frozen=True)
class Finding:
    """One thing to report: code, rule number (1-based, 0 for the table), column label, details."""

    code: str  # dmn_entry | dmn_output | dmn_overlap | dmn_missing | dmn_unreachable
    rule: int
    column: str
    detail: str
    error: bool


@dataclass(frozen=True)
class Test:
    """A parsed input entry: any, or a predicate over the input value (None: could not be analysed)."""

    kind: str  # any | compare | among | opaque
    op: str = "=="
    values: tuple[Any, ...] = ()

    def matches(self, value: Any) -> bool | None:
        """Whether the value passes; None when the entry is opaque."""
        if self.kind == "any":
            return True
        if self.kind == "opaque":
            return None
        if value is OTHER:
            return self.op == "!=" if self.kind == "compare" else False
        if self.kind == "among":
            return value in self.values
        try:
            return bool(OPERATORS[self.op](value, self.values[0]))
        except TypeError:
            return False


def _literal(text: str) -> Any:
    value = ast.literal_eval(text)
    if not isinstance(value, str | int | float | bool):
        raise ValueError("not a simple value")
    return value


def _type_ok(value: Any, type_ref: str) -> bool:
    if type_ref in ("number", "integer", "long", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_ref == "boolean":
        return isinstance(value, bool)
    if type_ref == "string":
        return isinstance(value, str)
    return True


TYPE_HINTS = {
    "number": "应为数字或比较，如 10000、>= 10000、< 500",
    "integer": "应为整数或比较，如 3、>= 3",
    "boolean": "应为 True（是）或 False（否）",
    "string": "应为带引号的文字或比较，如 \"fine\"、!= \"person\"、\"a\", \"b\"",
}


OUTPUT_HINTS = {"number": "应为数字，如 10000", "integer": "应为整数，如 3", "boolean": "应为 True（是）或 False（否）",
                "string": "应为带英文引号的文字，如 \"fine\""}


def parse_entry(text: str, type_ref: str) -> tuple[Test | None, str]:
    """(test, "") for a usable entry, (None, what is wrong in Chinese) otherwise."""
    text = (text or "").strip()
    if text in ("", "-"):
        return Test("any"), ""
    hint = TYPE_HINTS.get(type_ref, "")
    for op in (">=", "<=", "==", "!=", ">", "<"):
        if text.startswith(op):
            try:
                value = _literal(text[len(op):].strip())
            except (ValueError, SyntaxError):
                break
            if not _type_ok(value, type_ref) or (op not in ("==", "!=") and isinstance(value, str | bool)):
                return None, hint or "比较的值与列的类型不符"
            return Test("compare", op, (value,)), ""
    if type_ref == "string" and text.isidentifier() and text not in ("True", "False", "None"):
        return None, "文字要加英文引号，如 \"fine\""
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        parsed = None
    else:
        values = parsed if isinstance(parsed, tuple) else (parsed,)
        if values and all(isinstance(v, str | int | float | bool) for v in values):
            if not all(_type_ok(v, type_ref) for v in values):
                return None, hint or "值与列的类型不符"
            return (Test("compare", "==", values) if len(values) == 1 else Test("among", values=values)), ""
    if "?" in text:  # a two-sided test such as 10000 <= ? < 100000
        error = check_compiles(text.replace("?", "dmninputexpr"), expression=True)
    elif hint:  # a typed column takes values and comparisons only (a bare word is a forgotten pair of quotes)
        return None, hint
    else:
        error = check_compiles(f"dmninputexpr == ({text})", expression=True)
        if error:
            error = check_compiles(f"dmninputexpr {text}", expression=True)
    if error:
        return None, (hint + "；" if hint else "") + "无法识别的写法"
    return Test("opaque"), ""


def check_output(text: str, type_ref: str) -> str:
    """What is wrong with an output entry ("" when fine)."""
    text = (text or "").strip()
    if not text:
        return "结论不能为空"
    try:
        value = _literal(text)
    except (ValueError, SyntaxError):
        if type_ref in OUTPUT_HINTS:
            return OUTPUT_HINTS[type_ref]
        return "无法识别的写法" if check_compiles(text, expression=True) else ""
    return "" if _type_ok(value, type_ref) else OUTPUT_HINTS.get(type_ref, "值与列的类型不符")


def _samples(tests: list[Test], type_ref: str) -> list[Any]:
    if type_ref == "boolean":
        return [True, False]
    constants = {v for t in tests if t.kind in ("compare", "among") for v in t.values}
    samples: list[Any] = [OTHER]
    for value in sorted(constants, key=lambda v: (str(type(v)), v)):
        samples.append(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            samples += [value - 1, value + 1, value - 0.5, value + 0.5]
    if any(isinstance(v, int | float) and not isinstance(v, bool) for v in constants):
        samples = [s for s in samples if s is not OTHER]  # a number column has no "other" value
    return list(dict.fromkeys(samples))


def _show(value: Any) -> str:
    if value is OTHER:
        return "其他值"
    return describe_entry(repr(value) if isinstance(value, str) else str(value))


def check_table(table: DecisionTable) -> list[Finding]:
    """Every type error, and the coverage findings when all entries could be read."""
    findings: list[Finding] = []
    columns: list[list[Test]] = [[] for _ in table.inputs]
    for number, rule in enumerate(table.rules, start=1):
        for index, column in enumerate(table.inputs):
            entry = rule.inputs[index] if index < len(rule.inputs) else ""
            test, problem = parse_entry(entry, column.type_ref)
            if test is None:
                findings.append(Finding("dmn_entry", number, column.label or column.expression,
                                        f"“{entry}”：{problem}", True))
            else:
                columns[index].append(test)
        for index, column in enumerate(table.outputs):
            entry = rule.outputs[index] if index < len(rule.outputs) else ""
            if problem := check_output(entry, column.type_ref):
                findings.append(Finding("dmn_output", number, column.label, f"“{entry}”：{problem}", True))
    if findings or not table.rules or any(t.kind == "opaque" for col in columns for t in col):
        return findings
    return _coverage(table, columns)


def _coverage(table: DecisionTable, columns: list[list[Test]]) -> list[Finding]:
    samples = [_samples(col, c.type_ref) for col, c in zip(columns, table.inputs, strict=True)]
    if not samples or any(not s for s in samples):
        return []
    total = 1
    for s in samples:
        total *= len(s)
    if total > MAX_COMBINATIONS:
        return []
    findings: list[Finding] = []
    first_hits: set[int] = set()
    missing_reported = overlap_reported = False
    for combo in itertools.product(*samples):
        hits = [n for n in range(len(table.rules)) if all(columns[i][n].matches(v) for i, v in enumerate(combo))]
        if hits:
            first_hits.add(hits[0])
        situation = "、".join(f"{(c.label or c.expression)} = {_show(v)}" for c, v in zip(table.inputs, combo,
                                                                                          strict=True))
        if not hits and not missing_reported:
            findings.append(Finding("dmn_missing", 0, "", situation, False))
            missing_reported = True
        if len(hits) > 1 and table.hit_policy == "UNIQUE" and not overlap_reported:
            rules = "、".join(f"第 {n + 1} 条" for n in hits)
            findings.append(Finding("dmn_overlap", hits[1] + 1, "", f"{rules}：{situation}", True))
            overlap_reported = True
    if table.hit_policy in ("FIRST", "UNIQUE", "PRIORITY"):
        for n in range(len(table.rules)):
            if n not in first_hits:
                findings.append(Finding("dmn_unreachable", n + 1, "", "", False))
    return findings


def table_problems(file_name: str, table: DecisionTable) -> tuple[list[lint.Problem], list[lint.Problem]]:
    """(errors, warnings) of one decision table as lint problems naming the decision."""
    errors, warnings = [], []
    for finding in check_table(table):
        problem = lint.Problem(file_name, None, table.decision_id, table.name, finding.code,
                               {"rule": finding.rule, "column": finding.column, "detail": finding.detail})
        (errors if finding.error else warnings).append(problem)
    return errors, warnings


def file_problems(file_name: str, xml: str) -> tuple[list[lint.Problem], list[lint.Problem]]:
    """(errors, warnings) of every decision table of a DMN file."""
    errors: list[lint.Problem] = []
    warnings: list[lint.Problem] = []
    for table in read_tables(file_name, xml):
        more_errors, more_warnings = table_problems(file_name, table)
        errors += more_errors
        warnings += more_warnings
    return errors, warnings
