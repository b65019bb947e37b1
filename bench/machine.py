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
def waitress_server(instance: Path, log: Path, env: dict[str, str] | None = None,
                    ) -> Iterator[tuple[subprocess.Popen, str, object]]:
    """The production server (`waitress-serve --threads 4 wsgi:app`) on `instance`, on a free port of 127.0.0.1,
    its output appended to `log`; `env` is its environment (default: `instance_env(instance)`, SQLite).

    Yields (the process, its base URL, its first answer to GET /login) once it answers (60 s at most), and
    stops it when the block ends.
    """
    import requests  # imported here so that a benchmark that skips HTTP runs without it

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "ab") as server_log:
        server = subprocess.Popen(
            [*tool("waitress-serve"), "--host", "127.0.0.1", "--port", str(port), "--threads", "4", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env or instance_env(instance), stdout=server_log, stderr=subprocess.STDOUT,
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


# --- the two engines: SQLite files in instance folders, or throwaway databases on a PostgreSQL server -----

class Databases:
    """Where one engine's databases of a benchmark live.

    ``Databases()`` is SQLite: each instance folder holds its own ``mizan.sqlite`` (what ``make run`` uses).
    ``Databases(server_url, queue_url)`` is PostgreSQL (``postgresql+psycopg://...``, the server of
    ``--database-url``): each instance folder gets a database of its own on that server, named
    ``mizan_bench_<pid>_<n>``, created here (empty, or ``CREATE DATABASE ... TEMPLATE`` of another one) and
    dropped by ``close()`` (a ``with`` block), whether the benchmark passed or not; ``queue_url`` (Redis) is the
    task queue and login-throttle storage of the servers started on it, as in a team deployment.
    """

    def __init__(self, server_url: str | None = None, queue_url: str | None = None):
        self.server_url, self.queue_url = server_url, queue_url
        self.engine = "postgresql" if server_url else "sqlite"
        self.label = "PostgreSQL" if server_url else "SQLite"
        self._urls: dict[Path, str] = {}
        self._server = None
        if server_url:
            import sqlalchemy as sa
            from sqlalchemy.engine import make_url

            if make_url(server_url).get_backend_name() != "postgresql":
                raise SystemExit(f"--database-url must be a PostgreSQL URL (postgresql+psycopg://...), not {server_url}")
            self._server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    @property
    def on_postgres(self) -> bool:
        return self._server is not None

    def __enter__(self) -> "Databases":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _execute(self, sql: str) -> None:
        with self._server.connect() as connection:
            connection.exec_driver_sql(sql)

    def new(self, instance: Path, *, template: Path | None = None) -> str:
        """The database of the instance folder `instance` (created, and created empty or as a copy of the
        database of the instance folder `template`, on PostgreSQL); returns its SQLAlchemy URL."""
        instance = Path(instance).resolve()
        instance.mkdir(parents=True, exist_ok=True)
        if not self.on_postgres:
            if template is not None:
                backup_database(Path(template) / "mizan.sqlite", instance / "mizan.sqlite")
            return self.url(instance)
        from sqlalchemy.engine import make_url

        name = f"mizan_bench_{os.getpid()}_{len(self._urls) + 1}"
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            self._execute(f'CREATE DATABASE "{name}"')
        else:
            source = make_url(self._urls[Path(template).resolve()]).database
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" STRATEGY FILE_COPY')
        self._urls[instance] = make_url(self.server_url).set(database=name).render_as_string(hide_password=False)
        return self._urls[instance]

    def copy(self, source: Path, instance: Path) -> str:
        """A new instance folder `instance` holding a copy of the database of `source` and its config.py (the same
        SECRET_KEY: sessions and API tokens stay valid); returns the copy's URL."""
        Path(instance).mkdir(parents=True)
        shutil.copy(Path(source) / "config.py", Path(instance) / "config.py")
        return self.new(instance, template=source)

    def url(self, instance: Path) -> str:
        instance = Path(instance).resolve()
        if self.on_postgres:
            return self._urls[instance]
        return f"sqlite:///{instance / 'mizan.sqlite'}"

    def psycopg_url(self, instance: Path) -> str:
        """The libpq form of the database's URL (what psycopg.connect takes)."""
        return self.url(instance).replace("postgresql+psycopg://", "postgresql://", 1)

    def settings(self, instance: Path) -> dict[str, str]:
        """The MIZAN_* environment of a process on `instance`: the folder, and on PostgreSQL the database and
        the queue."""
        env = {"MIZAN_INSTANCE_PATH": str(instance)}
        if self.on_postgres:
            env["MIZAN_DATABASE_URL"] = self.url(instance)
            if self.queue_url:
                env["MIZAN_QUEUE_URL"] = self.queue_url
        return env

    def env(self, instance: Path) -> dict[str, str]:
        """The whole environment of a child process (flask, waitress) on `instance`: none of the caller's own
        MIZAN_* settings, then `settings(instance)`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MIZAN_")}
        env.update(self.settings(instance))
        return env

    def use(self, instance: Path) -> None:
        """create_app() in this process then opens `instance` (as `use_instance`, plus the database URL)."""
        use_instance(instance)
        os.environ.update(self.settings(instance))

    def close(self) -> None:
        if self._server is None:
            return
        from sqlalchemy.engine import make_url

        for url in self._urls.values():
            self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        self._urls.clear()
        self._server.dispose()


def engines(database_url: str | None, queue_url: str | None) -> list[Databases]:
    """The engines a benchmark measures: SQLite always, PostgreSQL when --database-url is given."""
    return [Databases()] + ([Databases(database_url, queue_url)] if database_url else [])


def add_engine_arguments(parser) -> None:
    parser.add_argument("--database-url", default=os.environ.get("MIZAN_BENCH_DATABASE_URL"),
                        help="a PostgreSQL server (postgresql+psycopg://...) on which to create and drop throwaway "
                             "databases: PostgreSQL is then measured beside SQLite (default $MIZAN_BENCH_DATABASE_URL)")
    parser.add_argument("--queue-url", default=os.environ.get("MIZAN_BENCH_QUEUE_URL"),
                        help="Redis (redis:// or unix://) for the servers on PostgreSQL: queue and login throttle, "
                             "as a team deployment has (default $MIZAN_BENCH_QUEUE_URL)")


def side_by_side(rows: list[tuple[str, list[str]]], labels: list[str], title: str = "") -> None:
    """A table with one column per engine: rows of (what, [value per engine])."""
    width = max([len(r[0]) for r in rows] + [len(title), 10])
    columns = [max(14, len(label), *(len(r[1][i]) for r in rows)) for i, label in enumerate(labels)]
    header = f"{title:<{width}} " + " ".join(f"{label:>{w}}" for label, w in zip(labels, columns))
    print(header)
    print("-" * len(header))
    for what, values in rows:
        print(f"{what:<{width}} " + " ".join(f"{v:>{w}}" for v, w in zip(values, columns)))


def postgres_version(database_url: str | None) -> list[str]:
    """["PostgreSQL 15.x"] for the machine line when a server is measured."""
    if not database_url:
        return []
    import sqlalchemy as sa

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar()
    engine.dispose()
    return [f"PostgreSQL {version.split()[0]}"]
