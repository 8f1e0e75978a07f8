"""The site in a real browser (Debian's Chromium driven by Playwright), as readers meet it, as each
renderer builds it (Quarto, the reference, and the built-in pandoc renderer; see conftest). How a
page is opened and measured, once for every test that asserts on it, is in page_views.py."""

import itertools
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from explainer.build.project_copy import copy_project, run_explainer
from explainer.chart_figure import chart_slugs
from page_views import (
    AXE_RUNS,
    CHART_WIDTHS,
    CLIPPED_IN_FRAME,
    RENDERER_AT,
    SCHEMES,
    SCREENSHOT_PAGES,
    is_dark,
    open_page,
    overlaps,
    page_view,
    reader_page,
    until,
)
from support import NOTEBOOKS, PAGES, chart_pages, contrast
from tools.serve import serve_in_background

_ORIGINS: dict = {}


@pytest.fixture(scope="session")
def origin(site, renderer):
    """The site served on localhost, once per renderer."""
    if site not in _ORIGINS:
        _ORIGINS[site] = serve_in_background(site)
        RENDERER_AT[_ORIGINS[site][0]] = renderer
    return _ORIGINS[site][0]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_same_origin_only_and_nothing_overlaps(browser, origin, path, width, scheme):
    view = page_view(browser, origin, path, width, scheme)
    assert view["problems"] == []
    assert view["policy_violations"] == []
    assert all(count == 1 for count in view["frame"].values()), view["frame"]
    assert view["title"] and view["description"]
    assert view["policies"] == 1
    host = urlparse(origin).netloc
    assert all(urlparse(url).netloc == host for url in view["requests"] if not url.startswith("data:")), view["requests"]
    assert view["scroll_width"] <= width
    assert view["overlaps"] == []
    assert view["clipped_in_frame"] == []
    assert view["code_lines_overlap"] == []
    assert view["code_continuations"]["shallow"] == []  # a wrapped line of code goes on deeper than it began
    assert view["code_continuations"]["uneven"] == []  # and its rows are spaced as the lines are
    if path.startswith("notebooks/") and width < 768:
        assert view["code_continuations"]["wrapped"] > 0  # (on a phone some do wrap: the check above means something)
    assert view["duplicated_ids"] == []
    assert view["idle_code_stops"] == []
    assert view["dataframe_cells"] in ([], ["true,true,true"])  # padded, unboxed, headers over their values: as Quarto
    assert view["cut_captions"] == []  # a wide table scrolls under its caption, which stays whole in view
    if width >= 1280:
        assert not [table for table in view["scrolling_tables"] if "ledger" in table], view["scrolling_tables"]
    # The first view's faces are preloaded (postrender.py), so that a first visit on a slow connection
    # shows the site's typeface (`font-display: optional` would keep the system font for a face that
    # came after the first paint), and each is fetched once: the preload is the @font-face's request.
    fonts = [url for url in view["requests"] if url.endswith(".woff2")]
    assert len(fonts) == len(set(fonts)), fonts
    assert view["preloaded_fonts"] and set(view["preloaded_fonts"]) <= set(fonts), (view["preloaded_fonts"], fonts)
    if view["toc"]:  # beside the article on a desktop, before it for the keyboard; not on a phone (as Quarto)
        assert view["toc"] == {"shown": width >= 992, "before_article": True}, view["toc"]  # 62rem, as Quarto
    assert is_dark(view["backgrounds"]["body"]) == (scheme == "dark"), view["backgrounds"]
    assert view["layout_shift"] < 0.01  # nothing moves as the page loads, Quarto's frame measuring itself included


# Layout measured at every width from a phone's to a wide desktop's, 40 px apart, on one load
# per page: the window resized as a reader resizes it (the fresh loads above are at 375 and 1280).
_SWEEP = [*range(1440, 320, -40), 320]
# Quarto's script pads <body> by its fixed header's height 50 ms after a resize (throttled): measured once it has
_HEADER_OFFSET_SETTLED = """(header => !header || !document.body.style.paddingTop
  || Math.abs(parseFloat(document.body.style.paddingTop) - header.clientHeight) < 1)(document.querySelector('header.fixed-top'))"""


@pytest.mark.parametrize("path", PAGES)
def test_nothing_overlaps_or_scrolls_sideways_at_any_width(browser, origin, path):
    context, page, problems, _ = open_page(browser, f"{origin}/{path}", width=_SWEEP[0])
    for width in _SWEEP:
        page.set_viewport_size({"width": width, "height": 900})
        until(page, _HEADER_OFFSET_SETTLED)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        assert overlaps(page) == [], width
        assert page.evaluate(CLIPPED_IN_FRAME) == [], width
    assert problems == []
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_without_javascript_no_page_shows_a_control_that_needs_a_script(browser, origin, path):
    """Quarto's frame needs its scripts to open its menu and toggle its colour scheme, and its
    code-copy buttons need theirs: without JavaScript, none of them may show."""
    view = page_view(browser, origin, path, 375, javascript=False)
    assert view["inert_controls"] == []
    assert view["menu_link_visible"]  # the menu's links reachable without its button
    assert view["problems"] == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", CHART_WIDTHS)
