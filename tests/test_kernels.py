"""Warm kernels (explainer/build/kernels.py): each notebook still runs in a clean kernel of its own, and
a kernel forked from the zygote starts out exactly as a kernel started the usual way."""

from __future__ import annotations

import json
import os
import sys
import time

import nbformat
import pytest
from nbclient import NotebookClient

from explainer.build import kernels, zygote
from explainer.build.pipeline import Notebook, execute

pytestmark = pytest.mark.slow  # each test starts kernels and runs notebooks

# ---------------------------------------------------------------------------------------------
# Isolation: what one notebook does is invisible to the next

FIRST = """\
import os, sys
package = [name for name in sys.modules if name.split(".")[0] == "explainer"]  # none: the package starts afresh
import pandas as pd
import altair as alt
import explainer.tables

warm = "pandas" in sys.modules  # imported before this cell ran: the kernel was forked warm
secret = 42
pd.set_option("display.max_rows", 3)
alt.marker_from_notebook_01 = True
explainer.tables.marker_from_notebook_01 = True
sys.modules["json"].marker_from_notebook_01 = True
os.environ["MARKER_FROM_NOTEBOOK_01"] = "1"
print(os.getpid(), warm, len(package))
"""

SECOND = """\
import os, sys
import json
import pandas as pd
import altair as alt
import explainer.tables

assert "secret" not in globals(), "a name from notebook 01 is visible"
assert pd.get_option("display.max_rows") == 60, pd.get_option("display.max_rows")
assert not hasattr(alt, "marker_from_notebook_01")
assert not hasattr(explainer.tables, "marker_from_notebook_01")
assert not hasattr(json, "marker_from_notebook_01")
assert "MARKER_FROM_NOTEBOOK_01" not in os.environ
print(os.getpid())
"""



def _notebook(folder, name: str, source: str) -> tuple[Notebook, nbformat.NotebookNode]:
    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    node.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(node, path)
    return Notebook(path, (), ()), nbformat.read(path, as_version=4)


def test_a_notebook_sees_no_name_and_no_module_state_from_the_one_before(tmp_path):
    first = execute(*_notebook(tmp_path, "01-first.ipynb", FIRST))
    second = execute(*_notebook(tmp_path, "02-second.ipynb", SECOND))  # raises if an assertion failed
    first_pid, warm, package = first.cells[0].outputs[0]["text"].split()
    assert warm == "True", "the test must exercise a kernel forked from the zygote"
    assert package == "0", "the explainer package was already imported when the notebook started"
    assert first_pid != second.cells[0].outputs[0]["text"].strip()


