"""The curation view of a long double-annotated article (issue 18: "the curation view of that article [500
paragraphs, 3,000 entities per annotator] renders <= 300 ms", baseline seqeval and sklearn on the same spans in
the same run; docs/architecture.md, "Adjudication").

What is measured
----------------
``agreement_bench.build_article``'s generated article (``--paragraphs``, default 500; ``--entities`` Arabic and
as many English entities per annotator, default 3,000; b's layer a's with realistic disagreement, half the
paragraphs with differing English) is written into a throwaway instance by ``agreement_bench.build_instance``
(both layers approved and submitted, as two annotators leave them; with ``--database-url``, PostgreSQL as well
as SQLite). Then, on each engine:

* in-process  ``adjudication.curation()`` of the page the view opens on (the first page with work left, the
              app's CURATION_PAGE_SIZE paragraphs, 50) and of the last page; the whole page
              ``GET /curate/articles/<id>`` through Flask's test client, logged in; and, for comparison, the
              whole article on one page (``per_page`` = every paragraph: what the view did before pages).
* over HTTP   waitress serving ``wsgi:app`` as ``make run`` does (``review_bench.Server``, 8 threads), an admin
              logged in through the real login form; ``--samples`` GETs of the view (default 30, after 3
              untimed), each on a new connection (``agreement_bench.measure_http``): the page the view opens
              on, and the last page. The target is judged on the first of these (p50).

Baseline, measured in the same run on the same spans: ``agreement_bench.baseline_entities`` (seqeval's
F1, precision, recall and per-label scores and sklearn's Cohen's κ over both sides' IOB2 tags of the same
spans), as an NER engineer would compare the two annotations. Ratios are baseline / Mizan: how many times
faster the curation view is than the baseline's computation over the same article. The run also checks that
every paragraph is on exactly one page.

    .venv/bin/python bench/curation_bench.py [--paragraphs 500] [--entities 3000] [--repeats 11] [--samples 30]
    scripts/with-test-services bash -c '.venv/bin/python bench/curation_bench.py --database-url "$MIZAN_TEST_DATABASE_URL"'
"""
from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.agreement_bench import (PASSWORD, TARGET_CURATION_MS, baseline_entities, build_article,  # noqa: E402
                                   build_instance, measure_http, p, timed)
from bench.machine import (add_engine_arguments, closing_line, cpu_steal, engines, machine_line,  # noqa: E402
                           postgres_version)

PARAGRAPH = re.compile(rb'data-paragraph-id="(\d+)"')


def in_process(dbs, instance: Path, article_id: int, repeats: int) -> dict[str, list[float]]:
    """curation() of the first and the last page, the whole page through the test client, and the whole
    article on one page; checks that the pages hold every paragraph once."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Paragraph, User
    from app.services import adjudication
    from tests.conftest import csrf_token_from

    dbs.use(instance)
    app = create_app()
    per_page = app.config["CURATION_PAGE_SIZE"]
    result = {}
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        first = adjudication.curation(article_id, admin, per_page=per_page)
        pages = first["pages"]
        on_pages = [p["id"] for page in pages
                    for p in adjudication.curation(article_id, admin, page=page["number"], per_page=per_page)["paragraphs"]]
        if on_pages != list(db.session.scalars(select(Paragraph.id).where(Paragraph.article_id == article_id)
                                               .order_by(Paragraph.position))):
            raise SystemExit("the pages of the curation view do not hold every paragraph once")

        def service(**kwargs):
            def run():
                db.session.expire_all()
                adjudication.curation(article_id, admin, per_page=kwargs.get("per_page", per_page),
                                      page=kwargs.get("page"))
            return run

        result["curation(), the page the view opens on"] = timed(service(), repeats)
        result[f"curation(), the last page ({pages[-1]['number']})"] = timed(service(page=pages[-1]["number"]), repeats)
        result["curation(), the whole article on one page"] = timed(service(per_page=len(on_pages)),
                                                                   max(3, repeats // 3))
        db.session.remove()
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    if client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}).status_code != 302:
        raise SystemExit("could not log in")

    def page(path: str):
        def run():
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")
        return run

    page(f"/curate/articles/{article_id}")()  # untimed: the template's compilation
    result["GET /curate/articles/<id> (test client)"] = timed(page(f"/curate/articles/{article_id}"), repeats)
    with app.app_context():
        db.engine.dispose()
    return result


def log_in(server) -> dict[str, str]:
    """The admin's session cookie, through the real login form as a browser gets it."""
    from bench.review_bench import csrf_from, expect

    login = expect(server.request("GET", "/login"), 200, "GET /login")
    cookies = dict(login.cookies)
    form = urlencode({"username": "admin", "password": PASSWORD, "csrf_token": csrf_from(login.body.decode())})
    done = expect(server.request("POST", "/login", body=form.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}), 302, "POST /login")
    cookies.update(done.cookies)
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


