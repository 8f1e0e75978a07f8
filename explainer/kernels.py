"""Warm kernels: each notebook still gets a fresh ipykernel process of its own, forked from a
parent that has already imported the heavy libraries once.

Starting a kernel and importing pandas, Altair and vl-convert in it costs about 2.5 s of CPU,
more than most notebooks' own work. A *zygote* (``python -m explainer.kernels SOCKET``) imports
them once and then waits; for every kernel asked for, it forks a child that becomes an ordinary
``ipykernel`` kernel (what ``python -m ipykernel_launcher -f CONNECTION_FILE`` would run), in the
working directory and with the environment the kernel manager asked for. The child never sees
another notebook's code: the zygote itself runs none, so each notebook starts from the same clean
namespace as under nbclient, nbval or Quarto, and whatever a notebook changes in a module stays in
its own process.

It plugs in as a Jupyter *kernel provisioner* (``jupyter_client``'s hook for how a kernel process
is started), made the default with :func:`install`, so every client in this process — nbclient in
``make data``, nbval in the tests — gets warm kernels whatever kernel name the notebook carries.
A kernel is forked only when its kernelspec would start exactly that: this environment's
``python -m ipykernel_launcher`` (or ``ipykernel``), with interpreter options if any (the zygote
then has the same). Anything else (another environment, another language, a kernelspec naming its
own provisioner) is launched as usual. A zygote imports under the very environment its kernels
get, but for the variables none of its modules reads when imported (``_PER_KERNEL``); a kernel
asked for with another environment gets a zygote of its own (at most ``_MOST_ZYGOTES``).

What the zygote keeps from its imports is what a notebook's first ``import pandas`` would have
produced (``tests/test_kernels.py`` compares); nothing else is run in it. vl-convert is imported
but never called there: its renderer (a V8 runtime on threads of its own) does not survive a fork
(a conversion in the child hangs), so each chart notebook starts it itself, as before. What a
fork does share: the hash seed (``PYTHONHASHSEED``) and anything a module drew at random when
imported; numpy's global generator is reseeded in each kernel, Python's ``random`` reseeds itself.
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
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

PROVISIONER = "explainer-warm-kernel"
# Imported once by the zygote: the libraries the notebooks import, with what they import, and
# what ipykernel's kernelapp imports (IPython, pyzmq, tornado...). Not ipykernel.kernelapp itself:
# it reads JPY_PARENT_PID when imported, so each kernel imports it (and, when it starts, the
# debugger) with its own environment. Not the explainer package: cheap, and the very code whose
# state must not leak from one notebook to the next.
PRELOAD = (
    "numpy",
    "pandas",
    "altair",
    "vl_convert",
    "jsonschema",
    "yaml",
    "fontTools.subset",
    "fontTools.ttLib",
    "brotli",
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
)
LAUNCHERS = ("ipykernel_launcher", "ipykernel")
_ENV_SWITCH = "EXPLAINER_WARM_KERNELS"  # "0" launches every kernel the usual way
# Variables that no module the zygote imports reads when imported: those the kernel manager sets
# for each kernel (read by ipykernel.kernelapp), the project's own (read by the explainer package,
# e.g. EXPLAINER_DATA_DIR, set once make data has made its staging folder) and the name of the
# running test that pytest sets for each (read by ipykernel's streams when writing). A zygote
# serves kernels whose environments differ in these alone, so it can start importing before they
# are known, and nbval's kernels share one.
_PER_KERNEL = ("JPY_", "EXPLAINER_", "PYTEST_CURRENT_TEST")
_MOST_ZYGOTES = 4  # kernels with yet another environment are started the usual way


def enabled() -> bool:
    return os.environ.get(_ENV_SWITCH, "1") != "0"


def _zygote_env(env: dict[str, str]) -> dict[str, str]:
    """The environment a kernel's zygote must have imported its libraries under."""
    return {k: v for k, v in env.items() if not k.startswith(_PER_KERNEL)}


# ---------------------------------------------------------------------------------------------
# The zygote (its own process)


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
        del sys.modules[name]  # the zygote ran as explainer.kernels: the kernel imports the package afresh
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