def test_without_javascript_the_page_follows_the_system_and_its_frame_covers_nothing(browser, origin, width, scheme):
    """Quarto's frame needs its scripts to measure its fixed navbar and drop its spare light
    stylesheets; without them the page must still be whole, in the system's colour scheme."""
    view = page_view(browser, origin, "index.html", width, scheme, javascript=False)
    assert view["problems"] == []
    for element, colour in view["backgrounds"].items():
        assert is_dark(colour) == (scheme == "dark"), element
    assert view["overlaps"] == []
    assert view["scroll_width"] <= width
    assert view["menu_link_visible"]
    assert view["inert_controls"] == []


def test_without_javascript_the_notebooks_menu_opens_by_pointer_and_keyboard(browser, origin):
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=1280, javascript=False)
    submenu = page.locator('#quarto-header .dropdown')
    if submenu.count():  # Quarto's "Notebooks" (the built-in renderer's menu is a <details>)
        notebook = submenu.locator('a[href*="notebooks/"]').first
        assert not notebook.is_visible()
        submenu.locator(".dropdown-toggle").hover()
        assert notebook.is_visible()
        page.mouse.move(0, 800)
        assert not notebook.is_visible()
        submenu.locator(".dropdown-toggle").focus()
        assert notebook.is_visible()
    assert problems == []
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", CHART_WIDTHS)
@pytest.mark.parametrize("path", chart_pages())
def test_every_chart_is_drawn_for_the_width_and_scheme_with_labels_of_12px_and_more(browser, origin, path, width,
                                                                                     scheme, javascript):
    view = page_view(browser, origin, path, width, scheme, javascript)
    if not javascript:
        assert len(view["pictures"]) == chart_pages()[path]
        for picture in view["pictures"]:
            assert picture["loaded"], picture
            assert (".narrow." in picture["src"]) == (width < 560) and (".dark." in picture["src"]) == (scheme == "dark"), picture
    else:
        # every chart offers its interactive view, on the notebook pages as on the explainer
        assert view["explore_buttons"] == chart_pages()[path]
        assert len(view["charts"]) == chart_pages()[path]
        for chart in view["charts"]:
            assert (".narrow." in chart["src"]) == (width < 560) and (".dark." in chart["src"]) == (scheme == "dark"), chart
            assert chart["shown"] == pytest.approx(chart["width"], abs=1), f"{chart['src']} is scaled: {chart}"
            assert chart["smallest"] >= 12, chart
            assert chart["outside"] == [], chart
            assert chart["overrun"] == [], chart
            assert chart["straddling"] == [], chart
        assert view["layout_shift"] < 0.01  # the charts' pictures, the fonts and Quarto's frame move nothing
    assert view["scroll_width_with_charts"] <= width
    assert view["problems"] == []


@pytest.mark.parametrize("path, scheme", AXE_RUNS)
@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_no_wcag_2_2_a_or_aa_violation(browser, origin, path, scheme, width):
    """WCAG 2.2 A and AA as axe checks them, target size (2.5.8) included."""
    results = page_view(browser, origin, path, width, scheme)["axe"]
    assert "target-size" in [rule["id"] for rule in results["passes"] + results["inapplicable"]
                             + results["violations"] + results["incomplete"]]
    violations = results["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", SCREENSHOT_PAGES)
def test_screenshots_for_people_to_look_at(browser, origin, path, width, scheme):
    screenshot = page_view(browser, origin, path, width, scheme)["screenshot"]
    assert screenshot.stat().st_size > 10_000


# The navbar's Notebooks menu button: the built-in renderer's <summary>, Quarto's Bootstrap dropdown.
_MENU_TOGGLE = "#quarto-header .nav-menu summary, #quarto-header .dropdown-toggle"


@pytest.mark.parametrize("width", [320, 375, 768, 1280])
def test_the_notebooks_menu_opens_inside_the_screen(browser, origin, width):
    context, page, problems, _ = open_page(browser, f"{origin}/data.html", width=width)
    page.evaluate("document.fonts.ready")
    page.reload()  # the page's typeface now from the cache (font-display: optional skips it on a first visit)
    until(page, "document.documentElement.dataset.scripts !== 'loading'", seconds=30)  # Bootstrap opens the menus
    if page.locator(".navbar-toggler").is_visible():
        page.locator(".navbar-toggler").click()
        until(page, "document.querySelector('#navbarCollapse').classList.contains('show')")  # its opening slide done
    page.locator(_MENU_TOGGLE).first.click()
    links = page.locator('#quarto-header a[href*="notebooks/"]')
    links.first.wait_for(state="visible")
    assert links.count() == len(NOTEBOOKS)
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert links.nth(index).is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
    context.close()


