"""Sample data shared by the bureau tests."""

from __future__ import annotations

from typing import Any


def transfer_data(name: str) -> dict[str, Any]:
    """Everything a 案件移送书 requires."""
    return {"object_name": name, "transfer_facts": "样本事实", "transfer_basis": "样本条款",
            "officers": [{"code": "样本执2026001", "name": "执法人员01（演示）"},
                         {"code": "样本执2026002", "name": "执法人员02（演示）"}]}
