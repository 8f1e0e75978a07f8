"""How the browser tests look at a page: open it as a reader would (console, policy violations
and requests recorded), measure it (overlaps, clipping, charts, axe), and keep what was seen, so that
a page is loaded once per width, scheme and JavaScript setting however many tests assert on it."""

import re
from pathlib import Path

import pytest

from explainer.paths import PROJECT_ROOT
from support import PAGES, chart_pages

SCREENSHOTS = PROJECT_ROOT / ".build" / "screenshots"
RENDERER_AT: dict = {}  # origin -> the renderer that built the site served there (test_browser's fixture)


def reader_page(browser, width=1280, javascript=True, scheme="light"):
    """A fresh page, not yet opened, that records what a reader's console would show, what its
    Content-Security-Policy blocked, its layout shifts and its requests."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript,
                                  color_scheme=scheme)
    page = context.new_page()
    # the page's own report of anything its Content-Security-Policy blocked
    page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.cspViolations.push("
        "e.violatedDirective + ' ' + e.blockedURI));"
        # cumulative layout shift as browsers count it (shifts right after a reader's input excluded)
        "window.layoutShift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())"
        " if (!e.hadRecentInput) window.layoutShift += e.value; }).observe({type: 'layout-shift', buffered: true});"
    )
    problems, requests = [], []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))  # an alert() that ran
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return context, page, problems, requests


def open_page(browser, url, width=1280, javascript=True, scheme="light"):
    """``url`` opened in a :func:`reader_page`, loaded, and its frame's scripts run."""
    context, page, problems, requests = reader_page(browser, width, javascript, scheme)
    page.goto(url)
    page.wait_for_load_state("load")
    if javascript:  # Quarto's frame runs its scripts after the first paint (explainer/site/quarto_scripts.py)
        until(page, "document.documentElement.dataset.scripts !== 'loading'")
    return context, page, problems, requests


# Elements that must never cover one another: the page's frame (navbar, table of contents,
# footer) against the blocks of its content.
OVERLAPS = """() => {
  const visible = el => { const r = el.getBoundingClientRect(); const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'; };
  const frame = [...document.querySelectorAll('#quarto-header nav, #TOC, footer.footer')].filter(visible);
  const blocks = [...document.querySelectorAll(
    'main h1, main h2, main p, main figure, main table, main ul, main ol, main dl, main pre, main details')].filter(visible);
  const hits = [];
  for (const f of frame) {
    const a = f.getBoundingClientRect();
    for (const b of blocks) {
      if (f.contains(b) || b.contains(f)) continue;
      const c = b.getBoundingClientRect();
      const x = Math.min(a.right, c.right) - Math.max(a.left, c.left);
      const y = Math.min(a.bottom, c.bottom) - Math.max(a.top, c.top);
      if (x > 1 && y > 1) hits.push((f.id || f.tagName) + ' over ' + b.tagName + ': ' + b.textContent.trim().slice(0, 40));
    }
  }
  return hits;
}"""


def overlaps(page) -> list[str]:
    page.evaluate("window.scrollTo(0, 0)")
    return page.evaluate(OVERLAPS)


# Text the page's frame cuts off (an ellipsis, a hidden overflow): the navbar's site title on phones.
CLIPPED_IN_FRAME = """() => [...document.querySelectorAll('#quarto-header *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible' && e.textContent.trim())
  .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40))"""


# Lines of code whose boxes (background and padding included) reach into the line above: their
# background hides the underscores and descenders of that line.
CODE_LINES_OVERLAP = """() => [...document.querySelectorAll('pre code')].filter(code => {
  const lines = [...code.getClientRects()];
  return lines.some((line, i) => i > 0 && line.top > lines[i - 1].top + 1 && line.top < lines[i - 1].bottom - 0.5);
}).map(code => code.textContent.trim().slice(0, 40))"""

