"""Warm kernels: each notebook still gets a fresh ipykernel process of its own, forked from a
parent that has already imported the heavy libraries once.

Starting a kernel and importing pandas, Altair and vl-convert in it costs about 2.5 s of CPU,
more than most notebooks' own work. A *zygote* (``python -m explainer.build.zygote SOCKET``, ``zygote.py``) imports
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
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PROVISIONER = "explainer-warm-kernel"
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
# The client side: starting a zygote, and the provisioner that asks it for kernels


class Zygote:
    """A running zygote process, started with ``env`` and interpreter ``options``, and the address
    it listens on."""

    def __init__(self, env: dict[str, str], options: tuple[str, ...] = ()) -> None:
        self.folder = tempfile.mkdtemp(prefix="explainer-kernels-")
        self.address = os.path.join(self.folder, "zygote")
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, *options, "-m", "explainer.build.zygote", self.address], stdin=subprocess.DEVNULL, env=env
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
                    print(f"explainer.build.kernels: new zygote, environment differs in {sorted(diff)}", file=sys.stderr)
            zygote = _ZYGOTES[key] = Zygote(wanted, options)
        return zygote


def start_for(notebooks: list[Path]) -> None:
    """Start ahead of the first request the zygote each of ``notebooks``' kernels will be forked
    from: with the interpreter options and environment its kernelspec gives the kernel.
    (``ipykernel install`` writes ``-Xfrozen_modules=off``; a zygote started without it would be
    one no kernel asks for, importing on cores the build needs.)"""
    if not enabled():
        return
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    names = set()
    for path in notebooks:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            names.add(json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"])
    specs = KernelSpecManager()
    for name in sorted(names):
        with contextlib.suppress(NoSuchKernel):
            spec = specs.get_kernel_spec(name)
            options = interpreter_options(spec.argv)
            if options is not None:
                start({**os.environ, **spec.env}, options)


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

