"""Fill a fresh installation with what a backup must carry (run as a script by test_backup.py).

Demo users and directories, the process definitions, a case with an issued document and an uploaded file,
a performed draw — all committed, each leaving its audit events.
"""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from app import create_app
from app.auth.roles import Role
from app.bureaus.context import for_bureau, use
from app.calendar import yearly
from app.demo.services import DEMO_ACCOUNTS, seed_demo
from app.directories.models import Tier
from app.documents.services.documents import generate
from app.draws.services import draws
from app.extensions import db
from app.workflow.services import attachments, cases, definitions

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    """Create the data and print the draw id."""
    app = create_app()
    with app.app_context(), use(for_bureau(1)):  # the first (city) bureau's work
        seed_demo()
        definitions.load_folder(None, ROOT / "processes", ROOT / "forms", publish=True)
        from app.auth.models import User

        def user(role: Role) -> User:
            account = next(a for a in DEMO_ACCOUNTS if a.role == role)
            return db.session.scalar(select(User).where(User.username == account.username))

        case = cases.start_case(user(Role.LEGAL), "random_inspection", "备份测试检查",
                                {"planned_date": "2026-12-01", "object_name": "备份测试单位"})
        generate(user(Role.LEGAL), "case_transfer", {
            "object_name": "备份测试单位", "transfer_facts": "擅自销毁档案", "transfer_basis": "《档案法》第四十八条",
            "officers": [{"code": "示档执2026001", "name": "执法人员01（演示）"},
                         {"code": "示档执2026002", "name": "执法人员02（演示）"}]}, case_id=case.id)
        attachments.store(Path(app.config["FILES_DIR"]) / "attachments", actor=user(Role.LEGAL), case_id=case.id,
                          task_id=None, field="evidence", filename="现场照片.jpg", content_type="image/jpeg",
                          stream=io.BytesIO(b"\xff\xd8 photo bytes " * 1000))
        # The draw's period is in 2027: the administrator imports that year's holidays first, as in production.
        yearly.import_schedule(user(Role.ADMIN), 2027,
                               "休,2027-01-01,2027-01-03,元旦\n休,2027-10-01,2027-10-07,国庆节\n", "国办发明电（示例）")
        draw = draws.prepare(user(Role.SUPERVISION), {
            "year": 2027, "ratio": "0.2", "tier_ids": list(db.session.scalars(select(Tier.id))),
            "period_start": "2027-03-01", "period_end": "2027-10-31"})
        draws.perform(user(Role.DISCIPLINE), draw, "20261122")
        db.session.commit()
        print(draw.id)


if __name__ == "__main__":
    main()
