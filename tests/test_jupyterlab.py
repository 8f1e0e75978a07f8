"""The notebooks as the people who rerun them meet them: a real JupyterLab from the project's
environment, on a copy of the project as cloned, with fresh Jupyter folders (so nothing is
trusted), in Chromium; and `jupyter nbconvert --to html`, offline."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from explainer.paths import PROJECT_ROOT
from support import NOTEBOOKS, chart_outputs

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("jupyterlab")]  # one JupyterLab

BIN = Path(sys.executable).parent
TOKEN = "explainer-tests"
CHART_NOTEBOOKS = Counter(output["notebook"] for output in chart_outputs().values())  # how many charts each shows
NOTEBOOKS = [path.name for path in NOTEBOOKS]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_cloned(root: Path) -> Path:
    for name in ("notebooks", "data"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    return root


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of the project, with its own empty Jupyter config, data and
    settings folders: no notebook is trusted, no kernel but the environment's is known."""
    root = _as_cloned(tmp_path_factory.mktemp("clone"))
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "settings"
    # autosave every 2 s, so that a notebook marked modified by opening it is written where we can see it
    for plugin, values in {
        "@jupyterlab/docmanager-extension/plugin": {"autosaveInterval": 2},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "EXPLAINER_DATA_DIR": str(root / "data")}  # Run All writes the exports into the copy
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={TOKEN}", "--LabApp.expose_app_in_browser=True", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(360):  # 3 minutes: the machine may be busy with the other test worker
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab did not start: {server.stderr.read()[-2000:]}")
            time.sleep(0.5)
    else:
        pytest.fail("JupyterLab did not answer within 3 minutes")
    yield url, root
    server.terminate()
    server.wait(timeout=30)


def _widget(name: str) -> str:
    """A script expression for the notebook's panel (JupyterLab may restore other tabs beside it)."""
    return ("[...window.jupyterapp.shell.widgets('main')]"
            f".find(w => w.context && w.context.path === 'notebooks/{name}')")