def test_the_404_page_works_at_any_missing_address(browser, origin):
    """A static host answers a missing address, however deep, with 404.html: its styles, scripts
    and links must not depend on where it is shown."""
    context, page, problems, _ = open_page(browser, f"{origin}/404.html")
    at_root = page.evaluate("getComputedStyle(document.querySelector('#quarto-header nav')).display")
    missing = f"{origin}/notebooks/no/such-page.html"
    not_found = context.request.get(f"{origin}/404.html").body()
    # (a host would answer with status 404, which Chromium logs as an error of its own)
    page.route(missing, lambda route: route.fulfill(status=200, body=not_found, content_type="text/html"))
    page.goto(missing)
    page.wait_for_load_state("load")
    assert problems == []
    assert page.evaluate("getComputedStyle(document.querySelector('#quarto-header nav')).display") == at_root
    links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)"
                          ".filter(h => h.startsWith(location.origin) && !h.includes('#') && h !== location.href)")  # not Quarto's toggle
    assert links and [link for link in links if not context.request.get(link).ok] == []
    context.close()


def test_the_page_prints_without_the_frame(browser, origin):
    context, page, _, _ = open_page(browser, f"{origin}/index.html")
    page.emulate_media(media="print")
    for selector in ("#quarto-header", "#TOC"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("main .key-figure .source-sentence").first.is_visible()  # sources print open
    assert len(page.pdf()) > 10_000
    context.close()




def test_the_page_and_pictures_follow_quartos_colour_scheme_toggle(browser, origin, renderer):
    if renderer != "quarto":
        pytest.skip("only Quarto's frame has a colour-scheme toggle")
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=1280, scheme="light")
    images = page.locator("figure.explainer-chart img")
    assert all(".dark." not in src for src in images.evaluate_all("all => all.map(i => i.currentSrc)"))
    page.locator(".quarto-color-scheme-toggle").first.click()
    until(page, "document.body.classList.contains('quarto-dark')")
    until(page, "[...document.querySelectorAll('figure.explainer-chart img')]"
           ".every(i => i.currentSrc.includes('.wide.dark.') && i.complete)")
    # the dark stylesheet, which waits for a dark system (quarto_weight.py), applies on the reader's choice
    until(page, "getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)'")
    assert is_dark(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    page.reload()  # the choice is remembered: dark from the first paint
    assert is_dark(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    page.locator(".quarto-color-scheme-toggle").first.click()  # and back
    until(page, "[...document.querySelectorAll('figure.explainer-chart img')]"
           ".every(i => !i.currentSrc.includes('.dark.'))")
    assert not is_dark(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert problems == []
    context.close()


# Where the keyboard's focus is, if in the site's header: its name, left edge and vertical centre.
_HEADER_STOP = """() => { const e = document.activeElement;
  if (!e.closest('#quarto-header')) return null;
  const r = e.getBoundingClientRect();
  return [e.textContent.trim() || e.getAttribute('aria-label') || e.title, r.left, r.top + r.height / 2]; }"""


@pytest.mark.parametrize("width", [375, 1280])
def test_the_keyboard_meets_the_header_in_the_order_it_is_shown(browser, origin, width):
    """Tab through the header: each stop is right of the last on its row, or on a row below (WCAG
    2.4.3). Quarto's template wrote search and its phone menu button out of their shown order."""
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=width)
    page.keyboard.press("Tab")  # the skip link comes first
    stops = []
    for _ in range(15):
        page.keyboard.press("Tab")
        stop = page.evaluate(_HEADER_STOP)
        if stop is None:
            break
        stops.append(stop)
    assert len(stops) >= 3, stops
    for (before, left_before, middle_before), (after, left, middle) in itertools.pairwise(stops):
        assert middle > middle_before + 15 or (abs(middle - middle_before) <= 15 and left > left_before), \
            f"{after!r} after {before!r}: {stops}"
    assert problems == []
    context.close()


def test_the_notebooks_menu_closes_as_a_menu_does(browser, origin):
    """Open on a desktop, the menu covers the page's title: Escape closes it (the focus back on its
    button), as do a click elsewhere and the keyboard's focus leaving it. Quarto's by Bootstrap, the
    built-in renderer's <details> by assets/standalone.js."""
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=1280)
    toggle = page.locator(_MENU_TOGGLE).first
    links = page.locator('#quarto-header a[href*="notebooks/"]')

    def opened():
        toggle.click()
        links.first.wait_for(state="visible")

    opened()
    page.keyboard.press("Escape")
    links.first.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.matches('summary, .dropdown-toggle')")
    opened()
    page.locator("main h2").first.click()
    links.first.wait_for(state="hidden")
    opened()
    links.first.focus()
    for _ in range(len(NOTEBOOKS) + 1):  # past the menu's last link
        page.keyboard.press("Tab")
    links.first.wait_for(state="hidden")
    assert problems == []
    context.close()


def test_quartos_scripts_and_dark_sheet_wait_for_the_first_paint(browser, origin, renderer):
    """What Quarto's frame fetches before a light page's first paint (quarto_scripts.py,
    quarto_weight.py): none of its scripts, not its dark stylesheet; all of them after, and working.
    "After" is after the first paint or the window's load, whichever comes first: the loader also
    starts at ``load`` (a page loaded in the background never paints), and on a busy machine a page
    can finish loading before its first paint is recorded; what it fetches then competes with nothing."""
    if renderer != "quarto":
        pytest.skip("the built-in renderer has no frame scripts")
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=375)
    fetched = page.evaluate("""() => {
      const paint = performance.getEntriesByName('first-contentful-paint')[0];  // none yet, if load came first
      const load = performance.getEntriesByType('navigation')[0].loadEventStart;
      const waited = Math.min(paint ? paint.startTime : Infinity, load);
      return performance.getEntriesByType('resource').map(e => [e.name.split('/').pop(), e.startTime < waited]); }""")
    early = [name for name, before_paint in fetched if before_paint]
    late = [name for name, before_paint in fetched if not before_paint]
    assert not [name for name in early if name.endswith(".js") and name != "charts.js" or "bootstrap-dark" in name], early
    assert {"quarto-nav.js", "quarto-search.js", "quarto.js", "bootstrap.min.js"} <= set(late), late
    assert any(name.startswith("quarto-page-") for name in late), late  # its page script, moved to a file
    assert page.evaluate("typeof bootstrap === 'object' && typeof tippy === 'function'")  # on window, not on an element
    assert problems == []
    context.close()


