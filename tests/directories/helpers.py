"""Building spreadsheets and valid credit codes for directory tests."""

from __future__ import annotations

import io

from openpyxl import Workbook

from app.directories.services.credit_code import check_character


def code(n: int, area: str = "341500") -> str:
    """A valid (fictitious) unified social credit code numbered n."""
    body = f"12{area}{n:09d}"
    return body + check_character(body)


def xlsx(rows: list[list[object]]) -> bytes:
    """An .xlsx file with these rows (first row = headers)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    """A CSV file in the given encoding."""
    return "\n".join(",".join(row) for row in rows).encode(encoding)


OBJECT_HEADERS = ["单位名称", "统一社会信用代码", "单位类型", "所属区域", "地址", "联系人", "联系电话", "档案工作人员"]


def object_rows(count: int, start: int = 1) -> list[list[str]]:
    """Header plus `count` valid object rows."""
    types = ["机关", "团体", "事业单位", "国有企业"]
    return [OBJECT_HEADERS] + [[f"测试单位{n}", code(n), types[n % 4], ["金安区", "裕安区"][n % 2], f"路{n}号", "张三",
                                "0564-1234567", "李四"] for n in range(start, start + count)]