def test_the_notebooks_run_in_warm_kernels_whatever_kernel_name_they_carry(tmp_path, monkeypatch):
    """The provisioner is the default for every kernelspec that names none, so a notebook naming
    another kernelspec of this environment is forked too (here: one as `ipykernel install` writes
    it, with -Xfrozen_modules=off: the zygote is started with the same option)."""
    kernels.install()
    spec = tmp_path / "share" / "jupyter" / "kernels" / "explainer-alias"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "alias", "language": "python",
    }))
    probe = "import sys\nprint('pandas' in sys.modules, sys._xoptions.get('frozen_modules'))"
    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    NotebookClient(node, kernel_name="explainer-alias", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert node.cells[0].outputs[0]["text"].strip() == "True off"


def test_kernels_differing_only_in_per_kernel_variables_share_a_zygote():
    """nbval's kernels each start under another PYTEST_CURRENT_TEST, make data's under its staging folder."""
    base = dict(os.environ)
    zygote = kernels.start(base)
    for name, value in [("PYTEST_CURRENT_TEST", "notebooks/x.ipynb::Cell 3 (call)"), ("JPY_PARENT_PID", "1"),
                        ("EXPLAINER_DATA_DIR", "/elsewhere")]:
        assert kernels.start({**base, name: value}) is zygote
    assert kernels.start({**base, "PYTHONHASHSEED": "0"}) is not zygote  # read when the interpreter starts


def test_the_zygote_started_ahead_is_the_one_the_notebooks_kernels_are_forked_from():
    """`make data` starts the zygote alongside the ledger check, from the notebooks' own kernelspec
    (its interpreter options included): their kernels find it importing, not a second one."""
    from jupyter_client.kernelspec import KernelSpecManager

    from explainer.paths import NOTEBOOKS_DIR

    kernels.stop()
    notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    kernels.start_for(notebooks)
    ahead = list(kernels._ZYGOTES.values())
    name = nbformat.read(notebooks[0], as_version=4).metadata.kernelspec.name
    spec = KernelSpecManager().get_kernel_spec(name)
    asked = kernels.start({**os.environ, **spec.env}, kernels.interpreter_options(spec.argv))
    assert ahead == [asked]


@pytest.mark.parametrize(("argv", "forked"), [
    ([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"], True),
    ([os.path.join(os.path.dirname(sys.executable), "python"), "-m", "ipykernel_launcher", "-f", "c.json"], True),
    ([sys.executable, "-m", "ipykernel", "-f", "c.json"], True),
    ([sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"], True),
    ([sys.executable, "-X", "frozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"], True),
    ([sys.executable, "-c", "import ipykernel_launcher", "-m", "ipykernel_launcher"], False),
    (["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "c.json"], False),
    (["R", "--slave", "-e", "IRkernel::main()", "--args", "c.json"], False),
])
def test_only_this_environments_plain_ipykernel_is_forked(argv, forked):
    assert kernels.forkable(argv) is forked


# ---------------------------------------------------------------------------------------------
# Equivalence: a warm kernel starts in the state a cold one does

PROBE = """\
import hashlib, importlib, json, re, sys
missing = [name for name in PRELOAD if name not in sys.modules]  # not imported before this cell
roots = {name.split(".")[0] for name in PRELOAD} | {"traitlets", "comm"}
for name in PRELOAD:
    importlib.import_module(name)
simple = (int, float, str, bool, bytes, type(None), tuple, list, dict, set, frozenset)
state = {}
for module_name, module in sorted(sys.modules.items()):
    if module is None or module_name.split(".")[0] not in roots:
        continue
    for key, value in sorted(vars(module).items()):
        if key.startswith("__") or not isinstance(value, simple):
            continue
        text = repr(sorted(map(repr, value))) if isinstance(value, (set, frozenset)) else repr(value)
        state[f"{module_name}.{key}"] = re.sub(r"(0x|memory:)[0-9a-f]+", "ADDRESS", text)
import pandas

state["pandas options"] = repr(sorted(pandas._config.config._global_config.items()))
state["sys.path"] = repr(sys.path)
state["sys.argv[0]"] = sys.argv[0]
state["sys.flags"] = repr(sys.flags)
state["cwd"] = __import__("os").getcwd()
state["stdin"] = repr(sys.stdin)
print(json.dumps({"state": state, "missing": missing}))
"""
# Differ from one kernel to the next whichever way it starts: a key drawn at random when
# jupyter_client.session is imported (the default of its unused --secure flag), and a table keyed by id().
RANDOM_AT_IMPORT = ("session_flags", "kernel_flags", "IPython.lib.pretty._singleton_pprinters")


def _probe_state(tmp_path, monkeypatch, warm: bool) -> dict[str, str]:
    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"PRELOAD = {zygote.PRELOAD!r}\n" + PROBE)])
    # the same hash seed in both kernels, so that sets built on import list their items in the same order
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    monkeypatch.setenv("EXPLAINER_WARM_KERNELS", "1" if warm else "0")
    kernels.install()
    deadline = time.monotonic() + 180  # the zygote imports the rest while the other test worker runs
    while True:  # a kernel forked before the zygote imported PRELOAD_LATER imports the rest itself: ask again
        NotebookClient(node, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
        probe = json.loads(node.cells[0].outputs[0]["text"])
        if not warm or not probe["missing"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (probe["missing"] == []) if warm else ("pandas" in probe["missing"])
    state = probe["state"]
    return {key: value for key, value in state.items() if not key.endswith(RANDOM_AT_IMPORT)}


def test_a_warm_kernel_starts_with_every_preloaded_module_as_a_cold_kernel_imports_it(tmp_path, monkeypatch):
    cold, warm = _probe_state(tmp_path, monkeypatch, warm=False), _probe_state(tmp_path, monkeypatch, warm=True)
    assert len(cold) > 1000
    differ = sorted(key for key in cold.keys() | warm.keys() if cold.get(key) != warm.get(key))
    assert not differ, {key: (cold.get(key, "-")[:200], warm.get(key, "-")[:200]) for key in differ[:5]}


def test_a_preload_that_prints_is_caught(tmp_path, monkeypatch):
    """Output while importing would have been part of a notebook's output: the zygote then forks nothing."""
    (tmp_path / "noisy_on_import.py").write_text("import sys\nprint('imported', file=sys.stderr)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert zygote.preload_as_in_a_kernel(("no_such_module_anywhere",)) == ""
    assert "imported" in zygote.preload_as_in_a_kernel(("noisy_on_import",))
