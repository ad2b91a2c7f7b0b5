"""One spec per directory or list: its columns (with the Chinese headers of the import template), natural key,
editors and filters. Pages, imports, exports and the API are all driven by these specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.roles import Role
from app.directories.models import (
    Conflict,
    EnforcementItem,
    Expert,
    InspectionItem,
    InspectionObject,
    InspectionResult,
    Officer,
    Tier,
)
from app.errors import N_


@dataclass(frozen=True)
class Column:
    """One field: attribute, template header (Chinese), kind and rules."""

    key: str
    header: str
    header_en: str
    kind: str = "text"  # text | date | choice | tier | credit_code | object | int | person_kind
    required: bool = False
    max_length: int = 200
    choices: tuple[tuple[str, str], ...] = ()
    in_list: bool = True


@dataclass(frozen=True)
class ListSpec:
    """A directory or list."""

    kind: str
    model: type
    title: str
    title_en: str
    natural_key: tuple[str, ...]
    editors: frozenset[Role]
    columns: tuple[Column, ...]
    search: tuple[str, ...]
    filters: tuple[str, ...] = ()
    default_sort: str = "id"
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, key: str) -> Column:
        """The column with this key."""
        return next(c for c in self.columns if c.key == key)

    def label(self, choice_column: str, value: str) -> str:
        """The Chinese label of a choice value."""
        return dict(self.column(choice_column).choices).get(value, value)


UNIT_TYPES = (("agency", N_("机关")), ("organisation", N_("团体")), ("institution", N_("事业单位")),
              ("enterprise", N_("国有企业")))
EXPERT_SOURCES = (("city_unit", N_("市直单位")), ("lower_bureau", N_("下级档案行政管理部门")))
OUTCOMES = (("compliant", N_("未发现违法行为")), ("problems", N_("发现问题需整改")), ("violation", N_("涉嫌违法")))
PERSON_KINDS = (("officer", N_("执法检查人员")), ("expert", N_("专家")))

LEGAL = frozenset({Role.LEGAL})
SUPERVISION = frozenset({Role.SUPERVISION})

SPECS: dict[str, ListSpec] = {}


def _register(spec: ListSpec) -> ListSpec:
    SPECS[spec.kind] = spec
    return spec


OBJECTS = _register(ListSpec(
    "objects", InspectionObject, N_("检查对象名录库"), "Inspection objects", ("credit_code",), SUPERVISION,
    (
        Column("name", N_("单位名称"), "Name", required=True),
        Column("credit_code", N_("统一社会信用代码"), "Unified social credit code", "credit_code", required=True,
               max_length=18),
        Column("unit_type", N_("单位类型"), "Type", "choice", required=True, choices=UNIT_TYPES),
        Column("district", N_("所属区域"), "District", max_length=50),
        Column("address", N_("地址"), "Address", in_list=False),
        Column("contact_person", N_("联系人"), "Contact person", max_length=50, in_list=False),
        Column("contact_phone", N_("联系电话"), "Contact phone", max_length=30, in_list=False),
        Column("archives_staff", N_("档案工作人员"), "Archives staff", max_length=100, in_list=False),
    ),
    search=("name", "credit_code"), filters=("unit_type", "district"), default_sort="name",
))

RESULTS = _register(ListSpec(
    "results", InspectionResult, N_("检查记录"), "Inspection results", ("object_id", "inspected_on"), SUPERVISION,
    (
        Column("object_id", N_("单位统一社会信用代码"), "Unit credit code", "object", required=True),
        Column("inspected_on", N_("检查日期"), "Inspected on", "date", required=True),
        Column("outcome", N_("检查结论"), "Outcome", "choice", required=True, choices=OUTCOMES),
        Column("note", N_("备注"), "Note", max_length=500),
    ),
    search=("note",), filters=("outcome",), default_sort="inspected_on",
))

TIERS = _register(ListSpec(
    "tiers", Tier, N_("职务层次"), "Tiers", ("name",), LEGAL,
    (
        Column("name", N_("层次名称"), "Name", required=True, max_length=50),
        Column("position", N_("顺序"), "Order", "int", required=True),
    ),
    search=("name",), default_sort="position",
))

OFFICERS = _register(ListSpec(
    "officers", Officer, N_("执法检查人员名录库"), "Officers", ("certificate_no",), LEGAL,
    (
        Column("name", N_("姓名"), "Name", required=True, max_length=50),
        Column("unit", N_("工作单位"), "Unit"),
        Column("unit_credit_code", N_("单位统一社会信用代码"), "Unit credit code", "credit_code", max_length=18,
               in_list=False),
        Column("tier_id", N_("职务层次"), "Tier", "tier", required=True),
        Column("certificate_no", N_("执法证号"), "Certificate no.", required=True, max_length=50),
        Column("certificate_valid_until", N_("证件有效期至"), "Certificate valid until", "date", required=True),
        Column("category", N_("执法类别"), "Category", max_length=50),
        Column("region", N_("执法区域"), "Region", max_length=50),
    ),
    search=("name", "certificate_no", "unit"), filters=("tier_id",), default_sort="name",
))

EXPERTS = _register(ListSpec(
    "experts", Expert, N_("专家库"), "Experts", ("code",), LEGAL,
    (
        Column("code", N_("专家编号"), "Expert code", required=True, max_length=30),
        Column("name", N_("姓名"), "Name", required=True, max_length=50),
        Column("unit", N_("工作单位"), "Unit"),
        Column("unit_credit_code", N_("单位统一社会信用代码"), "Unit credit code", "credit_code", max_length=18,
               in_list=False),
        Column("field", N_("专业领域"), "Field", max_length=100),
        Column("source", N_("来源"), "Source", "choice", required=True, choices=EXPERT_SOURCES),
    ),
    search=("name", "code", "unit", "field"), filters=("source",), default_sort="name",
))

CONFLICTS = _register(ListSpec(
    "conflicts", Conflict, N_("回避关系"), "Conflicts of interest", ("person_kind", "person_code", "object_id"), LEGAL,
    (
        Column("person_kind", N_("人员类型"), "Person kind", "choice", required=True, choices=PERSON_KINDS),
        Column("person_code", N_("执法证号或专家编号"), "Certificate no. or expert code", required=True, max_length=50),
        Column("object_id", N_("回避单位统一社会信用代码"), "Unit credit code", "object", required=True),
        Column("reason", N_("回避原因"), "Reason"),
    ),
    search=("person_code", "reason"), filters=("person_kind",), default_sort="id",
))

INSPECTION_ITEMS = _register(ListSpec(
    "inspection-items", InspectionItem, N_("随机抽查事项清单"), "Random-check item list", ("code",), LEGAL,
    (
        Column("code", N_("序号"), "No.", required=True, max_length=30),
        Column("item", N_("抽查事项"), "Item", required=True),
        Column("sub_item", N_("抽查子项"), "Sub-item"),
        Column("inspecting_body", N_("抽查主体"), "Inspecting body", max_length=100),
        Column("legal_basis", N_("抽查依据"), "Legal basis", max_length=5000, in_list=False),
        Column("method", N_("抽查方式"), "Method", max_length=100),
        Column("content", N_("抽查内容"), "Content", max_length=5000, in_list=False),
        Column("ratio", N_("抽查比例"), "Ratio", max_length=50),
        Column("frequency", N_("抽查频次"), "Frequency", max_length=50),
        Column("remarks", N_("备注"), "Remarks", max_length=500, in_list=False),
    ),
    search=("code", "item", "sub_item"), default_sort="code",
))

ENFORCEMENT_ITEMS = _register(ListSpec(
    "enforcement-items", EnforcementItem, N_("行政执法事项清单"), "Enforcement item list", ("code",), LEGAL,
    (
        Column("code", N_("编号"), "No.", required=True, max_length=30),
        Column("category", N_("执法类别"), "Category", required=True, max_length=50),
        Column("name", N_("事项名称"), "Name", required=True),
        Column("legal_basis", N_("执法依据"), "Legal basis", max_length=5000, in_list=False),
        Column("discretion_standard", N_("裁量基准"), "Discretion standard", max_length=5000, in_list=False),
        Column("responsible_office", N_("承办机构"), "Responsible office", max_length=100),
        Column("time_limit", N_("办理时限"), "Time limit", max_length=50),
    ),
    search=("code", "name", "category"), filters=("category",), default_sort="code",
))


def get_spec(kind: str) -> ListSpec:
    """The spec of a list kind (KeyError when unknown)."""
    return SPECS[kind]