def _open_notebook(browser, url: str, name: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{url}/lab/tree/notebooks/{name}?token={TOKEN}", wait_until="commit")  # its scripts: waited for below
    page.wait_for_function(f"window.jupyterapp && {_widget(name)}", timeout=120_000)
    # the kernel the notebook names starts, with no "select a kernel" dialog
    page.wait_for_function(f"{_widget(name)}.sessionContext.session?.kernel?.status === 'idle'", timeout=90_000)
    return context, page, problems


def _kernel_name(page, name) -> str:
    return page.evaluate(f"{_widget(name)}.sessionContext.session.kernel.name")


def _is_dirty(page, name) -> bool:
    return page.evaluate(f"{_widget(name)}.context.model.dirty")


def _drawn_charts(page, name) -> list[dict]:
    """Each Vega view JupyterLab drew: its size, and whether it is a graphic (canvas or SVG)."""
    return page.evaluate(f"""() => [...{_widget(name)}.node.querySelectorAll('.jp-RenderedVegaCommon5')].map(view => {{
        const graphic = view.querySelector('canvas, svg.marks');
        const box = graphic ? graphic.getBoundingClientRect() : {{width: 0, height: 0}};
        return {{graphic: !!graphic, width: box.width, height: box.height}};
    }})""")


@pytest.mark.parametrize("name", sorted(CHART_NOTEBOOKS))
def test_an_untrusted_notebook_as_cloned_shows_its_charts_as_vega_graphics(browser, lab, name):
    url, root = lab
    before = (root / "notebooks" / name).read_bytes()
    context, page, problems = _open_notebook(browser, url, name)
    try:
        assert _kernel_name(page, name) == "explainer"
        page.wait_for_function(f"{_widget(name)}.node.querySelectorAll("
                               "'.jp-RenderedVegaCommon5 canvas, .jp-RenderedVegaCommon5 svg.marks').length"
                               f" >= {CHART_NOTEBOOKS[name]}", timeout=60_000)
        assert not page.evaluate(f"{_widget(name)}.context.model.trusted"), "should be untrusted"
        charts = _drawn_charts(page, name)
        assert len(charts) == CHART_NOTEBOOKS[name]
        assert all(c["graphic"] and c["width"] > 250 and c["height"] > 150 for c in charts), charts
        # nothing of the site's figure leaks in as loose, sanitised text
        assert "Explore this chart" not in page.evaluate(f"{_widget(name)}.node.innerText")
        page.evaluate(f"{_widget(name)}.node.querySelector('.jp-RenderedVegaCommon5').scrollIntoView()")
        page.screenshot(path=str(PROJECT_ROOT / ".build" / "screenshots" / f"jupyterlab-{name}.png"))
        time.sleep(4)  # two autosave intervals: a notebook opening had modified would now be written
        assert not _is_dirty(page, name), "opening the notebook marked it modified"
        page.evaluate(f"void {_widget(name)}.close()")  # not awaited: a dialog would hold its promise forever
        assert problems == []
    finally:
        context.close()
    assert (root / "notebooks" / name).read_bytes() == before, "opening and closing changed the file"


def test_every_notebook_opens_on_its_kernel_without_being_modified(browser, lab):
    url, root = lab
    for name in (n for n in NOTEBOOKS if n not in CHART_NOTEBOOKS):
        before = (root / "notebooks" / name).read_bytes()
        context, page, problems = _open_notebook(browser, url, name)
        try:
            assert _kernel_name(page, name) == "explainer"
            time.sleep(4)
            assert not _is_dirty(page, name), f"opening {name} marked it modified"
            assert problems == []
        finally:
            context.close()
        assert (root / "notebooks" / name).read_bytes() == before, f"opening {name} changed it"


def test_run_all_in_jupyterlab_gives_the_stored_notebook(browser, lab):
    """Run All on the kernel `make lab` gives, then save: the same bytes as committed."""
    url, root = lab
    name = min(CHART_NOTEBOOKS)
    before = (root / "notebooks" / name).read_bytes()
    context, page, problems = _open_notebook(browser, url, name)
    try:
        page.evaluate(f"window.jupyterapp.shell.activateById({_widget(name)}.id)")
        page.evaluate("void window.jupyterapp.commands.execute('notebook:run-all-cells')")  # awaited below, with a timeout
        page.wait_for_function(f"""() => {{
            const notebook = {_widget(name)};
            const cells = notebook.content.widgets.filter(cell => cell.model.type === 'code');
            return notebook.sessionContext.session.kernel.status === 'idle'
                && cells.every(cell => cell.model.executionCount !== null);
        }}""", timeout=120_000)
        page.evaluate(f"void {_widget(name)}.context.save()")  # awaited below, with a timeout
        page.wait_for_function(f"!{_widget(name)}.context.model.dirty", timeout=30_000)
        assert problems == []
    finally:
        context.close()
    after = (root / "notebooks" / name).read_bytes()
    assert after == before, "Run All in JupyterLab stored different outputs or metadata"


@pytest.mark.parametrize("name", sorted(CHART_NOTEBOOKS))
def test_nbconvert_html_shows_the_charts_offline(browser, tmp_path, name):
    root = _as_cloned(tmp_path)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(root / "notebooks" / name)],
                   check=True, capture_output=True)
    html_file = (root / "notebooks" / name).with_suffix(".html")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    try:
        page = context.new_page()
        page.goto(html_file.as_uri(), wait_until="load")
        images = page.locator("figure.explainer-chart picture img")
        assert images.count() == CHART_NOTEBOOKS[name]
        for index in range(images.count()):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete", arg=image.element_handle(), timeout=10_000)
            natural, shown = image.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
            assert natural > 0, f"chart {index} of {name} did not load"
            assert shown == pytest.approx(natural, abs=1), "the drawing is scaled, not shown at its size"
    finally:
        context.close()
