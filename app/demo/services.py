"""Demo data: a fictitious city archives bureau and two county bureaus below it, each with one account per role.
Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.audit.services import record_event
from app.auth import services as auth_services
from app.auth.roles import Role
from app.bureaus.context import SYSTEM, for_bureau, use
from app.bureaus.models import Bureau
from app.bureaus.services import tree
from app.demo.directories import seed_directories, seed_last_years_draw
from app.demo.history import DEMO_DECISION_SUBJECT, seed_closed_inspection, seed_closed_penalty_case
from app.disclosure.services.demo import seed_disclosure
from app.documents.services.bureau import seed_bureau
from app.extensions import db
from app.workflow.models import Case
from app.workflow.services import cases, definitions

ROOT = Path(__file__).resolve().parents[2]
DEMO_CASE_SUBJECT = "示例：某区档案馆未按规定保管档案立案审批（演示数据）"
DEMO_PENALTY_CASE_SUBJECT = "示例：某档案服务公司涉嫌擅自销毁档案案（演示数据）"

DEMO_BUREAU = "示例市档案局（演示数据）"
CITY_BUREAU_ID = 1  # the first bureau, created by the migration from AGENCY_NAME / AGENCY_SHORT_NAME


@dataclass(frozen=True)
class DemoCounty:
    """A county bureau of the demo: its names, the prefix of its accounts and its demo unit numbers."""

    key: str
    name: str
    short_name: str
    place: str
    code_base: int
    case_subject: str


DEMO_COUNTIES: tuple[DemoCounty, ...] = (
    DemoCounty("jia", "示例市甲县档案局", "甲档", "甲县", 1000, "示例：甲县某单位档案室漏水致档案受损案（演示数据）"),
    DemoCounty("yi", "示例市乙区档案局", "乙档", "乙区", 2000, "示例：乙区某公司涉嫌违规寄存档案案（演示数据）"),
)
# Fictitious: what the demo bureau prints on its documents (the names come from AGENCY_NAME / AGENCY_SHORT_NAME).
DEMO_BUREAU_SETTINGS = {
    "address": "示例市人民路 1 号", "postcode": "999001", "phone": "0999-12345678",
    "reconsideration_body": "示例市人民政府", "court": "示例市示例区人民法院",
    "bank_name": "中国工商银行示例市分行营业部", "account_name": "示例市财政局非税收入汇缴结算户",
    "account_no": "9999 0000 1111 2222 333", "signatory": "孙局长（演示）",
}


@dataclass(frozen=True)
class DemoAccount:
    """A demo login; the password is public (README) because the data is fictitious."""

    username: str
    full_name: str
    role: Role
    legal_qualified: bool = False

    @property
    def password(self) -> str:
        """Documented in the README and printed by `make run`; never shown in the UI."""
        return f"demo-{self.role.value}-2026"


COUNTY_FULL_NAMES = {Role.SUPERVISION: "监督", Role.LEGAL: "法制", Role.INSPECTOR: "检查", Role.EXPERT: "专家",
                     Role.DISCIPLINE: "纪检", Role.LEADER: "局长", Role.AUDITOR: "审计", Role.ADMIN: "管理"}


def county_accounts(county: DemoCounty) -> tuple[DemoAccount, ...]:
    """One login per role in a demo county, e.g. demo.jia.legal (same passwords as the city's)."""
    return tuple(DemoAccount(f"demo.{county.key}.{role.value}", f"{county.place}{COUNTY_FULL_NAMES[role]}（演示）",
                             role, legal_qualified=role == Role.LEGAL) for role in Role)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo.supervision", "张监督（演示）", Role.SUPERVISION),
    DemoAccount("demo.legal", "李法制（演示）", Role.LEGAL, legal_qualified=True),
    DemoAccount("demo.inspector", "王检查（演示）", Role.INSPECTOR),
    DemoAccount("demo.expert", "赵专家（演示）", Role.EXPERT),
    DemoAccount("demo.discipline", "钱纪检（演示）", Role.DISCIPLINE),
    DemoAccount("demo.leader", "孙局长（演示）", Role.LEADER),
    DemoAccount("demo.auditor", "周审计（演示）", Role.AUDITOR),
    DemoAccount("demo.admin", "吴管理（演示）", Role.ADMIN),
)