# The lines of notebook code that wrap; those of them whose continuation does not start deeper than
# the line's own text (read as lines of their own); the code blocks whose rows are not evenly spaced
# (a wrapped line's rows closer together, or further apart, than the lines).
CODE_CONTINUATIONS = """() => {
  const wrapped = [], shallow = [], uneven = [], rows = new Map();
  for (const line of document.querySelectorAll('pre.sourceCode > code > span')) {
    const whole = document.createRange(); whole.selectNodeContents(line);
    const rects = [...whole.getClientRects()].filter(r => r.width > 0);
    const block = line.closest('pre');
    if (!rows.has(block)) rows.set(block, new Set());
    rects.forEach(r => rows.get(block).add(Math.round(r.top * 10) / 10));
    const later = rects.filter(r => rects.length && r.top > rects[0].top + 2);
    if (!later.length) continue;
    wrapped.push(line.id);
    let skip = line.textContent.search(/\\S/), node;  // the line's first character that is not a space
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    while ((node = walker.nextNode()) && skip >= node.length) skip -= node.length;
    const first = document.createRange(); first.setStart(node, skip); first.setEnd(node, skip + 1);
    if (Math.min(...later.map(r => r.left)) < first.getBoundingClientRect().left + 2) shallow.push(line.textContent.trim().slice(0, 40));
  }
  for (const [block, tops] of rows) {  // every step between rows a whole number of rows (a blank line: two)
    const sorted = [...tops].sort((a, b) => a - b), steps = sorted.slice(1).map((top, i) => top - sorted[i]).filter(d => d > 2);
    const row = Math.min(...steps);
    if (steps.some(d => Math.abs(d - Math.round(d / row) * row) > 1)) uneven.push(block.textContent.trim().slice(0, 40));
  }
  return {wrapped: wrapped.length, shallow, uneven};
}"""

# A table's caption wider than its scrolling region: cut at the screen's edge on a phone. And the
# tables that scroll sideways (a desktop column should hold the claims ledger whole).
CUT_CAPTIONS = """() => [...document.querySelectorAll('.table-scroll caption')].filter(c => {
  const region = c.closest('.table-scroll').getBoundingClientRect(), r = c.getBoundingClientRect();
  return r.width > 0 && r.right > region.right + 1; }).map(c => c.textContent.trim().slice(0, 40))"""
SCROLLING_TABLES = """() => [...document.querySelectorAll('.table-scroll')].filter(s => s.scrollWidth > s.clientWidth + 1)
  .map(s => s.querySelector('table').className + ': ' + s.getAttribute('aria-label').slice(0, 40))"""


def is_dark(css_colour: str) -> bool:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css_colour)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) < 128


# Without JavaScript, a button (or a link run by a script) that is shown does nothing when pressed.
INERT_CONTROLS = """[...document.querySelectorAll('button, [onclick]')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
}).map(e => e.outerHTML.slice(0, 100))"""

# Code blocks a reader can Tab to though they have nothing to scroll (code wraps: a stop for nothing).
IDLE_CODE_STOPS = """[...document.querySelectorAll('pre[tabindex]')].filter(p => p.scrollWidth <= p.clientWidth)
  .map(p => p.textContent.slice(0, 60))"""

DUPLICATED_IDS = """(() => { const ids = [...document.querySelectorAll('body [id]')].map(e => e.id);
  return ids.filter((id, i) => ids.indexOf(id) !== i); })()"""

