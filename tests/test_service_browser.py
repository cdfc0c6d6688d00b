"""The self-check page in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright; never a
downloaded browser): open the page, upload the example (chosen and dropped), see the verdict and a located
finding, download the annotated copy; the same without JavaScript; a phone-size screen; /docs offline.
Screenshots go to test-output/service/ at the repository root."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright
from service_support import start_server
from validate_support import EXAMPLES, ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
EXAMPLE = EXAMPLES / "example-declaration.xlsx"
SHOTS = ROOT / "test-output" / "service"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("service-browser"), "--no-registry", "--workers", "2")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian chromium is required (tools/install-system-deps installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, server, outside: list, **context):
    """A page whose every request to anywhere but the server is recorded and refused."""
    ctx = browser.new_context(accept_downloads=True, **context)

    def route(r):
        if r.request.url.startswith(server.url) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    return ctx, ctx.new_page()


def _luminance(rgb: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (float(x) for x in re.findall(r"[\d.]+", rgb)[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_upload_see_verdict_and_located_finding_download_annotated(browser, server, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    ctx, page = _page(browser, server, outside, viewport={"width": 1100, "height": 900})
    page.goto(server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    label = page.locator("label[for=files]").inner_text()
    assert label.index("选择") < label.index("Choose")  # zh first
    page.set_input_files("#files", str(EXAMPLE))
    page.click("#submit")
    verdict = page.locator(".report .verdict")
    verdict.wait_for(timeout=60_000)
    assert "通过" in verdict.inner_text() and "PASS" in verdict.inner_text()
    finding = page.locator('tr.finding[data-cell="核算!E9"]')
    assert finding.is_visible() and "recompute.no_cached_value" in finding.inner_text()
    assert page.locator(".report svg.chart rect.elec").count() == 7  # one bar a month, October to April
    # keyboard: the focus moved to the report; the trace opens with Enter
    assert page.evaluate("document.activeElement.tagName") == "H2"
    summary = page.locator("details.trace summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.trace").get_attribute("open") is not None
    # contrast of the verdict and of the muted English text (WCAG AA: 4.5:1)
    for selector in (".report .verdict", ".report .verdict .en", ".report .counts .en", "tr.finding .msg .en",
                     "#submit", "#submit .en", "header.top .en"):
        fg, bg = page.eval_on_selector(selector, """e => { let s = getComputedStyle(e), b = e;
            while (getComputedStyle(b).backgroundColor === 'rgba(0, 0, 0, 0)' && b.parentElement) b = b.parentElement;
            return [s.color, getComputedStyle(b).backgroundColor]; }""")
        if bg == "rgba(0, 0, 0, 0)":
            bg = "rgb(255, 255, 255)"
        assert _contrast(fg, bg) >= 4.5, (selector, fg, bg)
    page.screenshot(path=str(SHOTS / "self-check-desktop.png"), full_page=True)
    with page.expect_download() as info:
        page.click("a.annotated-link")
    saved = tmp_path / "annotated.xlsx"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "example-declaration.annotated.xlsx"
    wb = load_workbook(saved, read_only=True)
    assert "核算" in wb.sheetnames
    # the blank template link
    with page.expect_download() as tpl:
        page.click('a[href="/api/v1/template"]')
    assert tpl.value.suggested_filename == "hpcarbon-declaration-template.xlsx"
    assert outside == []
    ctx.close()


def test_drop_a_file_on_the_page(browser, server):
    outside: list[str] = []
    ctx, page = _page(browser, server, outside)
    page.goto(server.url + "/")
    data = base64.b64encode(EXAMPLE.read_bytes()).decode()
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name));
        const zone = document.getElementById('drop-zone');
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", [EXAMPLE.name, data])
    page.locator(".report .verdict").wait_for(timeout=60_000)
    assert "example-declaration.xlsx" in page.locator(".report h2").inner_text()
    assert outside == []
    ctx.close()


def test_phone_screen(browser, server):
    outside: list[str] = []
    ctx, page = _page(browser, server, outside, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                      is_mobile=True, has_touch=True)
    page.goto(server.url + "/")
    page.set_input_files("#files", str(EXAMPLE))
    page.click("#submit")
    page.locator(".report .verdict").wait_for(timeout=60_000)
    # nothing wider than the screen: no sideways scrolling of the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#submit").bounding_box()
    assert box["height"] >= 44  # a finger-sized target
    page.screenshot(path=str(SHOTS / "self-check-phone.png"), full_page=True)
    assert outside == []
    ctx.close()


def test_page_without_javascript_posts_the_form(browser, server):
    outside: list[str] = []
    ctx, page = _page(browser, server, outside, java_script_enabled=False)
    page.goto(server.url + "/")
    page.set_input_files("#files", str(EXAMPLE))
    with page.expect_navigation():
        page.click("#submit")
    assert page.url.endswith("/check")
    assert "通过" in page.locator(".report .verdict").inner_text()
    assert page.locator('tr.finding[data-cell="核算!E9"]').count() == 1
    href = page.locator("a.annotated-link").get_attribute("href")
    assert href.startswith("/api/v1/annotated/")
    page.screenshot(path=str(SHOTS / "self-check-no-js.png"), full_page=True)
    assert outside == []
    ctx.close()


def test_docs_render_offline(browser, server):
    outside: list[str] = []
    ctx, page = _page(browser, server, outside)
    page.goto(server.url + "/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=30_000)
    assert "hpcarbon" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/validate").count() >= 1
    page.screenshot(path=str(SHOTS / "docs.png"))
    assert outside == []
    ctx.close()


def test_printable_report_file_opens_in_the_browser_without_fetching(browser, tmp_path):
    import contextlib

    from hpcarbon.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["validate", "--format", "html", str(EXAMPLE)])
    html = tmp_path / "report.html"
    html.write_text(out.getvalue(), encoding="utf-8")
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html.as_uri())
    assert page.locator("svg.chart").count() == 1 and "通过" in page.locator(".verdict").inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "printable-report.png"), full_page=True)
    assert requests == [html.as_uri()]
    page.close()