def _seed_accounts(accounts: tuple[DemoAccount, ...], bureau_id: int, created: list[str]) -> None:
    for account in accounts:
        if auth_services.find_user(account.username) is not None:
            continue
        auth_services.create_user(None, username=account.username, full_name=account.full_name,
                                  password=account.password, roles=[account.role.value],
                                  legal_qualified=account.legal_qualified, bureau_id=bureau_id)
        created.append(account.username)


def seed_demo(attachments_dir: Path | None = None) -> list[str]:
    """Create whatever demo records are missing: the city bureau's accounts, processes, directories, open cases
    and two closed cases (their attachments in `attachments_dir`, none without it), then two county bureaus with
    their own accounts, directories and one case each."""
    created: list[str] = []
    with use(for_bureau(CITY_BUREAU_ID)):
        _seed_city(created, attachments_dir)
    for county in DEMO_COUNTIES:
        with use(SYSTEM):
            bureau = db.session.scalar(select(Bureau).where(Bureau.name == county.name))
            if bureau is None:
                bureau = tree.create_bureau(None, name=county.name, short_name=county.short_name, level="county",
                                            parent_id=CITY_BUREAU_ID)
                created.append(county.name)
        with use(for_bureau(bureau.id)):
            _seed_county(county, bureau.id, created)
            if seed_disclosure(auth_services.find_user(f"demo.{county.key}.legal")):
                created.append(f"{county.key} disclosure")
    if created:
        with use(for_bureau(CITY_BUREAU_ID)):
            record_event("demo.seeded", actor=None, object_type="demo", details={"bureau": DEMO_BUREAU,
                                                                              "created": created})
    return created


def _seed_county(county: DemoCounty, bureau_id: int, created: list[str]) -> None:
    accounts = county_accounts(county)
    _seed_accounts(accounts, bureau_id, created)
    users = {a.role: auth_services.find_user(a.username) for a in accounts}
    if seed_directories(users[Role.SUPERVISION], users[Role.LEGAL], users[Role.INSPECTOR], users[Role.EXPERT],
                        place=county.place, bureau_name=county.name, short_name=county.short_name,
                        code_base=county.code_base, objects=20, officers=6, experts=3):
        created.append(f"{county.key} directories")
    if db.session.scalar(select(Case.id).where(Case.subject == county.case_subject)) is None:
        cases.start_case(users[Role.LEGAL], "case_filing", county.case_subject)
        created.append(f"{county.key} case")


def _seed_city(created: list[str], attachments_dir: Path | None) -> None:
    _seed_accounts(DEMO_ACCOUNTS, CITY_BUREAU_ID, created)
    definitions.load_folder(None, ROOT / "processes", ROOT / "forms")
    seed_bureau(DEMO_BUREAU_SETTINGS)
    seed_bureau(DEMO_BUREAU_SETTINGS)
    if seed_directories(auth_services.find_user("demo.supervision"), auth_services.find_user("demo.legal"),
                        auth_services.find_user("demo.inspector"), auth_services.find_user("demo.expert")):
        created.append("directories")
    # Last cycle's inspections were done (their results are recorded): no cases are started for them.
    if seed_last_years_draw(auth_services.find_user("demo.supervision"), auth_services.find_user("demo.discipline"),
                            process_id=""):
        created.append("last year's draw")
    if db.session.scalar(select(Case.id).where(Case.subject == DEMO_CASE_SUBJECT)) is None:
        legal = auth_services.find_user("demo.legal")
        cases.start_case(legal, "case_filing", DEMO_CASE_SUBJECT)
        created.append("case")
    if db.session.scalar(select(Case.id).where(Case.subject == DEMO_PENALTY_CASE_SUBJECT)) is None:
        cases.start_case(auth_services.find_user("demo.legal"), "case_handling", DEMO_PENALTY_CASE_SUBJECT,
                         {"source": "complaint"})
        created.append("penalty case")
    users = {a.role.value: auth_services.find_user(a.username) for a in DEMO_ACCOUNTS}
    if seed_closed_inspection(users, attachments_dir):
        created.append("closed inspection")
    if seed_closed_penalty_case(users, attachments_dir):
        created.append("closed penalty case")
    if seed_closed_penalty_case(users, attachments_dir, DEMO_DECISION_SUBJECT, stop_at="decide", days_ago=30):
        created.append("penalty case awaiting the decision")
    if seed_disclosure(users["legal"], plan=True):  # what the demo's procedures drafted, published on time
        created.append("disclosure")
