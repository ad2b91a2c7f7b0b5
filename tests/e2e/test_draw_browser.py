"""In a real browser: the supervision section prepares a draw, the discipline inspector witnesses it, the result
is verified, confirmed, and its record downloaded and read back."""

import io
import json

import pytest
from docx import Document

from tests.draws.standalone import run_verifier
from tests.e2e.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser



def test_prepare_witness_verify_confirm_download(browser, live_server):
    supervision = sign_in_as(browser, live_server, "demo.supervision")
    supervision.goto(f"{live_server}/draws/")
    assert "已确认" in supervision.inner_text("[data-testid=draws]")  # the demo's last-year draw
    supervision.click("text=准备新的抽取")
    supervision.click("main button[type=submit]")
    supervision.wait_for_selector("[data-testid=nonce-hash]")
    draw_url = supervision.url
    commitment = supervision.inner_text("[data-testid=nonce-hash]")
    assert len(commitment) == 64
    exclusions = supervision.inner_text("[data-testid=exclusions]")
    assert "处于间隔期" in exclusions and "执法证在检查期间开始前到期" in exclusions
    screenshot(supervision, "draw-prepared")

    witness = sign_in_as(browser, live_server, "demo.discipline")
    witness.goto(draw_url)
    witness.fill("#entropy", "6243115")
    witness.click("text=输入并抽取")
    witness.wait_for_selector("[data-testid=schedule]")

    supervision.goto(draw_url)
    supervision.click("text=重新运算核验")
    assert "核验通过" in supervision.inner_text("[data-testid=verify-report]")
    supervision.click("text=确认结果并启动检查")
    supervision.wait_for_selector(".alert-success")
    assert "已确认" in supervision.inner_text("[data-testid=draw-status]")
    screenshot(supervision, "draw-confirmed")
    with supervision.expect_download() as info:
        supervision.click("text=抽取记录 .docx")
    document = Document(io.BytesIO(open(info.value.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "抽取记录" in text and "6243115" in text and commitment in text

    # a second draw for the same year is refused, naming the original and the redraw path
    supervision.goto(f"{live_server}/draws/new")
    supervision.click("main button[type=submit]")
    supervision.wait_for_selector(".invalid-feedback")
    assert "同一年度同一类别只能有一次抽取" in supervision.inner_text("main")
    screenshot(supervision, "draw-second-refused")

    # anyone can fetch the confirmed draw's package and check it with the stand-alone verifier
    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{live_server}/")
    visitor.click("text=随机抽查抽取结果公示")
    visitor.wait_for_selector("[data-testid=public-draws]")
    screenshot(visitor, "draw-public")
    with visitor.expect_download() as info:
        visitor.click("[data-testid=public-draws] >> text=下载（JSON）")
    package = json.loads(open(info.value.path(), encoding="utf-8").read())
    done = run_verifier([package])
    assert done.returncode == 0, done.stderr
