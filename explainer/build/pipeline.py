"""``make data``: execute the numbered notebooks in order, safely and only when needed.

* Each notebook declares what it reads and writes in its metadata (``explainer.reads`` and
  ``explainer.writes``, paths from the project root); the order and what may run side by side
  follow from those lists.
* A notebook is executed only when its content hash changed (as with Quarto's ``freeze: auto``):
  its cells, the files it reads and the package modules it imports, directly or not. The hash is
  stored in the notebook's metadata, so a fresh clone knows what is up to date.
* Everything runs in a staging folder. ``data/`` and the notebooks are replaced only after
  every notebook succeeded and the tables passed the data package and the ledger checks, so a
  failed run leaves them exactly as they were.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from ..errors import InputError
from ..paths import BUILD_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, PROJECT_ROOT, relative
from . import progress

if TYPE_CHECKING:
    from ..claims import Ledger


@dataclass(frozen=True)
class Notebook:
    path: Path
    reads: tuple[str, ...]
    writes: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.name


def discover(folder: Path = NOTEBOOKS_DIR) -> list[Notebook]:
    """The numbered notebooks, in order, with the inputs and outputs they declare."""
    notebooks = []
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        try:
            metadata = nbformat.read(path, as_version=4).metadata.get("explainer", {})
        except Exception as error:  # nbformat raises several types for a damaged file
            raise InputError(relative(path), f"not a readable notebook: {error}") from None
        if "reads" not in metadata or "writes" not in metadata:
            raise InputError(relative(path), "metadata.explainer must list `reads` and `writes`")
        notebooks.append(Notebook(path, tuple(metadata["reads"]), tuple(metadata["writes"])))
    return notebooks


def levels(notebooks: list[Notebook]) -> list[list[Notebook]]:
    """Group notebooks so that each group only reads what earlier groups wrote."""
    producer = {output: nb for nb in notebooks for output in nb.writes}
    depth: dict[str, int] = {}
    for nb in notebooks:  # numbered order is a valid order: a notebook reads only earlier outputs
        upstream = [producer[r] for r in nb.reads if r in producer]
        for up in upstream:
            if up.name not in depth:
                raise InputError(relative(nb.path), f"reads {up.writes[0]!r}, written by the later {up.name}")
        depth[nb.name] = 1 + max((depth[u.name] for u in upstream), default=-1)
    grouped: list[list[Notebook]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for nb in notebooks:
        grouped[depth[nb.name]].append(nb)
    return grouped


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


_AST_LOCK = threading.Lock()


def _imports(source: str) -> set[str]:
    """The package modules a piece of code imports (``explainer.x`` or, inside the package, ``.x``)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        with _AST_LOCK:  # CPython 3.11's parser is not safe to call from two threads at once
            tree = ast.parse(code)
    except SyntaxError:
        return {path.stem for path in PACKAGE_DIR.glob("*.py")}  # cannot tell: assume everything
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("explainer.")}
        elif isinstance(node, ast.ImportFrom):
            absolute = node.module or ""
            if node.level == 1 or absolute == "explainer" or absolute.startswith("explainer."):
                inner = absolute.removeprefix("explainer").lstrip(".") if node.level == 0 else absolute
                if inner:
                    found.add(inner.split(".")[0])
                else:  # `from explainer import charts` / `from . import charts`
                    found |= {alias.name for alias in node.names}
    return {name for name in found if (PACKAGE_DIR / f"{name}.py").exists()}


def package_modules_used(sources: list[str]) -> list[Path]:
    """The package's modules the code runs, directly or through other modules, in a stable order.

    Only these enter a notebook's hash, so editing the charts module re-runs the chart notebooks
    and leaves the ledger notebooks alone. (The site renderer never runs in a notebook.)
    """
    pending = set().union(*(_imports(source) for source in sources)) | {"__init__"}
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        seen.add(name)
        pending |= _imports((PACKAGE_DIR / f"{name}.py").read_text(encoding="utf-8")) - seen
    return sorted(PACKAGE_DIR / f"{name}.py" for name in seen)