# For each chart picture: the drawing the browser chose, and what a reader sees of it. The SVG the
# picture shows is drawn again, inline and at its own size, to measure its texts (with its
# embedded font, as in the picture).
CHART_VIEW = """async () => {
  const results = [];
  for (const img of document.querySelectorAll('figure.explainer-chart .chart-graphic img')) {
    img.scrollIntoView();
    await img.decode();  // lazy: loads when near the viewport
    const text = await (await fetch(img.currentSrc)).text();
    const holder = document.createElement('div');
    holder.style.cssText = 'position:absolute;left:-10000px;top:0';
    holder.innerHTML = text;
    document.body.appendChild(holder);
    await document.fonts.ready;
    const svg = holder.querySelector('svg');
    const width = parseFloat(svg.getAttribute('width')), height = parseFloat(svg.getAttribute('height'));
    const frame = svg.getBoundingClientRect();
    const scale = img.getBoundingClientRect().width / width;
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim());
    const outside = texts.filter(t => { const r = t.getBoundingClientRect();
      return r.left < frame.left - 0.5 || r.right > frame.right + 0.5 || r.top < frame.top - 0.5 || r.bottom > frame.bottom + 0.5; })
      .map(t => t.textContent);
    // a label that starts on a bar ends on it (the timeline's band names its count inside itself)
    const bars = [...svg.querySelectorAll('g.mark-rect path')].map(p => p.getBoundingClientRect());
    const overrun = texts.filter(t => { const r = t.getBoundingClientRect(), middle = (r.top + r.bottom) / 2;
      return bars.some(b => r.left >= b.left && r.left < b.right && middle > b.top && middle < b.bottom
                            && r.right > b.right + 0.5); })
      .map(t => t.textContent);
    // a label that passes over another dot than its own, just above or below it, reads as that dot's
    // (its own dot is at its middle, as the strikes' dates are, or at one of its ends)
    const dots = [...svg.querySelectorAll('g.mark-symbol path')].map(p => p.getBoundingClientRect());
    const straddling = texts.filter(t => { const r = t.getBoundingClientRect(), middle = (r.left + r.right) / 2;
      return dots.some(d => { const x = (d.left + d.right) / 2, y = (d.top + d.bottom) / 2;
        return x > r.left + 8 && x < r.right - 8 && Math.abs(x - middle) > 4
               && Math.min(Math.abs(y - r.top), Math.abs(y - r.bottom)) < 14; }); })
      .map(t => t.textContent);
    const smallest = Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))) * scale;
    holder.remove();
    results.push({src: img.currentSrc.split('/').pop(), shown: img.getBoundingClientRect().width, width, height,
                  smallest, outside, overrun, straddling, texts: texts.length});
  }
  return results;
}"""

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core 4.12, shipped by axe-playwright-python)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# The views test_browser.py looks at: every page on a phone and a desktop, light and dark; every
# page that shows charts also at 320 and 768 px, and without JavaScript; every page without
# JavaScript on a phone. axe runs on every page in the light scheme, and in the dark one on the
# pages with the most colours, on a phone and a desktop (the table of contents and the navbar change
# shape between the two); screenshots of four pages are written for people to look at.
SCHEMES = ["light", "dark"]
CHART_WIDTHS = [320, 375, 768, 1280]
AXE_RUNS = [(path, "light") for path in PAGES] + [(path, "dark") for path in PAGES[:3] + PAGES[-1:]]
SCREENSHOT_PAGES = ["index.html", "data.html", "methods.html", "notebooks/03-chart-attacks.html"]


