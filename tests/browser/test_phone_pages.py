"""Issue 11, item 16: every page a secretary, a leader and a member reach reads on a 375 px phone,
in Chinese and in English, on the demo group (`seed_demo`).

A crawl per role and language: log in, start at the dashboard, follow same-origin links (GET
only; never log out, download, delete, start a PDF or open the admin), up to a bound of pages.
Each page is checked for what a phone user would notice:
- sideways scrolling: the document is wider than the screen, or something sticks out past the
  right edge, unless it sits in a scroll box (overflow-x auto or scroll) that ends inside the
  screen and has a visible border, so the user sees that the box scrolls;
- table cells with text narrower than three characters (3 × their font size): a word per line;
- short labels (any text of its own that is one word, or a Chinese term of two to eight
  characters: headers, badges, buttons, headings) broken over two lines (心得体/会, 已审/定).
The tallest page of each run, any page with problems, and (in Chinese) the pages issue 11 named
as the worst (我的学习档案, the plan, the summary) are saved as full-page screenshots under
test-artifacts/phone/ whether the test passes or not, for a person to look at, with crawl.txt:
each run's pages, seconds and screenshots, and the problems found.
"""

import io
import re
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS, PHONE, TIMEOUT_MS

pytestmark = pytest.mark.browser

ROLES = ("secretary", "leader", "member02")
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
# Pages per role and language, and pages of one shape (the same URL with other ids): the demo's
# 43 essays share one template, and two of them tell as much as all of them.
MAX_PAGES = 60
PER_SHAPE = 2
SKIP = re.compile(
    r"/(admin|accounts/logout|i18n)/|/delete/|/download/|/file/|/pdf/|/materials/\d+/$"
    # Files (.xlsx, .csv, .docx exports and templates) download rather than open as a page.
    r"|\.[a-z]{3,4}$|/docx/|/word/"
)
SHOTS = ARTIFACTS / "phone"

# Run in the page: the problems of the current page at the current viewport width.
PAGE_PROBLEMS_JS = r"""
(width) => {
  const problems = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden';
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const text = (el) => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
  const scrollBox = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (['auto', 'scroll'].includes(s.overflowX)) return a;
    }
    return null;
  };
  const bordered = (box) => {
    const s = getComputedStyle(box);
    const side = (w, c) => parseFloat(w) > 0 && !/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent';
    return (side(s.borderLeftWidth, s.borderLeftColor)
            && side(s.borderRightWidth, s.borderRightColor))
      || (s.boxShadow && s.boxShadow !== 'none');
  };
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) problems.push(`the page is ${scrollWidth}px wide (sideways scrolling)`);
  const sticking = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right <= width + 0.5) continue;
    const box = scrollBox(el);
    if (box && getComputedStyle(el).position !== 'fixed') {
      const b = box.getBoundingClientRect();
      if (b.right <= width + 0.5 && bordered(box)) continue;
      if (b.right <= width + 0.5) {
        sticking.push(`${name(box)} scrolls sideways but shows no border`);
        continue;
      }
    }
    // Report the outermost culprit only: its children stick out with it.
    if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5
        && el.parentElement !== document.body) continue;
    sticking.push(`${name(el)} "${text(el).slice(0, 30)}" ends at ${Math.round(r.right)}px`);
  }
  for (const s of new Set(sticking)) problems.push(`cut off at the right edge: ${s}`);
  for (const cell of document.querySelectorAll('td, th')) {
    if (!visible(cell) || !text(cell)) continue;
    const font = parseFloat(getComputedStyle(cell).fontSize);
    const w = cell.getBoundingClientRect().width;
    if (w < 3 * font - 0.5) {
      problems.push(`table cell "${text(cell).slice(0, 30)}" is ${Math.round(w)}px wide, `
                    + `under three characters (${Math.round(3 * font)}px)`);
    }
  }
  // A short label is a text of its own (a text node) that is one word, or a Chinese term of
  // two to eight characters: it must stay on one line, wherever it stands.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const broken = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const t = node.textContent.trim();
    const oneWord = /^[A-Za-z0-9'’-]{2,}$/.test(t) || /^[\u3400-\u9fff（）]{2,8}$/.test(t);
    if (!oneWord || !node.parentElement || !visible(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set(Array.from(range.getClientRects())
      .filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    if (tops.size > 1) {
      broken.add(`the label "${t}" (${name(node.parentElement)}) breaks over ${tops.size} lines`);
    }
  }
  problems.push(...broken);
  return problems;
}
"""