def over_http(dbs, work: Path, article_id: int, samples: int, paragraphs: int) -> tuple[dict[str, list[float]], dict]:
    from app.services.adjudication import PAGE_SIZE
    from bench.review_bench import Server

    server = Server("wsgi:app", dbs.settings(work / "instance"), work / "waitress.log", "/login")
    try:
        cookie = log_in(server)
        url = f"http://127.0.0.1:{server.port}"
        path = f"/curate/articles/{article_id}"
        opened = server.request("GET", path, headers=cookie)
        if opened.status != 200 or len(PARAGRAPH.findall(opened.body)) != min(paragraphs, PAGE_SIZE):
            raise SystemExit(f"GET {path} answered {opened.status} with {len(PARAGRAPH.findall(opened.body))} "
                             "paragraphs")
        last = max(int(n) for n in re.findall(rb'data-page="(\d+)"', opened.body) or [b"1"])
        measure_http(url, path, None, 3, headers=cookie)  # untimed: the server's first imports and templates
        result = {f"GET {path}, the page it opens on": measure_http(url, path, None, samples, headers=cookie),
                  f"GET {path}?page={last}, the last page": measure_http(url, f"{path}?page={last}", None, samples,
                                                                          headers=cookie)}
        return result, {"bytes": len(opened.body), "pages": last}
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=500)
    parser.add_argument("--entities", type=int, default=3000, help="per side and annotator (default 3000)")
    parser.add_argument("--repeats", type=int, default=11, help="in-process runs of each figure (default 11)")
    parser.add_argument("--samples", type=int, default=30, help="GETs over HTTP of each figure (default 30)")
    parser.add_argument("--baseline-repeats", type=int, default=3, help="runs of the baseline (default 3)")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    add_engine_arguments(parser)
    args = parser.parse_args()
    if min(args.paragraphs, args.repeats, args.samples, args.baseline_repeats) < 1:
        parser.error("--paragraphs, --repeats, --samples and --baseline-repeats must be at least 1")

    import seqeval
    import sklearn

    started, steal_before = time.perf_counter(), cpu_steal()
    print(f"Mizan curation view benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(machine_line(f"seqeval {getattr(seqeval, '__version__', '1.2.2')}", f"scikit-learn {sklearn.__version__}",
                       *postgres_version(args.database_url)))
    print(f"Load average before: {os.getloadavg()[0]:.2f} (other work on the 2 cores skews the times)")
    article = build_article(args.paragraphs, args.entities, 0.5)
    count = sum(len(pair.a.entities) for pair in article)
    print(f"Article: {len(article)} paragraphs; a: {count:,} entities (Arabic and English), b: "
          f"{sum(len(pair.b.entities) for pair in article):,}; "
          f"{sum(pair.a.english != pair.b.english for pair in article)} paragraphs whose English differs")
    baseline_entities(article[:5])  # imports, untimed
    baseline = timed(lambda: baseline_entities(article), args.baseline_repeats)
    print(f"Baseline, seqeval + sklearn on the same spans (both sides): p50 {p(baseline, 0.5):.1f} ms "
          f"(n {len(baseline)})")

    targets = []
    for dbs in engines(args.database_url, args.queue_url):
        with dbs:
            work = Path(tempfile.mkdtemp(prefix="mizan-curation-bench-"))
            try:
                built = time.perf_counter()
                article_id, _, _ = build_instance(dbs, work / "instance", article)
                print(f"\n{dbs.label}: instance built in {time.perf_counter() - built:.1f} s")
                figures = in_process(dbs, work / "instance", article_id, args.repeats)
                size = None
                if not args.no_http:
                    http, info = over_http(dbs, work, article_id, args.samples, args.paragraphs)
                    figures.update({f"over HTTP: {k}": v for k, v in http.items()})
                    size = info
                header = f"{dbs.label + ', ms':<66} {'n':>4} {'p50':>8} {'p90':>8} {'baseline/p50':>13}"
                print(header)
                print("-" * len(header))
                for label, values in figures.items():
                    print(f"{label:<66} {len(values):>4} {p(values, 0.5):8.1f} {p(values, 0.9):8.1f} "
                          f"{p(baseline, 0.5) / p(values, 0.5):12.1f}x")
                if size:
                    print(f"(the page the view opens on: {size['bytes'] / 1e3:.0f} kB of HTML; the article has "
                          f"{size['pages']} pages)")
                opened = next(v for k, v in figures.items() if k.startswith("over HTTP") and "opens on" in k) \
                    if not args.no_http else figures["GET /curate/articles/<id> (test client)"]
                how = "over HTTP, a new connection each" if not args.no_http else "in-process (test client)"
                targets.append((p(opened, 0.5) <= TARGET_CURATION_MS,
                                f"the curation view ({dbs.label}, {how}) p50 <= {TARGET_CURATION_MS:.0f} ms: "
                                f"{p(opened, 0.5):.1f} ms; baseline (seqeval + sklearn) / view "
                                f"{p(baseline, 0.5) / p(opened, 0.5):.1f}x"))
            finally:
                shutil.rmtree(work, ignore_errors=True)

    print("\nTargets (from the issue; reported, not enforced):")
    for ok, text in targets:
        print(f"  {'PASS' if ok else 'MISS'}  {text}")
    print(closing_line(started, steal_before))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