def look(browser, origin: str, path: str, width: int, scheme: str, javascript: bool) -> dict:
    """Load one page, as a reader would meet it, and measure everything test_browser.py asserts on it."""
    context, page, problems, requests = open_page(browser, f"{origin}/{path}", width=width, scheme=scheme,
                                              javascript=javascript)
    if javascript:
        page.wait_for_timeout(300)  # Quarto's scripts set up the frame (and may complain) after load
    layout_shift = page.evaluate("window.layoutShift") if javascript else 0
    view = {
        "title": page.title(),
        "description": page.locator('meta[name="description"]').get_attribute("content"),
        "policies": page.locator('meta[http-equiv="Content-Security-Policy"]').count(),
        "frame": {selector: page.locator(selector).count() for selector in (
            "header#quarto-header nav", "main#quarto-document-content", "header#title-block-header h1.title",
            "footer.footer")},
        "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
        "overlaps": overlaps(page),
        "clipped_in_frame": page.evaluate(CLIPPED_IN_FRAME),
        "code_lines_overlap": page.evaluate(CODE_LINES_OVERLAP),
        "code_continuations": page.evaluate(CODE_CONTINUATIONS),
        "duplicated_ids": page.evaluate(DUPLICATED_IDS),
        "cut_captions": page.evaluate(CUT_CAPTIONS),
        "preloaded_fonts": page.evaluate("[...document.querySelectorAll('link[rel=preload][as=font]')].map(l => l.href)"),
        # the table of contents: shown, and met by the keyboard before the article (as Quarto places it)
        "toc": page.evaluate("""(t => t && {shown: getComputedStyle(t).display !== 'none' && t.getBoundingClientRect().width > 0,
          before_article: !!(t.compareDocumentPosition(document.querySelector('main')) & Node.DOCUMENT_POSITION_FOLLOWING)})
          (document.querySelector('#TOC'))"""),
        "scrolling_tables": page.evaluate(SCROLLING_TABLES),
        "backgrounds": {"body": page.evaluate("getComputedStyle(document.body).backgroundColor"),
                        "key figure": page.evaluate("(e => e && getComputedStyle(e).backgroundColor)"
                                                    "(document.querySelector('.key-figure details'))")},
        "inert_controls": page.evaluate(INERT_CONTROLS),
        # pandas' tables: how their cells are drawn (the browser's default look has 1 px padding, boxed cells)
        "dataframe_cells": page.evaluate("""[...new Set([...document.querySelectorAll('table.dataframe')].map(t => {
          const td = getComputedStyle(t.querySelector('tbody td')), th = getComputedStyle(t.querySelector('thead th'));
          return [parseFloat(td.paddingLeft) >= 3, td.borderLeftStyle === 'none' || parseFloat(td.borderLeftWidth) === 0,
                  th.textAlign === 'left' || th.textAlign === 'start'].join(); }))]"""),
        "idle_code_stops": page.evaluate(IDLE_CODE_STOPS),
        "menu_link_visible": page.locator('#quarto-header a[href$="data.html"]').first.is_visible(),
    }
    if path in chart_pages():
        if javascript:
            view["explore_buttons"] = page.locator(".chart-explore.is-ready").count()
            view["charts"] = page.evaluate(CHART_VIEW)
            if path == "index.html":
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.locator("figure.explainer-chart").nth(2).screenshot(path=str(SCREENSHOTS / f"timeline-{width}-{scheme}.png"))
        else:  # the measuring script needs JavaScript: here, what the browser chose and loaded
            images = page.locator("figure.explainer-chart img")
            view["pictures"] = []
            for index in range(images.count()):
                images.nth(index).scroll_into_view_if_needed()
                view["pictures"].append(images.nth(index).evaluate("i => ({loaded: i.complete && i.naturalWidth > 0,"
                                                                   " src: i.currentSrc.split('/').pop()})"))
        view["scroll_width_with_charts"] = page.evaluate("document.documentElement.scrollWidth")
    if javascript and path in SCREENSHOT_PAGES and width in (375, 1280):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        view["screenshot"] = SCREENSHOTS / f"{RENDERER_AT[origin]}-{Path(path).stem}-{width}-{scheme}.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(view["screenshot"]), full_page=True)
    if javascript and (path, scheme) in AXE_RUNS and width in (375, 1280):
        view["axe"] = run_axe(page)  # last: it opens every <details>
    view["policy_violations"] = page.evaluate("window.cspViolations") if javascript else []
    # how far the page moved while it loaded, its frame's scripts included (before axe opened anything)
    view["layout_shift"] = layout_shift if javascript else 0
    view["problems"], view["requests"] = list(problems), list(requests)
    context.close()
    return view


def run_axe(page) -> dict:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # what a reader can reveal
    page.wait_for_timeout(200)
    # every rule is still listed under its outcome; only violations list all their nodes (faster)
    return axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                               "resultTypes": ["violations"]}).response


_VIEWS: dict = {}


def page_view(browser, origin: str, path: str, width: int, scheme: str = "light", javascript: bool = True) -> dict:
    """A page as :func:`look` saw it: loaded once per run (conftest keeps each renderer's browser
    tests on one worker), however many tests assert on it."""
    key = (origin, path, width, scheme, javascript)
    if key not in _VIEWS:
        _VIEWS[key] = look(browser, *key)
    return _VIEWS[key]


def until(page, expression: str, seconds: float = 15) -> None:
    """Wait until ``expression`` is true in the page. Not ``wait_for_function``: Playwright polls it
    with eval(), which the site's Content-Security-Policy (rightly) refuses."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds} s: {expression}")