def shape(path: str) -> str:
    """The URL with its ids and query values blanked: pages of one template."""
    split = urlsplit(path)
    keys = sorted(part.split("=")[0] for part in split.query.split("&") if part)
    return re.sub(r"/\d+/", "/#/", split.path) + ("?" + "&".join(keys) if keys else "")


def crawl(context, origin: str, start: str) -> dict:
    """Visit the pages reachable from `start` and check each at the phone's width.

    Returns {"pages": [(path, height px, width px, problems)], "seconds": float}."""
    page = context.new_page()
    started = time.monotonic()
    queue, seen, shapes, pages = deque([start]), {start}, Counter(), []
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(origin + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        problems = page.evaluate(PAGE_PROBLEMS_JS, PHONE["width"])
        height, width = page.evaluate(
            "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
        )
        pages.append((path, height, width, problems))
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        for href in hrefs:
            href = urldefrag(href)[0]
            if not href.startswith(origin + "/"):
                continue
            link = href[len(origin):]
            if link in seen or SKIP.search(urlsplit(link).path) or "next=" in link:
                continue
            seen.add(link)
            if shapes[shape(link)] >= PER_SHAPE:
                continue
            shapes[shape(link)] += 1
            queue.append(link)
    page.close()
    return {"pages": pages, "seconds": time.monotonic() - started}


@pytest.fixture
def demo_group(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    from demo.records import DEMO_PASSWORD, DEMO_SLUG

    return DEMO_SLUG, DEMO_PASSWORD


def log_in(page, origin: str, username: str, password: str) -> None:
    page.goto(origin + "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"login failed for {username}"


def screenshot(context, origin: str, path: str, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"{name}.png"
    page = context.new_page()
    page.goto(origin + path)
    page.screenshot(path=str(target), full_page=True)
    page.close()
    return target


def test_every_page_each_role_reaches_reads_on_a_phone_in_both_languages(
    browser, live_server, demo_group
):
    slug, password = demo_group
    origin = live_server.url
    started = time.monotonic()
    problems, report = [], []
    for language, locale in LANGUAGES.items():
        for username in ROLES:
            context = browser.new_context(viewport=PHONE, locale=locale)
            context.set_default_timeout(TIMEOUT_MS)
            # The interface is Chinese unless the language menu's cookie says otherwise.
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": origin}]
            )
            login = context.new_page()
            log_in(login, origin, username, password)
            assert login.locator("html").get_attribute("lang") == language
            login.close()
            result = crawl(context, origin, f"/g/{slug}/")
            pages = result["pages"]
            where = f"{username}, {language}"
            for path, _, _, page_problems in pages:
                problems += [f"{where}, {path}: {p}" for p in page_problems]
            tag = f"{username}-{language}"
            tallest = max(pages, key=lambda p: p[1])
            worst = max(pages, key=lambda p: (p[2], len(p[3])))
            shots = {tallest[0]: f"{tag}-tallest"}
            if worst[2] > PHONE["width"] or worst[3]:
                shots.setdefault(worst[0], f"{tag}-worst")
            if language == "zh-hans":  # the pages issue 11 named as the worst, to look at
                for path, *_ in pages:
                    named = re.search(r"/(me|plans/2020H2|reports/2020H1/summary)/$", path)
                    if named:
                        shots.setdefault(path, f"{tag}-{named.group(1).replace('/', '-')}")
            saved = [screenshot(context, origin, path, name) for path, name in shots.items()]
            report.append(
                f"{where}: {len(pages)} pages in {result['seconds']:.1f}s; tallest {tallest[0]} "
                f"({tallest[1]}px), widest {worst[0]} ({worst[2]}px); screenshots: "
                + ", ".join(str(s.relative_to(ARTIFACTS.parent)) for s in saved)
            )
            reached = {p[0] for p in pages}
            expected = {f"/g/{slug}/{p}" for p in ("", "me/", "essays/", "plans/2020H2/",
                                                      "reports/2020H1/summary/")}
            context.close()
            assert expected <= reached, f"{where}: the crawl did not reach {expected - reached}"
    report.append(f"whole crawl: {time.monotonic() - started:.1f}s")
    (SHOTS / "crawl.txt").write_text("\n".join(report + problems) + "\n", "utf-8")
    print("\n".join(report))
    assert not problems, (
        f"{len(problems)} problems at 375px (screenshots and the list: {SHOTS}):\n"
        + "\n".join(problems)
    )