def test_a_search_result_opens_at_its_first_match(browser, origin, renderer):
    """Quarto's search links a result to its page with ``?q=``; the page scrolls to the first match
    on ``pageshow``, which has passed when its scripts arrive after the first paint: the loader
    gives them the event (quarto_scripts.py)."""
    if renderer != "quarto":
        pytest.skip("the built-in renderer has no search")
    # the last heading of the page, below the quotes whose figures are marked (also with <mark>)
    context, page, problems, _ = open_page(browser, f"{origin}/methods.html?q=reproduce%20it", width=1280)
    # to the first match of the query, not to the first quote's marked figure (also a <mark>);
    # waited for rather than timed: its smooth scroll is slower on a busy machine
    first_match = "document.querySelector('main mark.quarto-search-match')"
    until(page, f"window.scrollY > 0 && (r => r.top >= 0 && r.bottom <= innerHeight)({first_match}.getBoundingClientRect())")
    assert page.evaluate(f"{first_match}.textContent.toLowerCase()") == "reproduce it"
    assert page.locator("main mark:not(.quarto-search-match)").count() > 0  # the quotes' own marks, left alone
    assert problems == []
    context.close()


def test_one_of_quartos_scripts_failing_stops_none_of_the_others(browser, origin, renderer):
    """A script that does not arrive (a flaky network, a blocker) breaks its own feature only: the
    others' DOMContentLoaded listeners still run, as with the browser's own event."""
    if renderer != "quarto":
        pytest.skip("the built-in renderer has no frame scripts")
    context, page, _, _ = reader_page(browser, width=1280)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/autocomplete.umd.js", lambda route: route.abort())  # search's library
    page.goto(f"{origin}/index.html")
    until(page, "document.documentElement.dataset.scripts === 'ready'")
    first = page.evaluate("document.querySelector('#TOC a.active').textContent.trim()")
    page.mouse.wheel(0, 4000)  # the table of contents follows the reading (quarto.js's listener)
    until(page, f"document.querySelector('#TOC a.active').textContent.trim() !== {first!r}")
    assert len(errors) == 1 and "autocomplete" in errors[0], errors  # search's own, reported
    context.close()