def input_hash(nb: Notebook, node: nbformat.NotebookNode, resolve) -> str:
    """A digest of everything that determines the notebook's outputs."""
    digest = hashlib.sha256()
    for cell in node.cells:
        digest.update(cell.cell_type.encode() + b"\0" + cell.source.encode() + b"\0")
    for name in nb.reads:
        digest.update(name.encode() + _file_digest(resolve(name)).encode())
    code = [cell.source for cell in node.cells if cell.cell_type == "code"]
    for source in package_modules_used(code):
        digest.update(source.name.encode() + _file_digest(source).encode())
    return digest.hexdigest()


def cell_outputs_hash(node: nbformat.NotebookNode) -> str:
    """A digest of the notebook's stored outputs (what its page on the site shows), recorded when
    the build ran it, so that an output edited by hand afterwards is noticed (``generated.py``)."""
    outputs = [cell.get("outputs", []) for cell in node.cells if cell.cell_type == "code"]
    return hashlib.sha256(json.dumps(outputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def ran_on_these_inputs(nb: Notebook, node: nbformat.NotebookNode, resolve=lambda name: PROJECT_ROOT / name) -> bool:
    """The notebook's cells, the files it reads and the modules it imports are those it last ran on."""
    return node.metadata.get("explainer", {}).get("input_hash") == input_hash(nb, node, resolve)


def _is_fresh(nb: Notebook, node: nbformat.NotebookNode, resolve) -> bool:
    if not ran_on_these_inputs(nb, node, resolve):
        return False
    outputs = node.metadata["explainer"].get("output_hashes", {})
    return all(outputs.get(name) == _file_digest(resolve(name)) for name in nb.writes)


def behind(notebooks: list[Notebook]) -> list[Notebook]:
    """The notebooks ``make data`` would run now: those whose inputs (cells, files read, package
    modules) changed since they last ran, and those that read what one of them writes."""
    due, rewritten = [], set()
    for nb in notebooks:  # numbered order: a notebook reads only earlier notebooks' outputs
        if rewritten & set(nb.reads) or not ran_on_these_inputs(nb, nbformat.read(nb.path, as_version=4)):
            due.append(nb)
            rewritten |= set(nb.writes)
    return due


def _cell_failure(nb: Notebook, node: nbformat.NotebookNode, error: Exception) -> InputError:
    """One line naming the notebook, the cell and the error the cell raised."""
    for index, cell in enumerate(node.cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                label = next(
                    (
                        line.split(":", 1)[1].strip()
                        for line in cell.source.splitlines()
                        if line.startswith("#| label:")
                    ),
                    None,
                )
                where = f"cell {index}" + (f" ({label})" if label else "")
                return InputError(relative(nb.path), f"{where} raised {output['ename']}: {output['evalue']}")
    return InputError(relative(nb.path), f"execution failed: {type(error).__name__}: {error}")


def execute(nb: Notebook, node: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel, from the notebooks folder, without timing metadata.
    The kernel is forked from a warm parent when it can be (see kernels.py)."""
    from nbclient import NotebookClient

    from . import kernels

    kernels.install()

    client = NotebookClient(
        node,
        timeout=timeout,
        kernel_name=node.metadata.get("kernelspec", {}).get("name", "python3"),  # as JupyterLab and nbval do
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    # The kernel talks over Unix sockets in a private folder, not TCP ports on localhost: no other
    # user of the machine can listen in, and ipykernel has no unencrypted traffic to warn about.
    sockets = tempfile.mkdtemp(prefix="explainer-kernel-")
    client.km = client.create_kernel_manager()
    client.km.transport, client.km.ip = "ipc", os.path.join(sockets, "kernel")
    try:
        client.execute()
    except Exception as error:  # CellExecutionError, DeadKernelError, timeouts...
        raise _cell_failure(nb, node, error) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return node


def log(message: str) -> None:
    progress.say("data", message)  # one whole line, even from two notebooks' threads at once


def run(ledger: Ledger, force: bool = False, jobs: int = 2) -> dict[str, list[str]]:
    """Bring ``data/`` and the notebooks up to date; return what ran and what was skipped.
    The staged tables must agree with ``ledger`` (already checked against the seed) to be published."""
    from ..tables import validate_datapackage
    from .generated import HAND_KEPT, refuse_hand_edits
    from .verify import verify_data

    notebooks = discover()
    if not force:  # a generated file edited by hand is refused, never silently overwritten
        refuse_hand_edits(notebooks)
    BUILD_DIR.mkdir(exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix="data-", dir=BUILD_DIR))
    try:
        stage_data = stage / "data"
        shutil.copytree(PROJECT_ROOT / "data", stage_data, dirs_exist_ok=True)

        def resolve(name: str) -> Path:
            return stage / name if name.startswith("data/") else PROJECT_ROOT / name

        os.environ["EXPLAINER_DATA_DIR"] = str(stage_data)  # kernels inherit it
        ran, skipped, executed = [], [], {}
        position = {nb.name: n for n, nb in enumerate(notebooks, 1)}

        def bring_up_to_date(nb: Notebook) -> None:
            node = nbformat.read(nb.path, as_version=4)
            counter = f"notebook {position[nb.name]} of {len(notebooks)}: {nb.name}"
            if not force and _is_fresh(nb, node, resolve):
                skipped.append(nb.name)
                log(f"{counter} … up to date, skipped")
                return
            log(f"{counter} … running")
            started = time.perf_counter()
            digest = input_hash(nb, node, resolve)
            execute(nb, node)
            missing = [name for name in nb.writes if not resolve(name).exists()]
            if missing:
                raise InputError(relative(nb.path), f"declares it writes {missing[0]!r} but did not")
            node.metadata["explainer"] = {
                "reads": list(nb.reads),
                "writes": list(nb.writes),
                "input_hash": digest,
                "output_hashes": {name: _file_digest(resolve(name)) for name in nb.writes},
                "cell_outputs_hash": cell_outputs_hash(node),
            }
            executed[nb.name] = node
            ran.append(nb.name)
            log(f"{counter} … ran in {time.perf_counter() - started:.1f} s")

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for level in levels(notebooks):
                list(pool.map(bring_up_to_date, level))  # re-raises the first failure

        declared = {*HAND_KEPT, *(name for nb in notebooks for name in nb.writes)}
        found = (p.relative_to(stage_data) for p in stage_data.rglob("*") if p.is_file())
        undeclared = sorted({f"data/{p.as_posix()}" for p in found  # not .ipynb_checkpoints/, .DS_Store...
                             if not any(part.startswith(".") for part in p.parts)} - declared)
        if undeclared:  # unlisted, it would escape the freshness checks, the hand-edit guard and `make verify`
            more = f", nor {len(undeclared) - 1} more; all {len(undeclared)}: {json.dumps(undeclared)}" if undeclared[1:] else ""
            raise InputError(undeclared[0], f"is in data/, but no notebook lists it in its metadata `explainer.writes`"
                                            f"{more}: add each to the `writes` of the notebook that writes it, or remove it")
        validate_datapackage(stage_data)  # even when nothing ran: data/ may have been edited by hand
        verify_data(ledger, stage_data)
        changed = _publish(stage_data, executed, notebooks)
        log(
            f"done: ran {len(ran)}, skipped {len(skipped)} up to date; "
            f"{len(changed)} {'file' if len(changed) == 1 else 'files'} in data/ changed" + (f" ({', '.join(changed)})" if changed else "")
        )
        return {"ran": ran, "skipped": skipped, "changed": changed}
    finally:
        from . import kernels

        kernels.stop()
        os.environ.pop("EXPLAINER_DATA_DIR", None)
        shutil.rmtree(stage, ignore_errors=True)


def _publish(stage_data: Path, executed: dict, notebooks: list[Notebook]) -> list[str]:
    """Move what changed from the stage into place, each file by an atomic rename."""
    changed = []
    for staged in sorted(p for p in stage_data.rglob("*") if p.is_file()):
        target = PROJECT_ROOT / "data" / staged.relative_to(stage_data)
        if target.exists() and target.read_bytes() == staged.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        changed.append(str(target.relative_to(PROJECT_ROOT / "data")))
    for nb in notebooks:
        if nb.name in executed:
            staged = stage_data.parent / nb.name
            nbformat.write(executed[nb.name], staged)
            os.replace(staged, nb.path)
    return changed