def serve(address: str, preload: tuple[str, ...] = PRELOAD) -> None:
    """Import ``preload``, then fork a kernel for each request on the Unix socket ``address``.

    A request is one JSON line, ``{"argv": [...], "env": {...}, "cwd": "..."}``, sent with three
    file descriptors (the kernel's stdin, stdout and stderr) as ancillary data. The answer is a
    line ``{"pid": N}`` once the kernel is in its own process group, then ``{"exit": STATUS}``
    when it ends. If the requester hangs up first, the kernel is killed. The zygote ends when
    its parent does, or on SIGTERM (killing the kernels still running).
    """
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as ipykernel_launcher does: the kernel adds its own working directory
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)  # requesters may connect while the imports below are still running
    printed = preload_as_in_a_kernel(preload)
    if printed:  # a cold kernel would have shown this in the notebook: no warm kernels then
        print(f"explainer.kernels: importing {', '.join(preload)} printed:\n{printed}warm kernels disabled",
              file=sys.stderr)
        return
    parent = os.getppid()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_r, selectors.EVENT_READ, "wake")
    kernels: dict[int, socket.socket] = {}  # kernel pid -> the requester's connection
    buffers: dict[socket.socket, bytes] = {}
    passed: dict[socket.socket, list[int]] = {}  # the stdio descriptors sent with a request

    def reap() -> None:
        while kernels:
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
                os.close(wake_r)
                os.close(wake_w)
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
    for pid in kernels:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while kernels and time.monotonic() < deadline:
        reap()
        time.sleep(0.01)
    os._exit(0)  # nothing to save or flush: skip tearing down what the preload imported (~0.5 s)


# ---------------------------------------------------------------------------------------------
# The client side: starting a zygote, and the provisioner that asks it for kernels


class Zygote:
    """A running zygote process, started with ``env`` and interpreter ``options``, and the address
    it listens on."""

    def __init__(self, env: dict[str, str], options: tuple[str, ...] = ()) -> None:
        self.folder = tempfile.mkdtemp(prefix="explainer-kernels-")
        self.address = os.path.join(self.folder, "zygote")
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, *options, "-m", "explainer.kernels", self.address], stdin=subprocess.DEVNULL, env=env
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def connect(self, timeout: float = 60) -> socket.socket:
        """A connection to the zygote (waiting for it to bind its socket)."""
        deadline = time.monotonic() + timeout
        while True:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(self.address)
                return conn
            except (FileNotFoundError, ConnectionRefusedError):
                conn.close()
                if not self.alive() or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.address)
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)


_ZYGOTES: dict[str, Zygote] = {}  # by environment
_LOCK = threading.Lock()


def start(env: dict[str, str] | None = None, options: tuple[str, ...] = ()) -> Zygote:
    """The zygote for kernels with environment ``env`` (default: this process's) and interpreter
    ``options``, started if need be. It imports in the background, so calling this early overlaps
    that with other work."""
    wanted = _zygote_env(dict(os.environ) if env is None else env)
    key = json.dumps([options, wanted], sort_keys=True)
    with _LOCK:
        zygote = _ZYGOTES.get(key)
        if zygote is None or not zygote.alive():
            if zygote is None and len(_ZYGOTES) >= _MOST_ZYGOTES:
                raise OSError(f"already {_MOST_ZYGOTES} zygotes, each for another environment")
            if not _ZYGOTES:
                atexit.register(stop)
            if os.environ.get("EXPLAINER_KERNELS_DEBUG"):
                for other in _ZYGOTES.values():
                    diff = {k for k in wanted.keys() | other.env.keys() if wanted.get(k) != other.env.get(k)}
                    print(f"explainer.kernels: new zygote, environment differs in {sorted(diff)}", file=sys.stderr)
            zygote = _ZYGOTES[key] = Zygote(wanted, options)
        return zygote


def stop() -> None:
    """Stop every zygote (running kernels forked from one are killed with it)."""
    with _LOCK:
        for zygote in _ZYGOTES.values():
            zygote.stop()
        _ZYGOTES.clear()


class ForkedKernel:
    """What ``subprocess.Popen`` offers the provisioner, for a kernel the zygote forked."""

    stdout = stderr = None

    def __init__(self, conn: socket.socket, pid: int, stdin, pending: bytes = b"") -> None:
        self.conn, self.pid, self.stdin, self.returncode = conn, pid, stdin, None
        self._pending = pending

    def _read(self, block: bool) -> None:
        if self.returncode is not None:
            return
        self.conn.setblocking(block)
        try:
            while b"\n" not in self._pending:
                chunk = self.conn.recv(4096)
                if not chunk:  # the zygote went away: it killed its kernels first
                    self.returncode = -signal.SIGKILL
                    break
                self._pending += chunk
        except BlockingIOError:
            return
        if b"\n" in self._pending:
            self.returncode = json.loads(self._pending.split(b"\n", 1)[0])["exit"]
        self.conn.close()

    def poll(self) -> int | None:
        self._read(block=False)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None:
            self._read(block=True)
        else:
            deadline = time.monotonic() + timeout
            while self.poll() is None:
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
                time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def interpreter_options(cmd: list[str]) -> tuple[str, ...] | None:
    """If ``cmd`` starts this environment's ipykernel (``python [OPTIONS] -m ipykernel_launcher
    ARGS``, or ``-m ipykernel``), the interpreter OPTIONS (``ipykernel install`` writes
    ``-Xfrozen_modules=off``), which the zygote is then started with too; else None."""
    if "-m" not in cmd[1:]:
        return None
    at = cmd.index("-m", 1)
    if at + 1 >= len(cmd) or cmd[at + 1] not in LAUNCHERS:
        return None
    options = cmd[1:at]
    for index, option in enumerate(options):  # options only: -X and -W take the next word as their value
        if option in ("-c", "-") or not (option.startswith("-") or (index and options[index - 1] in ("-X", "-W"))):
            return None
    python, ours = os.path.abspath(cmd[0]), os.path.abspath(sys.executable)
    same = python == ours or (os.path.dirname(python) == os.path.dirname(ours)
                              and os.path.basename(python).startswith("python"))
    return tuple(options) if same else None


