"""Load benchmark: simulated reviewers against the production server, more and more of them, on both engines.

What is measured
----------------
A throwaway instance is built through Mizan's models (as ``review_bench.py``
builds its own, with the same generator): ``--max-users`` reviewer accounts
(``reviewer001`` ...), each assigned an article of its own of
``--paragraphs`` paragraphs (default 30) with machine drafts and
``--entities`` Arabic entities per paragraph (default 2).  Each simulated
reviewer works on its own article, so no two of them ever edit the same
paragraph (a 409 is then a bug, counted as an error).

A simulated reviewer is a thread of this process, with ``http.client`` and a
NEW TCP connection for every request (``Connection: close``), as
``review_bench.py`` measures.  Not locust: an own client needs no extra
dependency, makes exactly the requests described here, and is timed the same
way as the other benchmarks (connect to last byte).  It uses the real routes
the browser uses, with the session cookie and the ``X-CSRFToken`` header:

1. log in through ``/login`` (GET the form, POST it with its CSRF token);
2. then, until the step ends, over and over:
   ``GET /articles/<id>`` (the review page: the CSRF token is read from it),
   ``GET /api/v1/articles/<id>`` (the paragraphs and their versions), then for
   the next three paragraphs of its article in turn:
   ``PUT /api/v1/paragraphs/<id>/translation`` (an English edit, with the
   version), ``POST /api/v1/paragraphs/<id>/entities`` (an English PER entity
   on the new revision) and ``POST /api/v1/paragraphs/<id>/approve`` (with an
   override reason: the generated English fails QA's number check).

Between two requests a reviewer waits a random time, uniform in
``[0, 2 x --think]`` (default ``--think 0.25``, so about 4 requests per second
per reviewer, far busier than a human). Logins happen before the measured
window of each step (every reviewer logs in, then all start together): a
login hashes a password on purpose, and a burst of them is not the review
load measured here; their times are printed apart.

Steps: 1, 2, 4, 8 ... reviewers (doubling, up to ``--max-users``), each step
``--step-seconds`` long (default 20).  For each step: the requests completed
in the window, requests/s, p50 and p95 of the review requests (the login not
included), errors (an unexpected status or a failed connection), and 5xx
answers.  The load is raised until p95 reaches 200 ms (``--p95-ms``); "users
held" is the last step whose p95 stayed under it.  Any 5xx is a bug: the
script prints the server logs' tracebacks and exits 1.

Two set-ups, in the same run
----------------------------
* SQLite: what ``make run`` starts: ``waitress-serve --threads 8 wsgi:app``
  and ``huey_consumer app.tasks.huey --workers 1 --quiet`` beside it, on one
  SQLite instance (``MIZAN_QUEUE_URL`` unset: the queue is SQLite too).
* PostgreSQL + Redis (with ``--database-url`` and ``--queue-url``): the team
  deployment of the README: TWO waitress processes (``--threads 8`` each, two
  ports) and the huey consumer, all with ``MIZAN_DATABASE_URL`` and
  ``MIZAN_QUEUE_URL`` (Redis: queue and login throttle).  No proxy: the
  client sends reviewer i to the port i mod 2, so each process carries half
  the reviewers (a proxy would add its own hop; the README's nginx is the
  deployer's).

Everything listens on 127.0.0.1 (loopback) or a Unix socket only.  The
instance's ``config.py`` raises the login throttle (``LOGIN_RATE_LIMIT_PER_ADDRESS``;
``LOGIN_RATE_LIMIT`` is a leftover of older versions), which older versions applied to
every login from 127.0.0.1: every simulated reviewer comes from that address.

Baseline, measured in the same run
----------------------------------
The same steps, the same think times and client, against ``raw_app`` of
``review_bench.py`` (a bare WSGI function over the same engine: sqlite3, or
psycopg with a small pool) served by the same waitress (one process on
SQLite, two on PostgreSQL) on a copy of the same database: each "reviewer"
sends an empty request instead of logging in, then loops on ``GET
/article/<id>`` twice (for the page and the API) and, for three paragraphs,
three raw saves (for the edit, the entity and the approval: one transaction
each, no auth, no validation).  The ratio is Mizan / raw at each step (p50 and
p95, and requests/s).

Usage::

    .venv/bin/python bench/load_bench.py                          # SQLite (make run)
    scripts/with-test-services bash -c '.venv/bin/python bench/load_bench.py \\
        --database-url "$MIZAN_TEST_DATABASE_URL" --queue-url "$MIZAN_TEST_QUEUE_URL"'
    .venv/bin/python bench/load_bench.py --max-users 2 --step-seconds 2   # a smoke run
"""
from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.machine import (  # noqa: E402
    Databases, add_engine_arguments, benchmark_run, engines, machine_line, postgres_version, process_cpu_seconds,
    side_by_side, tool,
)
from bench.review_bench import (  # noqa: E402
    OVERRIDE, PASSWORD, Server, add_article, arabic_vocabulary, csrf_from,
)