def test_a_press_on_quartos_menu_before_its_scripts_arrive_is_not_lost(browser, origin, renderer):
    """On a slow network a reader may press the menu button between the first paint and Bootstrap's
    arrival: the loader holds the press and gives it to the button then."""
    if renderer != "quarto":
        pytest.skip("the built-in renderer's menu needs no script")
    context, page, problems, _ = reader_page(browser, width=375)
    held = []
    page.route("**/bootstrap.min.js", lambda route: held.append(route))  # Bootstrap on a slow network: not yet
    page.goto(f"{origin}/index.html", wait_until="commit")
    until(page, "!!document.querySelector('script[src$=\"bootstrap.min.js\"]')", seconds=30)  # asked for
    page.locator(".navbar-toggler").click()
    page.wait_for_timeout(300)
    assert not page.evaluate("document.querySelector('#navbarCollapse').classList.contains('show')")
    assert page.evaluate("document.documentElement.dataset.scripts") == "loading"
    for _ in range(300):  # the request reaches the route a moment after the script element is added
        if held:
            break
        page.wait_for_timeout(100)
    held[0].continue_()
    until(page, "document.querySelector('#navbarCollapse').classList.contains('show')")  # the press, given on arrival
    assert page.locator("#navbarCollapse a.nav-link:visible").count() >= 4
    assert problems == []
    context.close()


def test_quartos_menus_and_search_work_and_show_their_icons(browser, origin, renderer):
    """Quarto's frame with its stylesheets cut to what the site uses (quarto_weight.py): its
    menus open, and its search, whose result cards scripts build, finds pages and shows its icons."""
    if renderer != "quarto":
        pytest.skip("the built-in renderer has neither a menu script nor search")
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=1280)
    page.locator("#nav-menu-notebooks").click()
    assert page.locator(".dropdown-menu.show a.dropdown-item:visible").count() == len(NOTEBOOKS)
    page.keyboard.press("Escape")
    until(page, "!document.querySelector('.dropdown-menu.show')")
    page.locator("#quarto-search button, #quarto-search .aa-DetachedSearchButton").first.click()
    page.keyboard.type("troops")
    until(page, "document.querySelectorAll('.aa-Item').length > 0")
    icons = page.evaluate("[...document.querySelectorAll('.search-result-icon')].map(i => "
                          "[getComputedStyle(i, '::before').content, i.getBoundingClientRect().width])")
    assert icons and all(content not in ("none", "normal", '""') and width > 0 for content, width in icons), icons
    with page.expect_navigation():
        page.locator(".aa-Item a").first.click()
    assert page.url.startswith(origin) and page.url != f"{origin}/index.html", page.url
    assert page.locator("main#quarto-document-content").count() == 1
    context.close()
    context, page, more, _ = open_page(browser, f"{origin}/index.html", width=375)
    page.locator(".navbar-toggler").click()
    until(page, "document.querySelector('#navbarCollapse').classList.contains('show')")
    assert page.locator("#navbarCollapse a.nav-link:visible").count() >= 4
    assert problems + more == []
    context.close()


def test_the_interactive_chart_loads_only_when_asked_and_moves_nothing(browser, origin):
    context, page, problems, requests = open_page(browser, f"{origin}/index.html", width=1280)
    # cumulative layout shift as browsers count it (shifts right after a reader's input excluded)
    page.evaluate("""window.shifts = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
                     if (!e.hadRecentInput) window.shifts += e.value; }).observe({type: 'layout-shift', buffered: true});""")
    page.wait_for_timeout(1500)
    assert not any("vega-bundle" in url or ".vl.json" in url for url in requests), "loaded before anyone asked"
    page.evaluate("window.shifts = 0")  # the load's own shifts are the page views' (test above); the swap's here
    buttons = page.locator(".chart-explore")
    assert buttons.count() == len(chart_slugs())
    for index in range(3):
        figure = page.locator("figure.explainer-chart").nth(index)
        before = figure.locator(".chart-graphic").bounding_box()
        if index == 0:  # by keyboard: the reader stays on the chart when its button goes
            figure.locator(".chart-explore").focus()
            page.keyboard.press("Enter")
        else:
            figure.locator(".chart-explore").click()
        figure.locator(".chart-interactive svg").wait_for(timeout=30000)  # Vega parsed and run, on a busy core
        after = figure.locator(".chart-graphic").bounding_box()
        assert after["height"] == pytest.approx(before["height"], abs=1) and after["width"] == pytest.approx(before["width"], abs=1)
        if index == 0:
            assert figure.evaluate("f => f.contains(document.activeElement)")
            assert page.evaluate(_FOCUS_RING_CLIPPED) == []
        # the drawing's typeface, with a sans-serif standing in should it be missing (never the serif default)
        families = figure.locator(".chart-interactive svg text").evaluate_all(
            "texts => [...new Set(texts.map(t => getComputedStyle(t).fontFamily))]")
        assert families and all(f.startswith('"Explainer Sans Charts"') and f.endswith("sans-serif")
                                for f in families), families
        # drawn for its box, in the picture's font: not scaled (its labels would shrink below 12 px)
        scale = figure.locator(".chart-interactive svg").evaluate("s => s.getBoundingClientRect().width / s.width.baseVal.value")
        assert scale == pytest.approx(1, abs=0.02)
    assert page.evaluate("window.shifts") < 0.01
    assert problems == [] and page.evaluate("window.cspViolations") == []
    context.close()