def forkable(cmd: list[str]) -> bool:
    """True if ``cmd`` starts exactly the kernel a fork of a zygote becomes."""
    return interpreter_options(cmd) is not None


def _descriptor(stream: Any, default: int, opened: list[int]) -> int:
    """The descriptor for a ``subprocess.Popen``-style stream argument: None is ``default``, a
    file or a descriptor is itself, DEVNULL is opened (and added to ``opened``)."""
    if stream is None:
        return default
    if stream == subprocess.DEVNULL:
        opened.append(os.open(os.devnull, os.O_RDWR))
        return opened[-1]
    if isinstance(stream, int) and stream >= 0:
        return stream
    if isinstance(stream, int):  # PIPE: this process would read the kernel's output
        raise OSError("a kernel whose output is piped back is started the usual way")
    return stream.fileno()


def fork_kernel(cmd: list[str], env: dict[str, str], cwd: str, stdin: Any = None, stdout: Any = None,
                stderr: Any = None) -> ForkedKernel:
    """Ask the zygote for ``env`` to fork the kernel ``cmd`` would start, in ``cwd``, with the
    standard streams ``jupyter_client.launcher.launch_kernel`` would give it: by default a pipe for
    stdin, this process's stdout and stderr."""
    opened: list[int] = []
    writer = None
    try:
        descriptors = [_descriptor(stdout, 1, opened), _descriptor(stderr, 2, opened)]
        if stdin is None or stdin == subprocess.PIPE:
            reader, writer = os.pipe()
            opened.append(reader)
            descriptors.insert(0, reader)
        else:
            descriptors.insert(0, _descriptor(stdin, 0, opened))
        conn = start(env, interpreter_options(cmd) or ()).connect()
        request = json.dumps({"argv": cmd, "env": env, "cwd": cwd}).encode() + b"\n"
        socket.send_fds(conn, [request], descriptors)
    except BaseException:
        if writer is not None:
            os.close(writer)
        raise
    finally:
        for fd in opened:
            os.close(fd)
    answer = b""
    while b"\n" not in answer:
        chunk = conn.recv(4096)
        if not chunk:
            conn.close()
            if writer is not None:
                os.close(writer)
            raise OSError("the kernel zygote ended before forking a kernel")
        answer += chunk
    line, rest = answer.split(b"\n", 1)
    pipe = open(writer, "wb") if writer is not None else None  # noqa: SIM115 - Popen.stdin's part
    return ForkedKernel(conn, json.loads(line)["pid"], pipe, rest)


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        """LocalProvisioner, except that an ipykernel of this environment is forked from the zygote."""

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            if enabled() and forkable(cmd):
                cwd = str(kwargs.get("cwd") or os.getcwd())
                env = dict(kwargs["env"] if kwargs.get("env") is not None else os.environ)
                if not kwargs.get("independent"):  # as jupyter_client.launcher.launch_kernel does
                    env["JPY_PARENT_PID"] = str(os.getpid())
                try:
                    self.process = fork_kernel([os.path.expanduser(arg) for arg in cmd], env, cwd,
                                               kwargs.get("stdin"), kwargs.get("stdout"), kwargs.get("stderr"))
                except OSError as error:
                    self.log.warning("no warm kernel (%s): starting %s the usual way", error, cmd[0])
                else:
                    self.pid = self.pgid = self.process.pid
                    self.cwd = cwd
                    return self.connection_info
            return await super().launch_kernel(cmd, **kwargs)

    return WarmProvisioner


WarmProvisioner: Any = None  # the class, made on first use (jupyter_client is imported only then)


def install() -> None:
    """Make the warm provisioner the default for kernelspecs that name none, in this process."""
    global WarmProvisioner
    from importlib.metadata import EntryPoint

    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    if WarmProvisioner is None:
        WarmProvisioner = _provisioner_class()
    KernelProvisionerFactory.provisioners[PROVISIONER] = EntryPoint(
        PROVISIONER, f"{__name__}:WarmProvisioner", KernelProvisionerFactory.GROUP_NAME
    )
    KernelProvisionerFactory.instance().default_provisioner_name = PROVISIONER


if __name__ == "__main__":
    serve(sys.argv[1])
