"""The draw's outputs: 抽取记录 and 检查日程和人员安排表 as .docx (official layout) and the schedule as .xlsx."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from app.clock import to_local
from app.documents.services.layout import add_heading, add_table, add_text, add_title, official_document, to_bytes
from app.draws.models import Draw
from app.draws.services.pools import combined
from app.errors import N_

REASONS = {
    "inactive": N_("已停用"),
    "resting": N_("上次检查未发现违法行为，处于间隔期"),
    "certificate_expired": N_("执法证在检查期间开始前到期"),
    "certificate_expiring": N_("执法证在检查期间内到期"),
}


SCHEDULE_HEADERS = ["序号", "检查对象", "统一社会信用代码", "计划日期", "执法检查人员", "专家"]


def _names(draw: Draw) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    pools = combined(draw.pools)
    objects = {o["code"]: o["name"] for o in pools["objects"]}
    officers = {o["code"]: o["name"] for t in pools["tiers"] for o in t["officers"]}
    tiers = {o["code"]: t["name"] for t in pools["tiers"] for o in t["officers"]}
    experts = {e["code"]: e["name"] for e in pools["experts"]}
    return objects, officers, tiers, experts


def schedule_rows(draw: Draw) -> list[list[str]]:
    """序号 · 检查对象 · 统一社会信用代码 · 计划日期 · 执法检查人员 · 专家."""
    objects, officers, tiers, experts = _names(draw)
    rows = []
    for index, row in enumerate(draw.schedule or [], start=1):
        rows.append([str(index), objects[row["object"]], row["object"], row["date"],
                     "、".join(f"{officers[c]}（{tiers[c]}，{c}）" for c in row["officers"]),
                     "、".join(f"{experts[c]}（{c}）" for c in row["experts"])])
    return rows


def pool_rows(draw: Draw) -> list[tuple[str, int, str]]:
    """(pool label, size, full SHA-256) for the record page and the 抽取记录."""
    pools, hashes = draw.pools, draw.pool_hashes
    rows = [(N_("检查对象"), len(pools["objects"]), hashes["objects"])]
    rows += [(t["name"], len(t["officers"]), hashes[f"tier:{t['name']}"]) for t in pools["tiers"]]
    rows.append((N_("专家"), len(pools["experts"]), hashes["experts"]))
    for part in pools.get("joint") or []:  # 联合抽查: each joined bureau's own pools
        rows += [(f"{part['name']} · {t['name']}", len(t["officers"]),
                  hashes[f"joint:{part['bureau']}:tier:{t['name']}"]) for t in part["tiers"] or []]
        if part["experts"] is not None:
            rows.append((f"{part['name']} · 专家", len(part["experts"]), hashes[f"joint:{part['bureau']}:experts"]))
    if "blocked" in pools:
        rows.append((N_("回避关系（不得相遇的人员与对象）"), len(pools["blocked"]), hashes["blocked"]))
        rows.append((N_("工作日（冻结的日历）"), len(pools["calendar"]["workdays"]), hashes["calendar"]))
    else:
        rows.append((N_("回避关系"), len(pools["conflicts"]), hashes["conflicts"]))
    return rows


def record_docx(draw: Draw, agency: str) -> bytes:
    """抽取记录: parameters, pools and hashes, exclusions, randomness, every stage, people and times."""
    document = official_document()
    add_title(document, f"{draw.year}年度“双随机”抽查抽取记录")
    p = draw.params
    add_heading(document, "一、抽取参数")
    add_text(document, f"抽取单位：{agency}。抽取比例：{p['ratio']}；间隔期：{p['rest_years']} 年；每组专家："
                       f"{p['experts_per_team']} 名；计划检查期间：{p['period_start']} 至 {p['period_end']}。")
    add_heading(document, "二、抽取池及其哈希（SHA-256）")
    add_table(document, ["抽取池", "数量", "SHA-256"],
              [[label, str(size), digest] for label, size, digest in pool_rows(draw)], size=9)
    add_heading(document, "三、未列入抽取池的对象和人员")
    add_table(document, ["类别", "名称", "编号", "原因"],
              [[{"object": "检查对象", "officer": "执法人员", "expert": "专家"}[e["kind"]], e["name"], e["code"],
                REASONS.get(e["reason"], e["reason"])] for e in draw.exclusions] or [["—", "—", "—", "无"]], size=9)
    add_heading(document, "四、随机数")
    add_text(document, f"服务器承诺值（抽取前公布）：{draw.nonce_hash}；揭示值：{draw.nonce}；纪检员见证随机数："
                       f"{draw.witness_entropy}；种子：{draw.seed}；算法版本：{draw.algorithm_version}。", size=12)
    for attempt in draw.attempts or []:
        decision = attempt.get("decision")
        add_text(document, f"失败的抽取尝试第 {attempt['number']} 次（{attempt['at'].replace('T', ' ')}）：见证随机数 "
                           f"{attempt['entropy']}；揭示值 {attempt['nonce']}；种子 {attempt['seed']}；原因："
                           f"{attempt['failure']}" + (f"局领导同意重新抽取，理由：{decision['reason']}" if decision
                                                     else ""), size=12)
    objects, officers, tiers, experts = _names(draw)
    result = draw.result or {}
    add_heading(document, "五、抽取过程")
    chosen = "、".join(objects[c] for c in result.get("selected", []))
    add_text(document, f"第一步：从 {result.get('eligible')} 个符合条件的检查对象中按比例抽取 "
                       f"{result.get('selected_count')} 个，依次为：{chosen}。", size=12)
    for tier in result.get("tiers", []):
        quotas = "；".join(f"{officers[c]} {n} 个" for c, n in tier["quotas"].items())
        add_text(document, f"第二步（{tier['tier']}）：执法人员随机顺序为 "
                           + "、".join(officers[c] for c in tier["officer_order"]) + f"；分配数量：{quotas}。"
                           + (f"为回避调换 {len(tier['swaps'])} 次。" if tier.get("swaps") else "")
                           + (f"为回避重新分配 {tier['augmentations']} 次。" if tier.get("augmentations") else ""),
                 size=12)
    if result.get("experts"):
        add_text(document, "第三步：抽取专家 " + "、".join(experts[c] for c in result["experts"]["drawn"])
                           + "，并随机分配到各检查对象。", size=12)
    add_heading(document, "六、检查日程和人员安排")
    add_table(document, SCHEDULE_HEADERS, schedule_rows(draw), size=9)
    add_heading(document, "七、签字")
    prepared = to_local(draw.prepared_at)
    add_text(document, f"组织人：{draw.organiser.full_name}（准备于 {prepared:%Y-%m-%d %H:%M}）", size=14)
    witness = draw.witness.full_name if draw.witness else ""
    drawn = f"（抽取于 {to_local(draw.drawn_at):%Y-%m-%d %H:%M}）" if draw.drawn_at else ""
    add_text(document, f"见证人（纪检员）：{witness}{drawn}", size=14)
    add_text(document, f"记录哈希：{draw.record_hash}", size=10, indent=False)
    return to_bytes(document)


def schedule_docx(draw: Draw) -> bytes:
    """检查日程和人员安排表 (landscape): one row per team in at most two lines, ten teams to a page."""
    document = official_document(landscape=True)
    add_title(document, f"{draw.year}年度随机抽查检查日程和人员安排表")
    objects, officers, _tiers, experts = _names(draw)
    rows = [[str(index), objects[row["object"]], row["object"], row["date"],
             "、".join(f"{officers[c]} {c}" for c in row["officers"]), "、".join(experts[c] for c in row["experts"])]
            for index, row in enumerate(draw.schedule or [], start=1)]
    headers = ["序号", "检查对象", "统一社会信用代码", "计划日期", "执法检查人员及执法证号", "专家"]
    add_table(document, headers, rows, size=9, landscape=True)
    return to_bytes(document)


def schedule_xlsx(draw: Draw) -> bytes:
    """The schedule as a spreadsheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "检查日程和人员安排表"
    sheet.append(SCHEDULE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in schedule_rows(draw):
        sheet.append(row)
    for letter, width in zip("ABCDEF", (6, 36, 22, 12, 60, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

