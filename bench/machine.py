"""What the benchmarks share: the machine they ran on (a 2-core VM's figures depend on it), their work
folder and the instances and processes they start."""
from __future__ import annotations

import contextlib
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def cpu_steal() -> tuple[int, int] | None:
    """(steal, total) jiffies of all CPUs so far, from /proc/stat (Linux); steal is time the VM did not get."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return (values[7] if len(values) > 7 else 0), sum(values[:8])


def closing_line(started: float, steal_before: tuple[int, int] | None) -> str:
    """Run time, load average and the CPU steal since `steal_before`, for the last line of a report."""
    steal_after, steal = cpu_steal(), ""
    if steal_before and steal_after and steal_after[1] > steal_before[1]:
        share = (steal_after[0] - steal_before[0]) / (steal_after[1] - steal_before[1])
        steal = f"; CPU steal (time the hypervisor gave elsewhere) {share:.1%}"
    return (f"\nWhole benchmark: {time.perf_counter() - started:.0f} s; "
            f"load average after: {os.getloadavg()[0]:.2f} (this benchmark included){steal}")


@contextlib.contextmanager
def benchmark_run(prefix: str, *, keep: bool = False) -> Iterator[Path]:
    """`with benchmark_run("mizan-x-bench-", keep=args.keep) as work:` a new temporary folder for the run.

    Time and CPU steal count from here; when the block completes, the closing line (`closing_line`) is
    printed.  Whether it completes or not, the folder is then removed, or with `keep` kept and printed.
    """
    started, steal_before = time.perf_counter(), cpu_steal()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
        print(closing_line(started, steal_before))
    finally:
        if keep:
            print(f"\nKept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def machine_line(*versions: str) -> str:
    """Host, usable CPUs, platform, Python and SQLite, then `versions` (e.g. "orjson 3.10.0"), one line."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return (f"{platform.node()}: {usable} CPUs usable (nproc), {platform.machine()}, "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}" + "".join(f", {v}" for v in versions))


def process_cpu_seconds(pid: int | str) -> float | None:
    """CPU seconds (user + system) of process `pid` so far; None where /proc cannot tell (not Linux, gone)."""
    try:  # utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def process_tree_cpu_seconds(pid: int | str) -> float | None:
    """CPU seconds of process `pid` and of every process below it (a server's helper processes); None
    where /proc cannot tell."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, grown = {int(pid)}, True
    while grown:
        below = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= below
        grown = bool(below)
    seconds = [process_cpu_seconds(member) for member in tree]
    return None if seconds[0] is None and len(seconds) == 1 else sum(s for s in seconds if s is not None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tool(name: str) -> list[str]:
    """A console script of this interpreter's environment (flask, waitress-serve)."""
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", {"waitress-serve": "waitress"}.get(name, name)]


def instance_env(instance: Path) -> dict[str, str]:
    """The environment for a child process (flask, waitress) on `instance`: no database URL or import limit
    of the caller's."""
    env = dict(os.environ)
    env["MIZAN_INSTANCE_PATH"] = str(instance)
    env.pop("MIZAN_DATABASE_URL", None)
    env.pop("MIZAN_IMPORT_MAX_BYTES", None)
    return env


def use_instance(instance: Path) -> None:
    """create_app() in this process reads the instance folder from the environment, as the server does."""
    os.environ["MIZAN_INSTANCE_PATH"] = str(instance)
    for name in ("MIZAN_DATABASE_URL", "MIZAN_IMPORT_MAX_BYTES", "MIZAN_SECRET_KEY", "MIZAN_QUEUE_URL"):
        os.environ.pop(name, None)


def backup_database(source: Path, target: Path) -> Path:
    """A consistent copy of the SQLite database `source` at `target` (the backup API: safe with WAL)."""
    source_db, target_db = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_db.backup(target_db)
    finally:
        source_db.close()
        target_db.close()
    return target


def copy_instance(database: Path, instance: Path) -> Path:
    """A new instance folder `instance` holding a consistent copy of `database` and the config.py beside it
    (the same SECRET_KEY: sessions and API tokens stay valid); returns the copy's database."""
    instance.mkdir(parents=True)
    shutil.copy(database.parent / "config.py", instance / "config.py")
    return backup_database(database, instance / "mizan.sqlite")


@contextlib.contextmanager
def waitress_server(instance: Path, log: Path) -> Iterator[tuple[subprocess.Popen, str, object]]:
    """The production server (`waitress-serve --threads 4 wsgi:app`) on `instance`, on a free port of 127.0.0.1,
    its output appended to `log`.

    Yields (the process, its base URL, its first answer to GET /login) once it answers (60 s at most), and
    stops it when the block ends.
    """
    import requests  # imported here so that a benchmark that skips HTTP runs without it

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "ab") as server_log:
        server = subprocess.Popen(
            [*tool("waitress-serve"), "--host", "127.0.0.1", "--port", str(port), "--threads", "4", "wsgi:app"],
            cwd=PROJECT_ROOT, env=instance_env(instance), stdout=server_log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until the server answers
            if server.poll() is not None:
                raise RuntimeError(f"waitress exited with {server.returncode}; see {log}")
            try:
                page = requests.get(f"{base}/login", headers={"Connection": "close"}, timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("waitress did not start within 60 s") from None
                time.sleep(0.1)
        yield server, base, page
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