PARAGRAPHS_PER_VISIT = 3
SAVES = itertools.count(1)  # shared by every simulated reviewer, all steps
NAMES = ("Rania Haddad", "Vladimir Putin", "Kassym-Jomart Tokayev", "Serdar Berdimuhamedov")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# Every simulated reviewer logs in from 127.0.0.1; the default throttle would refuse the 51st login of the hour.
THROTTLE = 'LOGIN_RATE_LIMIT = "100000 per minute"\nLOGIN_RATE_LIMIT_PER_ADDRESS = "1000000 per hour"\n'


# --- the instance -----------------------------------------------------------------------------------

@dataclass
class Reviewer:
    username: str
    user_id: int
    article_id: int
    paragraph_ids: list[int]
    visits: dict[int, int] = field(default_factory=dict)  # saves per paragraph, over every step


def build_instance(dbs: Databases, instance: Path, users: int, paragraphs: int, entities_per: int) -> list[Reviewer]:
    dbs.new(instance)
    dbs.use(instance)
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Article, Label
    from app.services import assignment
    from app.services import users as user_service
    from app.services.paragraph_qa import refresh_missing_qa

    app = create_app()
    with app.app_context():
        upgrade()
        admin = user_service.create_user("admin", PASSWORD, "admin", display_name="Amina Admin")
        labels = list(db.session.scalars(select(Label.id).where(Label.retired.is_(False))))
        rng, vocabulary = random.Random(20221110), arabic_vocabulary()
        accounts = []
        for i in range(1, users + 1):
            user = user_service.create_user(f"reviewer{i:03d}", PASSWORD, "reviewer", display_name=f"Reviewer {i}")
            article_id, paragraph_ids, _ = add_article(rng, vocabulary, paragraphs, entities_per, labels, user.id,
                                                       f"load-{i}")
            accounts.append(Reviewer(user.username, user.id, article_id, paragraph_ids))
        db.session.commit()
        for account in accounts:
            assignment.assign_article(db.session.get(Article, account.article_id),
                                      db.session.get(type(admin), account.user_id), "reviewer", actor=admin)
        refresh_missing_qa()
        db.session.remove()
        db.engine.dispose()
    with open(instance / "config.py", "a") as config:
        config.write(THROTTLE)
    return accounts


# --- the servers ------------------------------------------------------------------------------------

