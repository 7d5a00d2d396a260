"""Working beside other processes, for tests and bench/ alike: wait until what they do shows, find a
free port to start a server on, and run a Celery worker whose output can be read."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from evadmin.sandbox.process import REPO_ROOT, stop_process

T = TypeVar("T")


def wait_for(condition: Callable[[], T], *, timeout: float, every: float = 0.2, message: Callable[[], str] = lambda: "",
             tick: Callable[[], object] | None = None, error: type[Exception] = AssertionError) -> T:
    """Call `condition` every `every` seconds until it returns something true, and return that.

    After `timeout` seconds raise `error(message())`: an AssertionError by default, as a test's own
    assert would. `tick` runs between tries (e.g. beat's watchdog, as beat would run it).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise error(message())
        if tick is not None:
            tick()
        time.sleep(every)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CeleryWorker:
    """`celery --app <app> worker <options>` in a process group of its own.

    Everything it prints is kept in `log` (and appended to `log_path` if given). It may be started
    again after it stopped or was killed; the log goes on.
    """

    def __init__(self, *options: str, env: dict[str, str], app: str = "evadmin", log_path: Path | None = None) -> None:
        self.options, self.env, self.app, self.log_path = list(options), env, app, log_path
        self.log: list[str] = []
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60, error: type[Exception] = AssertionError, **env: str) -> CeleryWorker:
        """Start it (with `env` added to its environment) and return once it says it is ready; if it
        stops or is not ready within `timeout` seconds, stop it and raise `error` with its output."""
        ready = threading.Event()
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", self.app, "worker", *self.options], cwd=REPO_ROOT,
            env={**self.env, "PYTHONUNBUFFERED": "1", **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True)
        self.process = process

        def pump() -> None:
            with contextlib.ExitStack() as files:
                copy = files.enter_context(self.log_path.open("a")) if self.log_path else None
                for line in process.stdout:  # keep reading so the pipe never fills and stalls the worker
                    self.log.append(line)
                    if copy is not None:
                        copy.write(line)
                    if " ready." in line:
                        ready.set()

        threading.Thread(target=pump, daemon=True).start()
        try:
            wait_for(lambda: ready.is_set() or process.poll() is not None, timeout=timeout, error=error,
                     message=lambda: "the Celery worker did not get ready:\n" + self.output())
            if process.poll() is not None:
                raise error("the Celery worker did not start:\n" + self.output())
        except BaseException:
            self.stop()
            raise
        return self

    def output(self) -> str:
        """The end of what it printed, for failure messages."""
        return "".join(self.log)[-4000:]

    def stop(self) -> None:
        """SIGTERM its process group (the pool too), SIGKILL after 20 s."""
        if self.process is not None:
            stop_process(self.process, grace=20)

    def kill(self) -> None:
        """SIGKILL its whole process group at once, as a machine crash would."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
