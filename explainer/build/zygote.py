"""The warm kernels' parent, a *zygote*: its own process (``python -m explainer.build.zygote SOCKET``),
started by ``kernels.py``. It imports the heavy libraries once, then, for every kernel asked for
on its socket, forks a child that becomes an ordinary ipykernel kernel; what only some notebooks
need is imported meanwhile by a forked heir that then takes over, so the first notebooks need not
wait for it. It runs no notebook code itself. See ``kernels.py`` for what a forked kernel shares
with its siblings and what it does not.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

# Imported once by the zygote: the libraries the notebooks import, with what they import, and
# what ipykernel's kernelapp imports (IPython, pyzmq, tornado...). Not ipykernel.kernelapp itself:
# it reads JPY_PARENT_PID when imported, so each kernel imports it (and, when it starts, the
# debugger) with its own environment. Not the explainer package: cheap, and the very code whose
# state must not leak from one notebook to the next.
# First what every kernel needs (0.6 s of CPU), imported before any kernel is forked.
PRELOAD_FIRST = (
    "IPython.core.application",
    "IPython.core.profiledir",
    "IPython.core.shellapp",
    "jupyter_client.connect",
    "jupyter_client.session",
    "jupyter_core.paths",
    "tornado.ioloop",
    "zmq.eventloop.zmqstream",
    "ipykernel.connect",
    "ipykernel.control",
    "ipykernel.heartbeat",
    "ipykernel.iostream",
    "ipykernel.ipkernel",
    "ipykernel.parentpoller",
    "ipykernel.shellchannel",
    "ipykernel.zmqshell",
    "numpy",
    "pandas",
    "yaml",
    "pydantic",
)
# Then, in a forked heir that serves the kernels asked for once it has imported them, what only
# some notebooks import: the ledger notebooks need not wait for Altair (jsonschema alone costs
# over a second: it compiles rfc3987's grammars); a kernel forked before imports them itself, as
# a cold kernel would.
PRELOAD_LATER = (
    "fontTools.subset",
    "fontTools.ttLib",
    "brotli",
    "jsonschema",
    "altair",
    "vl_convert",
)
PRELOAD = PRELOAD_FIRST + PRELOAD_LATER


def _child(argv: list[str], env: dict[str, str], cwd: str, stdio: list[int], ready: int) -> int:
    """In the forked child: become ``python -m ipykernel_launcher ARGS``, with the requester's
    standard streams (``stdio``: the kernel's stdin pipe, the requester's stdout and stderr)."""
    os.setsid()  # its own session and process group, as jupyter_client's launcher gives a kernel
    os.write(ready, b"1")
    os.close(ready)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in any Python process
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    for name in [name for name in sys.modules if name == "explainer" or name.startswith("explainer.")]:
        del sys.modules[name]  # the zygote ran as explainer.build.kernels: the kernel imports the package afresh
    for target, fd in enumerate(stdio):
        os.dup2(fd, target)
    for fd in stdio:
        if fd > 2:
            os.close(fd)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    if "numpy" in sys.modules:  # a fresh process would seed numpy's global generator from the OS
        sys.modules["numpy"].random.seed()
    at = argv.index("-m", 1) + 1  # python [OPTIONS] -m LAUNCHER ARGS
    launcher, args = argv[at], argv[at + 1:]
    spec = importlib.util.find_spec(launcher if launcher == "ipykernel_launcher" else "ipykernel.__main__")
    sys.argv = [spec.origin if spec else launcher, *args]
    from ipykernel import kernelapp

    try:
        kernelapp.launch_new_instance(argv=args)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0


class _Shell:
    """What a library imported in a notebook finds when it calls ``get_ipython()``, as far as
    the preloaded ones look (pandas: "IPython as a Jupyter kernel" has a ``kernel``)."""

    kernel = None


def preload_as_in_a_kernel(names: tuple[str, ...]) -> str:
    """Import ``names`` as a notebook's first cell would, and return what that printed.

    A library may look at where it runs when it is imported: pandas sets ``display.max_columns``
    from whether ``get_ipython()`` is a kernel, and ``display.encoding`` from ``sys.stdout``'s
    encoding (ipykernel's streams say UTF-8). Here they find the same. Anything printed (a
    warning, say) would have been part of a notebook's output: the caller must then not fork.
    ``tests/test_kernels.py`` compares every preloaded module's state with a cold kernel's.
    """
    import builtins
    import io

    streams = io.TextIOWrapper(io.BytesIO(), encoding="UTF-8"), io.TextIOWrapper(io.BytesIO(), encoding="UTF-8")
    saved = sys.stdout, sys.stderr
    builtins.get_ipython = _Shell
    sys.stdout, sys.stderr = streams
    try:
        for name in names:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
    finally:
        sys.stdout, sys.stderr = saved
        del builtins.get_ipython
    printed = ""
    for stream in streams:
        stream.flush()
        printed += stream.buffer.getvalue().decode("utf-8", "replace")
    return printed


def _preloaded(names: tuple[str, ...]) -> bool:
    """Import ``names``; False if that printed (a cold kernel would have shown it in the notebook)."""
    printed = preload_as_in_a_kernel(names)
    if printed:
        print(f"explainer.build.kernels: importing {', '.join(names)} printed:\n{printed}warm kernels disabled",
              file=sys.stderr)
    return not printed


def serve(address: str, first: tuple[str, ...] = PRELOAD_FIRST, later: tuple[str, ...] = PRELOAD_LATER) -> None:
    """Import ``first``, then fork a kernel for each request on the Unix socket ``address``.

    Meanwhile a forked *heir* imports ``later`` (an import cannot be interrupted to fork a
    kernel: jsonschema's alone takes over a second), then takes over the socket; this zygote
    then only sees its own kernels out. A request is never kept waiting for an import.

    A request is one JSON line, ``{"argv": [...], "env": {...}, "cwd": "..."}``, sent with three
    file descriptors (the kernel's stdin, stdout and stderr) as ancillary data. The answer is a
    line ``{"pid": N}`` once the kernel is in its own process group, then ``{"exit": STATUS}``
    when it ends. If the requester hangs up first, the kernel is killed. The zygote ends when
    its parent does, or on SIGTERM (killing the kernels still running, and its heir).
    """
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as ipykernel_launcher does: the kernel adds its own working directory
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)  # requesters may connect while the imports below are still running
    if not _preloaded(first):
        return
    parent, me = os.getppid(), os.getpid()
    ready_r, ready_w = os.pipe()
    heir = os.fork()
    if heir == 0:
        os.close(ready_r)
        if not _preloaded(later):
            os._exit(0)  # the pipe closes unwritten: the first zygote serves on
        os.write(ready_w, b"1")
        os.close(ready_w)
        _serve(listener, me)  # ends when this zygote does
    os.close(ready_w)
    _serve(listener, parent, heir, ready_r)


def _serve(listener: socket.socket, parent: int, heir: int = 0, handover: int = -1) -> None:
    """Fork kernels for requests on ``listener`` until SIGTERM or ``parent`` ends; stop accepting
    once ``heir`` writes to ``handover``."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_r, selectors.EVENT_READ, "wake")
    if heir:
        selector.register(handover, selectors.EVENT_READ, "handover")
    kernels: dict[int, socket.socket] = {}  # kernel pid -> the requester's connection
    buffers: dict[socket.socket, bytes] = {}
    passed: dict[socket.socket, list[int]] = {}  # the stdio descriptors sent with a request

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if not pid:
                return
            conn = kernels.pop(pid, None)
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
                with contextlib.suppress(KeyError, ValueError):
                    selector.unregister(conn)
                conn.close()

    def fork(conn: socket.socket, request: dict, stdio: list[int]) -> None:
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into this loop
            code = 1
            try:
                os.close(ready_r)
                selector.close()
                listener.close()
                for other in [*buffers, *kernels.values()]:
                    other.close()
                for fd in (wake_r, wake_w, handover):
                    with contextlib.suppress(OSError):
                        os.close(fd)
                code = _child(request["argv"], request["env"], request["cwd"], stdio, ready_w)
            except BaseException:
                traceback.print_exc()
            finally:  # exit as the kernel's own process would: exit handlers (IPython's), then flush
                with contextlib.suppress(BaseException):
                    atexit._run_exitfuncs()
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(ready_w)
        for fd in stdio:
            os.close(fd)
        os.read(ready_r, 1)  # the child is in its own session: signals to its group reach it
        os.close(ready_r)
        kernels[pid] = conn
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")

    while not stopping and os.getppid() == parent:
        for key, _ in selector.select(timeout=0.5):
            if key.data == "accept":
                conn, _ = listener.accept()
                buffers[conn] = b""
                selector.register(conn, selectors.EVENT_READ, "request")
            elif key.data == "wake":
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 512)
            elif key.data == "handover":
                if os.read(handover, 1):  # the heir has imported everything: it accepts from now on
                    selector.unregister(listener)
                selector.unregister(handover)
            else:
                conn = key.fileobj
                if conn in buffers:  # still reading its request
                    chunk, fds, _, _ = socket.recv_fds(conn, 65536, 3)
                    buffers[conn] += chunk
                    passed.setdefault(conn, []).extend(fds)
                    if chunk and b"\n" not in buffers[conn]:
                        continue
                    data, stdio = buffers.pop(conn), passed.pop(conn)
                    if b"\n" not in data or len(stdio) != 3:
                        for fd in stdio:
                            os.close(fd)
                        selector.unregister(conn)
                        conn.close()
                        continue
                    fork(conn, json.loads(data.split(b"\n", 1)[0]), stdio)
                    continue
                chunk = conn.recv(65536)
                if not chunk:  # the requester hung up before its kernel ended: end the kernel
                    for pid, owner in list(kernels.items()):
                        if owner is conn:
                            with contextlib.suppress(OSError):
                                os.killpg(pid, signal.SIGKILL)
                    selector.unregister(conn)
        reap()
    if heir:
        with contextlib.suppress(OSError):
            os.kill(heir, signal.SIGTERM)
    for pid in kernels:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while kernels and time.monotonic() < deadline:
        reap()
        time.sleep(0.01)
    if heir:  # waited for, as its kernels were by it: their CPU time counts as the build's
        with contextlib.suppress(ChildProcessError):
            os.waitpid(heir, 0)
    os._exit(0)  # nothing to save or flush: skip tearing down what the preload imported (~0.5 s)


if __name__ == "__main__":
    serve(sys.argv[1])