class Setup:
    """The web processes (one or two waitress) and, for Mizan, the huey consumer beside them."""

    def __init__(self, target: str, env: dict[str, str], web_processes: int, work: Path, name: str,
                 consumer: bool):
        self.logs = [work / f"{name}-web{i + 1}.log" for i in range(web_processes)]
        probe = "/login" if target == "wsgi:app" else "/hello"
        self.consumer = None
        self.servers: list[Server] = []
        try:
            for log in self.logs:
                self.servers.append(Server(target, env, log, probe))
            if consumer:
                self.logs.append(work / f"{name}-consumer.log")
                full_env = {k: v for k, v in os.environ.items() if not k.startswith("MIZAN_")}
                full_env.update(env)
                with open(self.logs[-1], "wb") as out:
                    self.consumer = subprocess.Popen([*tool("huey_consumer"), "app.tasks.huey", "--workers", "1",
                                                      "--quiet"], cwd=PROJECT_ROOT, env=full_env,
                                                     stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        except BaseException:
            self.stop()
            raise

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    def cpu(self) -> float | None:
        values = [process_cpu_seconds(server.process.pid) for server in self.servers]
        return None if None in values else sum(values)

    def tracebacks(self) -> list[str]:
        found = []
        for log in self.logs:
            text = log.read_text(errors="replace") if log.exists() else ""
            for block in text.split("Traceback (most recent call last):")[1:]:
                found.append(f"{log.name}: Traceback (most recent call last):" + block[:4000])
        return found

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        if self.consumer is not None and self.consumer.poll() is None:
            self.consumer.terminate()
            try:
                self.consumer.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.consumer.kill()
                self.consumer.wait()


# --- the client -------------------------------------------------------------------------------------

@dataclass
class Tally:
    """What the reviewers of one step saw (appended to under a lock)."""

    seconds: list[float] = field(default_factory=list)  # review requests completed inside the window
    logins: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str, status: int | None = None) -> None:
        with self.lock:
            self.errors += 1
            if status is not None and status >= 500:
                self.server_errors += 1
            if len(self.examples) < 10:
                self.examples.append(text)


class Stop(Exception):
    pass


class Client:
    """One simulated reviewer's connection helper: a new connection per request, cookies kept by hand."""

    def __init__(self, server: Server, tally: Tally, think: float, rng: random.Random, deadline_box: list):
        self.server, self.tally, self.think, self.rng = server, tally, think, rng
        self.deadline_box = deadline_box  # [window start, window end], set when every reviewer is logged in
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, expected: int, *, body=None, headers=None, timed=True):
        if timed and self.think:
            time.sleep(self.rng.uniform(0, 2 * self.think))
        start, end = self.deadline_box
        if timed and time.perf_counter() >= end:
            raise Stop
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            response = self.server.request(method, path, headers=all_headers, body=body)
        except OSError as error:
            self.tally.error(f"{method} {path}: {error!r}")
            return None
        self.cookies.update(response.cookies)
        finished = time.perf_counter()
        if response.status != expected:
            self.tally.error(f"{method} {path}: HTTP {response.status}: {response.body[:200]!r}", response.status)
            return None
        if timed and start <= finished - response.seconds and finished <= end:
            with self.tally.lock:
                self.tally.seconds.append(response.seconds)
        return response


def joined_the_step(client: Client, ready: threading.Barrier, started: float, signed_in) -> bool:
    """Record how long signing in took, wait until every reviewer of the step has, and say whether to go on."""
    with client.tally.lock:
        client.tally.logins.append(time.perf_counter() - started)
    ready.wait()
    return bool(signed_in)