# The ancestors of the focused element that cut its focus ring off (their overflow clips it).
_FOCUS_RING_CLIPPED = """() => {
  const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
  if (s.outlineStyle === 'none') return ['no ring at all'];
  const out = Math.max(0, parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset));
  const clipping = [];
  for (let a = e.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflow === 'visible') continue;
    const b = a.getBoundingClientRect();  // an overflow clips at the padding box: inside the borders
    const left = b.left + a.clientLeft, top = b.top + a.clientTop;
    if (r.left - out < left - 0.5 || r.right + out > left + a.clientWidth + 0.5 || r.top - out < top - 0.5
        || r.bottom + out > top + a.clientHeight + 0.5) clipping.push(a.tagName + '.' + a.className);
  }
  return clipping;
}"""


def test_a_notebook_page_offers_its_charts_interactive_view_too(browser, origin):
    path = next(page for page in chart_pages() if page.startswith("notebooks/"))
    context, page, problems, _ = open_page(browser, f"{origin}/{path}", width=1280, scheme="dark")
    figure = page.locator("figure.explainer-chart").first
    figure.scroll_into_view_if_needed()
    figure.locator(".chart-explore").click()
    figure.locator(".chart-interactive svg").wait_for(timeout=30000)  # Vega parsed and run, on a busy core
    assert problems == [] and page.evaluate("window.cspViolations") == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_interactive_charts_tooltips_are_readable_in_the_pages_scheme(browser, origin, scheme):
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=1280, scheme=scheme)
    figure = page.locator('figure.explainer-chart[data-chart="us-responses-timeline"]')
    figure.scroll_into_view_if_needed()
    figure.locator(".chart-explore").click()
    band = figure.locator(".chart-interactive svg g.mark-rect path").first  # the attacks, the longest text
    band.wait_for(timeout=30000)  # Vega parsed and run, on a busy core
    box = band.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 5, box["y"] + box["height"] / 2)  # past its label
    until(page, "!!document.querySelector('#vg-tooltip-element.visible')")
    tip = page.evaluate("""() => { const t = document.querySelector('#vg-tooltip-element'), s = getComputedStyle(t);
        const cells = [...t.querySelectorAll('td')];
        return {size: parseFloat(s.fontSize), background: s.backgroundColor, text: t.textContent,
                colours: cells.map(c => getComputedStyle(c).color),
                cut: cells.filter(c => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1)
                          .map(c => c.textContent)}; }""")
    assert tip["size"] >= 12, tip
    assert is_dark(tip["background"]) == (scheme == "dark"), tip
    assert all(contrast(colour, tip["background"]) >= 4.5 for colour in tip["colours"]), tip
    assert tip["cut"] == [] and "gives no dates" in tip["text"], tip
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_first_tab_offers_a_skip_past_the_navigation(browser, origin, width):
    context, page, _, _ = open_page(browser, f"{origin}/", width=width)  # as readers arrive (from /index.html Quarto sends #links to /)
    page.keyboard.press("Tab")
    link = page.evaluate("""(() => { const e = document.activeElement, r = e.getBoundingClientRect();
        return {text: e.textContent, left: r.left, top: r.top, shown: document.elementFromPoint(
                (r.left + r.right) / 2, (r.top + r.bottom) / 2) === e}; })()""")
    assert link["text"] == "Skip to content" and link["left"] >= 0 and link["top"] >= 0 and link["shown"], link
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the next stop is in the article, past the navbar and the table of contents
    assert page.evaluate("!!document.activeElement.closest('#quarto-document-content')")
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_focus_taken_back_into_the_hidden_header_brings_it_back(browser, origin, width):
    """Quarto's header hides as the reader scrolls down; Shift+Tab from the content into it must
    not leave the focus on links out of sight."""
    context, page, _, _ = open_page(browser, f"{origin}/index.html", width=width)
    hides = page.locator("#quarto-header.headroom").count() > 0  # Quarto's; the built-in header scrolls away
    page.mouse.move(100, 400)  # the wheel scrolls what is under the pointer
    for _ in range(40):  # scrolled down until Quarto hides its header (a busy machine may take a few turns)
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(200)
        if not hides or page.evaluate("!!document.querySelector('#quarto-header.headroom--unpinned')"):
            break
    else:
        raise AssertionError("Quarto's header never hid as the page scrolled down")
    previous = None
    for _ in range(150):  # the wheel's smooth scroll, ended (else it would carry on past the focus's own scroll)
        if previous is not None and previous == page.evaluate("scrollY") > 0:
            break
        previous = page.evaluate("scrollY")
        page.wait_for_timeout(100)
    # the first stop after the header (at 1280 px the table of contents' first link, sticky beside the
    # article; on a phone, where it is hidden, the article's first), left where it is: going back from
    # further down, a stop the page scrolls up to can bring the header back before the focus reaches it
    page.evaluate("""(header => [...document.querySelectorAll('#TOC a, main a, main summary')].find(e =>
      (header.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) && e.getClientRects().length))
      (document.querySelector('#quarto-header')).focus({preventScroll: true})""")
    for _ in range(10):
        hidden = page.evaluate("!!document.querySelector('#quarto-header.headroom--unpinned')")
        page.keyboard.press("Shift+Tab")
        if page.evaluate("!!document.activeElement.closest('#quarto-header')"):
            break
    else:
        raise AssertionError("Shift+Tab never reached the header")
    assert hidden or not hides, "the header was already back: the test proves nothing"
    # Quarto's header slides back in 200 ms (longer on a busy machine): waited for, up to until()'s limit
    until(page, "(r => r.top >= 0 && r.bottom <= innerHeight)(document.activeElement.getBoundingClientRect())")
    context.close()