def mizan_reviewer(client: Client, account: Reviewer, ready: threading.Barrier) -> None:
    started = time.perf_counter()
    form = client.request("GET", "/login", 200, timed=False)
    done = form and client.request(
        "POST", "/login", 302, timed=False, headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"username": account.username, "password": PASSWORD,
                        "csrf_token": csrf_from(form.body.decode())}).encode())
    if not joined_the_step(client, ready, started, done):
        return
    next_index = client.rng.randrange(len(account.paragraph_ids))
    try:
        while True:
            page = client.request("GET", f"/articles/{account.article_id}", 200)
            if page is None:
                continue
            token = CSRF_META.search(page.body.decode()).group(1)
            api = client.request("GET", f"/api/v1/articles/{account.article_id}", 200,
                                 headers={"Accept": "application/json"})
            if api is None:
                continue
            versions = {p["id"]: p["version"] for p in api.json()["paragraphs"]}
            json_headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token}
            for _ in range(PARAGRAPHS_PER_VISIT):
                pid = account.paragraph_ids[next_index % len(account.paragraph_ids)]
                next_index += 1
                # Another name than the paragraph's last one: Mizan carries the entities of the old revision over
                # to the new one where their text stays (entities.carry_span), and tagging it again would be a 409.
                visits = account.visits[pid] = account.visits.get(pid, -1) + 1
                name = NAMES[visits % len(NAMES)]
                text = f"Reviewed English {next(SAVES)}: {name} met the delegation in the capital."
                saved = client.request("PUT", f"/api/v1/paragraphs/{pid}/translation", 200, headers=json_headers,
                                       body=json.dumps({"text": text, "version": versions[pid], "seconds": 9}).encode())
                if saved is None:
                    break
                saved = saved.json()
                start = text.index(name)
                client.request("POST", f"/api/v1/paragraphs/{pid}/entities", 201, headers=json_headers,
                               body=json.dumps({"lang": "en", "start": start, "end": start + len(name),
                                                "label": "PER", "revision_id": saved["revision_id"]}).encode())
                client.request("POST", f"/api/v1/paragraphs/{pid}/approve", 200, headers=json_headers,
                               body=json.dumps({"version": saved["version"], "seconds": 4,
                                                "override_reason": OVERRIDE}).encode())
    except Stop:
        return


def raw_reviewer(client: Client, account: Reviewer, ready: threading.Barrier) -> None:
    started = time.perf_counter()
    done = client.request("GET", "/hello", 200, timed=False)
    if not joined_the_step(client, ready, started, done):
        return
    next_index = client.rng.randrange(len(account.paragraph_ids))
    try:
        while True:
            client.request("GET", f"/article/{account.article_id}", 200)
            api = client.request("GET", f"/article/{account.article_id}", 200)
            if api is None:
                continue
            versions = {p["id"]: p["version"] for p in api.json()["paragraphs"]}
            for _ in range(PARAGRAPHS_PER_VISIT):
                pid = account.paragraph_ids[next_index % len(account.paragraph_ids)]
                next_index += 1
                for what in ("edit", "entity", "approval"):
                    body = json.dumps({"text": f"Raw {what} of paragraph {pid}.", "version": versions[pid],
                                       "author_id": account.user_id}).encode()
                    saved = client.request("PUT", f"/paragraph/{pid}", 200, body=body,
                                           headers={"Content-Type": "application/json"})
                    if saved is None:
                        break
                    versions[pid] = saved.json()["version"]
    except Stop:
        return