def test_code_copied_from_a_notebook_page_is_the_notebooks_code(browser, origin):
    """Wrapped code draws its indentation as padding (postrender.py, explainer.css): what a reader
    selects and copies, and what Quarto's copy button copies (the code's innerText), keeps it."""
    timeline = next(path for path in NOTEBOOKS if path.name == "04-chart-timeline.ipynb")
    notebook = json.loads(timeline.read_text(encoding="utf-8"))
    source = next("".join(cell["source"]) for cell in notebook["cells"] if "def draw_timeline" in "".join(cell["source"]))
    source = "".join(line for line in source.splitlines(True) if not line.startswith("#|"))  # Quarto's cell options
    context, page, problems, _ = open_page(browser, f"{origin}/notebooks/04-chart-timeline.html", width=375)
    copied = page.evaluate("""() => {
      const code = [...document.querySelectorAll('pre code')].find(c => c.textContent.includes('def draw_timeline'));
      getSelection().selectAllChildren(code);
      return [getSelection().toString(), code.innerText]; }""")
    assert [text.rstrip("\n") for text in copied] == [source.rstrip("\n")] * 2
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_keyboard_focus_is_ringed_wherever_it_goes(browser, origin, width):
    """Tab through the page's first stops (the navbar, the table of contents, the figures): each
    focused element shows a ring, inside the viewport."""
    context, page, _, _ = open_page(browser, f"{origin}/index.html", width=width)
    for _ in range(14):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            const r = e.getBoundingClientRect();
            return {what: e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30), style: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), offset: parseFloat(s.outlineOffset),
                    left: r.left, right: r.right, viewport: innerWidth}; }""")
        if ring["what"].startswith("BODY"):
            continue
        # "auto" is the browser's own focus ring (buttons); any other must be 2 px or more
        assert ring["style"] == "auto" or (ring["style"] != "none" and ring["width"] >= 2), ring
        outside = max(0.0, max(ring["width"], 2) + ring["offset"])
        assert ring["left"] - outside >= 0 and ring["right"] + outside <= ring["viewport"], ring
    context.close()


def test_a_figure_opens_its_source_by_click_and_by_keyboard(browser, origin):
    # at the site's address, as readers arrive: Quarto rewrites links to index.html as links to
    # its folder, so from /index.html a same-page link would load the page again from /
    context, page, _, _ = open_page(browser, f"{origin}/", width=375)  # a phone: the ledger's row lands at the top
    figure = page.locator("#figure-us-troops-in-iraq")
    sentence = figure.locator(".source-sentence")
    assert not sentence.is_visible()
    figure.locator("summary").click()
    assert sentence.is_visible() and "2,500" in sentence.inner_text()
    figure.locator("summary").click()
    assert not sentence.is_visible()
    figure.locator("summary").focus()
    page.keyboard.press("Enter")
    assert sentence.is_visible()
    before = page.evaluate("performance.getEntriesByType('navigation').length && performance.timeOrigin")
    figure.get_by_role("link").click()
    page.wait_for_url("**/#claim-us-troops-in-iraq")
    page.locator("#claim-us-troops-in-iraq").wait_for(state="visible")
    assert page.evaluate("performance.timeOrigin") == before, "the link loaded the page again"
    assert page.evaluate(_UNDER_THE_HEADER, "#claim-us-troops-in-iraq") is False  # below Quarto's fixed header
    context.close()


# Whether the element is (partly) under a fixed header that is in view: hidden from the reader.
_UNDER_THE_HEADER = """selector => { const header = document.querySelector('header.fixed-top');
  if (!header || getComputedStyle(header).position !== 'fixed') return false;
  const h = header.getBoundingClientRect(), target = document.querySelector(selector).getBoundingClientRect();
  // (one taller than the room under the header cannot be wholly in view: the browser shows what it can)
  return h.bottom > 0 && target.top < h.bottom - 1 && target.height <= innerHeight - h.bottom; }"""


@pytest.mark.parametrize("width", [375, 1280])
def test_what_the_keyboard_reaches_going_back_up_is_not_under_the_header(browser, origin, width):
    """Shift+Tab up the page scrolls each stop into view: below Quarto's fixed header (which comes
    back as the page scrolls up), not under it."""
    context, page, problems, _ = open_page(browser, f"{origin}/index.html", width=width)
    page.evaluate("[...document.querySelectorAll('main a')].pop().focus()")  # the article's last stop
    hidden = []
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        page.wait_for_timeout(300)  # the header slides back in 200 ms as the page scrolls up
        if not page.evaluate("!!document.activeElement.closest('main')"):
            break
        if page.evaluate(_UNDER_THE_HEADER, ":focus"):
            hidden.append(page.evaluate("document.activeElement.textContent.trim().slice(0, 40)"))
    assert hidden == []
    assert problems == []
    context.close()


HOSTILE = "<script>alert(document.domain)</script><img src=x onerror=alert(document.cookie)> **bold** [link](https://evil.example)"


_HOSTILE_SITES: dict = {}


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory, renderer):
    """The site built from a seed whose headline and a claimed sentence carry HTML, a script and
    Markdown: built once per renderer (the tests alternate between renderers)."""
    if renderer not in _HOSTILE_SITES:
        _HOSTILE_SITES[renderer] = _build_hostile_site(tmp_path_factory, renderer)
    return _HOSTILE_SITES[renderer]


def _build_hostile_site(tmp_path_factory, renderer) -> str:
    root = copy_project(tmp_path_factory.mktemp("hostile"), with_site=False)
    seed = next((root / "seeds").glob("000_*.txt"))
    text = seed.read_text(encoding="utf-8")
    headline = text.split("\n", 1)[0]
    hostile_headline = f"{HOSTILE} {headline}"  # the headline's own words stay: the ledger quotes them
    text = text.replace(headline, hostile_headline, 1).replace("There are currently", f"{HOSTILE} There are currently", 1)
    seed.write_text(text, encoding="utf-8")
    metadata = root / "seeds" / "article.yml"
    metadata.write_text(metadata.read_text(encoding="utf-8").replace(f'"{headline}"', json.dumps(hostile_headline)),
                        encoding="utf-8")
    result = run_explainer(root, "build", "--renderer", renderer)
    assert result.returncode == 0, result.stderr[-3000:]
    return serve_in_background(root / "site")[0]  # a daemon thread: it ends with the run


@pytest.mark.parametrize("path", ["index.html", "methods.html", "notebooks/01-claims-ledger.html",
                                  "notebooks/05-explainer-page-parts.html"])
def test_hostile_seed_text_is_shown_as_text_and_never_run(browser, hostile_site, path):
    context, page, problems, requests = open_page(browser, f"{hostile_site}/{path}")
    for details in page.locator("details").all():  # open every source, so each sentence renders
        details.evaluate("element => element.open = true")
    page.wait_for_timeout(300)
    assert "<script>alert(document.domain)</script>" in page.locator("main").inner_text()
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('a[href="https://evil.example"]').count() == 0
    assert page.locator("main strong", has_text=re.compile(r"^bold$")).count() == 0
    assert page.evaluate("[...document.scripts].some(s => s.textContent.includes('alert('))") is False
    assert problems == [] and page.evaluate("window.cspViolations") == []
    assert all(urlparse(url).netloc == urlparse(hostile_site).netloc for url in requests)
    context.close()


def test_the_policy_blocks_and_reports_what_it_forbids(browser, site, tmp_path):
    """The Content-Security-Policy listener is live: an injected inline script and a third-party
    image are blocked and reported (so a clean page's empty report means something)."""
    site = Path(shutil.copytree(site, tmp_path / "site"))
    index = site / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</main>", '<script>document.title = "ran"</script><img src="https://tracker.example/p.gif" alt=""></main>'),
        encoding="utf-8")
    url, server = serve_in_background(site)
    try:
        context, page, _, _ = open_page(browser, f"{url}/index.html")
        until(page, "window.cspViolations.some(v => v.startsWith('img-src'))")  # the image's report comes when it is tried
        violations = page.evaluate("window.cspViolations")
        assert page.title() != "ran"
        assert any(v.startswith("script-src") for v in violations), violations
        assert any(v.startswith("img-src") and "tracker.example" in v for v in violations), violations
        context.close()
    finally:
        server.shutdown()