@dataclass
class Step:
    users: int
    window: float
    tally: Tally
    server_cpu: float | None

    def p(self, q: float) -> float:
        ordered = sorted(self.tally.seconds)
        if not ordered:
            return float("nan")
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    @property
    def rps(self) -> float:
        return len(self.tally.seconds) / self.window

    @property
    def login_p50(self) -> float:
        ordered = sorted(self.tally.logins)
        return ordered[len(ordered) // 2] * 1000 if ordered else float("nan")


def run_step(setup: Setup, accounts: list[Reviewer], users: int, seconds: float, think: float, worker) -> Step:
    tally = Tally()
    box = [0.0, float("inf")]
    cpu = {}

    def open_window():  # when every reviewer is logged in: the measured window starts
        cpu["before"] = setup.cpu()
        now = time.perf_counter()
        box[0], box[1] = now, now + seconds

    ready = threading.Barrier(users, action=open_window)
    threads = []
    for i in range(users):
        client = Client(setup.servers[i % len(setup.servers)], tally, think, random.Random(1000 * users + i), box)
        threads.append(threading.Thread(target=worker, args=(client, accounts[i], ready), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 300)
    cpu_after, cpu_before = setup.cpu(), cpu.get("before")
    server_cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Step(users, seconds, tally, server_cpu)


def ramp(setup: Setup, accounts: list[Reviewer], args, worker, label: str, limit: int | None = None) -> list[Step]:
    """Steps of 1, 2, 4 ... reviewers until p95 reaches the limit (or `limit` steps, for the baseline), after an
    unmeasured warm-up step (two reviewers, a quarter of a step: the server's first requests)."""
    run_step(setup, accounts, min(2, args.max_users), max(1.0, args.step_seconds / 4), args.think, worker)
    steps = []
    users = 1
    while users <= args.max_users and (limit is None or len(steps) < limit):
        step = run_step(setup, accounts, users, args.step_seconds, args.think, worker)
        steps.append(step)
        print(f"  {label:<22} {users:>4} users: {step.rps:7.1f} req/s, p50 {step.p(0.5):7.1f} ms, "
              f"p95 {step.p(0.95):7.1f} ms, {step.tally.errors} errors, {step.tally.server_errors} 5xx "
              f"(login p50 {step.login_p50:.0f} ms)", flush=True)
        for example in step.tally.examples[:3]:
            print(f"      e.g. {example}")
        if step.tally.server_errors or (limit is None and not step.p(0.95) < args.p95_ms):
            break
        users *= 2
    return steps


def held(steps: list[Step], p95_ms: float) -> Step | None:
    last = None
    for step in steps:
        if step.p(0.95) < p95_ms and step.tally.server_errors == 0:
            last = step
        else:
            break
    return last


@dataclass
class EngineRun:
    dbs: Databases
    web_processes: int
    mizan: list[Step]
    raw: list[Step]
    tracebacks: list[str]


def measure_engine(dbs: Databases, work: Path, args) -> EngineRun:
    work.mkdir()
    built = time.perf_counter()
    accounts = build_instance(dbs, work / "instance", args.max_users, args.paragraphs, args.entities)
    dbs.copy(work / "instance", work / "raw")
    web = 2 if dbs.on_postgres else 1
    print(f"{dbs.label}: {len(accounts)} reviewers with an article of {args.paragraphs} paragraphs each, built in "
          f"{time.perf_counter() - built:.1f} s; {web} web process(es)", flush=True)
    setup = Setup("wsgi:app", dbs.settings(work / "instance"), web, work, "mizan", consumer=True)
    try:
        mizan = ramp(setup, accounts, args, mizan_reviewer, f"{dbs.label} Mizan")
        tracebacks = setup.tracebacks()
    finally:
        setup.stop()
    where = ({"MIZAN_BENCH_RAW_PG": dbs.psycopg_url(work / "raw")} if dbs.on_postgres
             else {"MIZAN_BENCH_RAW_DB": str(work / "raw" / "mizan.sqlite")})
    raw_setup = Setup("bench.review_bench:raw_app", where, web, work, "raw", consumer=False)
    try:
        raw = ramp(raw_setup, accounts, args, raw_reviewer, f"{dbs.label} raw", limit=len(mizan))
    finally:
        raw_setup.stop()
    return EngineRun(dbs, web, mizan, raw, tracebacks)


def print_report(runs: list[EngineRun], args) -> None:
    for run in runs:
        print(f"\n=== {run.dbs.label}: {run.web_processes} waitress process(es) x 8 threads"
              f"{' + Redis' if run.dbs.on_postgres and run.dbs.queue_url else ''}, huey consumer ===")
        header = (f"{'users':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'5xx':>4} "
                  f"{'CPU ms/req':>10} {'login p50':>9} | {'raw req/s':>9} {'raw p50':>7} {'raw p95':>7} "
                  f"{'x raw p50':>9} {'x raw p95':>9}")
        print(header)
        print("-" * len(header))
        for i, step in enumerate(run.mizan):
            raw = run.raw[i] if i < len(run.raw) else None
            cpu = f"{step.server_cpu / len(step.tally.seconds) * 1000:10.2f}" if step.server_cpu and step.tally.seconds \
                else f"{'?':>10}"
            line = (f"{step.users:>5} {step.rps:7.1f} {step.p(0.5):7.1f} {step.p(0.95):7.1f} {step.tally.errors:>6} "
                    f"{step.tally.server_errors:>4} {cpu} {step.login_p50:9.0f} |")
            if raw is not None:
                line += (f" {raw.rps:9.1f} {raw.p(0.5):7.1f} {raw.p(0.95):7.1f} {step.p(0.5) / raw.p(0.5):9.1f} "
                         f"{step.p(0.95) / raw.p(0.95):9.1f}")
            print(line)
        print("(req/s: review requests completed in the window; p50/p95 of them, login not included; CPU: the web "
              "processes', per request;\n x raw: Mizan / the bare WSGI app at the same number of users.)")
    rows = []
    for what, value in (
        ("users held (last step with p95 < %g ms)" % args.p95_ms,
         lambda run: str(held(run.mizan, args.p95_ms).users) if held(run.mizan, args.p95_ms) else "none"),
        ("  requests/s at that step", lambda run: f"{held(run.mizan, args.p95_ms).rps:.1f}"
         if held(run.mizan, args.p95_ms) else "-"),
        ("  p50 / p95 ms at that step", lambda run: f"{held(run.mizan, args.p95_ms).p(0.5):.1f} / "
         f"{held(run.mizan, args.p95_ms).p(0.95):.1f}" if held(run.mizan, args.p95_ms) else "-"),
        ("most users tried", lambda run: str(run.mizan[-1].users)),
        ("errors, all steps", lambda run: str(sum(s.tally.errors for s in run.mizan))),
        ("5xx, all steps", lambda run: str(sum(s.tally.server_errors for s in run.mizan))),
        ("raw app: users held at the same steps", lambda run: str(held(run.raw, args.p95_ms).users)
         if held(run.raw, args.p95_ms) else "none"),
        ("raw app: req/s at Mizan's held step", lambda run: f"{run.raw[run.mizan.index(held(run.mizan, args.p95_ms))].rps:.1f}"
         if held(run.mizan, args.p95_ms) else "-"),
        ("Mizan / raw p95 at Mizan's held step", lambda run: "%.1fx" % (
            held(run.mizan, args.p95_ms).p(0.95) / run.raw[run.mizan.index(held(run.mizan, args.p95_ms))].p(0.95))
         if held(run.mizan, args.p95_ms) else "-"),
    ):
        rows.append((what, [value(run) for run in runs]))
    print()
    side_by_side(rows, [f"{run.dbs.label} x{run.web_processes}" for run in runs],
                 f"Side by side (think {args.think:g} s, {args.step_seconds:g} s steps)")
    for run in runs:
        for traceback in run.tracebacks:
            print(f"\n{run.dbs.label}: the server logged:\n{traceback}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-users", type=int, default=128, help="most simulated reviewers (default 128)")
    parser.add_argument("--step-seconds", type=float, default=20, help="length of each step (default 20)")
    parser.add_argument("--think", type=float, default=0.25,
                        help="mean wait between two requests of a reviewer, seconds (default 0.25)")
    parser.add_argument("--p95-ms", type=float, default=200, help="the p95 that ends the ramp (default 200)")
    parser.add_argument("--paragraphs", type=int, default=30, help="paragraphs per article (default 30)")
    parser.add_argument("--entities", type=int, default=2, help="Arabic entities per paragraph (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed at the end)")
    add_engine_arguments(parser)
    args = parser.parse_args()
    if args.max_users < 1 or args.step_seconds <= 0 or args.paragraphs < PARAGRAPHS_PER_VISIT:
        parser.error(f"--max-users >= 1, --step-seconds > 0, --paragraphs >= {PARAGRAPHS_PER_VISIT}")

    print(f"Mizan load benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(machine_line(*postgres_version(args.database_url)))
    print(f"Load average before: {os.getloadavg()[0]:.2f} (other work on the 2 cores skews the wall times; "
          f"the client runs on them too)")
    runs = []
    with benchmark_run("mizan-load-bench-", keep=args.keep) as work:
        for dbs in engines(args.database_url, args.queue_url):
            with dbs:
                runs.append(measure_engine(dbs, work / dbs.engine, args))
        print_report(runs, args)
    five_xx = sum(s.tally.server_errors for run in runs for s in run.mizan + run.raw)
    if five_xx:
        print(f"\n{five_xx} answers were 5xx: a bug (tracebacks above).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
