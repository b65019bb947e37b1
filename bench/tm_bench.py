"""Translation memory benchmark: fuzzy matches and concordance over HTTP with 100,000 memory units.

What is measured
----------------
A throwaway instance (a temporary folder, never the repository's ``instance/``) is migrated and filled
through Mizan's models: the accounts ``admin`` and ``reviewer``, and a memory of ``--units`` units (default
100,000) of news-length Arabic and English made from the ``seeds/`` articles: each unit is one to three seed
sentences recombined, their numbers changed, and, for most units, a share of their words replaced by other
seed words (so that near-duplicates exist beside many merely similar units). ``--approved`` of them (default
2,000) are approved paragraphs of articles (their Arabic and approved English, as reviewers leave them); the
rest were imported into a memory (``tm_units``, as ``flask tm import`` stores them). The article measured
has 40 paragraphs made the same way, each with a machine draft, assigned to ``reviewer``. A copy of the
database taken before the memory was added is the "empty memory" instance.

The production server runs as ``python -m waitress --threads 8 wsgi:app`` in a subprocess on a free loopback
port; one request at a time, a NEW TCP connection for every request (``http.client``, ``Connection: close``),
wall time from connect to the last byte (``bench/review_bench.py``'s client):

* first    the first matches request of the server: it builds the index of the whole memory.
* matches  ``GET /api/v1/paragraphs/<id>/matches?min_score=0.5&limit=5`` cycling over the article's
           paragraphs (the paragraph and each of its sentences), after 5 warm-up requests; ``--samples``.
* concordance ``GET /api/v1/concordance?q=…&lang=ar`` (two- and three-word phrases of the seeds) and
           ``lang=en`` (English phrases), cycling; ``--samples`` each.
* approve  ``--approvals`` ``POST /api/v1/paragraphs/<id>/approve`` (after a save) with the memory, and the
           same on the empty-memory instance: the difference of the p50s is what keeping the memory current
           adds to the approve call (the QA check ``inconsistent`` reads the index; the memory itself is never
           written by an approval: approved paragraphs are read where they are).
* seen     after an approval, how long until a paragraph with the same Arabic matches it over HTTP (the
           server checks its fingerprint every ``TM_RECHECK_SECONDS``, 2 s).

Baseline, measured in the same run (in-process, on the same index): rapidfuzz's ``process.extract`` over
every unit's key (brute force), for each paragraph and sentence of the article, against the index's
candidates then rapidfuzz; the ratio of their p50s, and the recall of the index: the share of the brute
force's units scoring >= 0.7 that the index finds.

Targets (from the issue, reported PASS/MISS, not enforced): matches p50 <= 50 ms over HTTP, concordance
p50 <= 100 ms, <= 5 ms added to the approve call, recall >= 99 %. The script exits non-zero only if the
benchmark itself fails.

Both engines, in the same run: SQLite always; with ``--database-url postgresql+psycopg://...`` the same on
PostgreSQL (``bench/machine.py``'s ``Databases``: throwaway databases created and dropped there)::

    scripts/with-test-services bash -c '.venv/bin/python bench/tm_bench.py \\
        --database-url "$MIZAN_TEST_DATABASE_URL" --queue-url "$MIZAN_TEST_QUEUE_URL"'

Usage::

    .venv/bin/python bench/tm_bench.py
    .venv/bin/python bench/tm_bench.py --units 20000 --samples 20
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.machine import (  # noqa: E402
    Databases, add_engine_arguments, benchmark_run, engines, machine_line, postgres_version, side_by_side,
)
from bench.review_bench import Series, Server, expect, timed  # noqa: E402

SEEDS_DIR = PROJECT_ROOT / "seeds"
PASSWORD = "bench-password-not-secret-1"  # only ever used on a throwaway instance
ARTICLE_PARAGRAPHS = 40
WARM_UP = 5
OVERRIDE = "Benchmark text: its numbers are generated."
TARGET_MATCHES_MS, TARGET_CONCORDANCE_MS, TARGET_APPROVE_ADDED_MS, TARGET_RECALL = 50.0, 100.0, 5.0, 0.99
RECALL_SCORE = 0.7

ARABIC_LINE = re.compile(r"[\u0621-\u064A]")
ARABIC_WORD = re.compile(r"[\u0621-\u064A]{2,}")
DIGITS = re.compile(r"[0-9\u0660-\u0669]+")
ENGLISH_TEMPLATES = (
    "The {org} said on {day} that talks with {place} on {topic} would resume within {n} days.",
    "{person} met the delegation of {place} in the capital and discussed {topic} and trade worth {n} million dollars.",
    "According to the {org}, exports to {place} grew by {n} percent last year.",
    "The agreement signed by {person} covers {topic}, energy and transport until {year}.",
    "Officials from {place} and the {org} will meet again in {year} to review {topic}.",
)
FILLERS = {
    "org": ["Foreign Ministry", "Eurasian Economic Union", "central bank", "ministry of economy", "United Nations"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "place": ["Turkmenistan", "Russia", "Iran", "Kazakhstan", "Egypt", "Turkey"],
    "topic": ["economic cooperation", "regional security", "gas supplies", "investment", "customs rules"],
    "person": ["Vladimir Putin", "Serdar Berdimuhamedov", "the foreign minister", "the prime minister"],
}
ENGLISH_PHRASES = ["foreign ministry", "economic cooperation", "regional security", "gas supplies", "central bank",
                   "prime minister", "customs rules", "eurasian economic union"]


# --- text -------------------------------------------------------------------------------------------

def seed_sentences() -> list[str]:
    from app.services.sentences import split_sentences

    sentences = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for line in unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).splitlines():
            if ARABIC_LINE.search(line):
                sentences += [s for s in split_sentences(line) if len(s.split()) >= 5]
    return sentences


class Texts:
    """Arabic units recombined from seed sentences (numbers changed, words replaced) and English to go with them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.sentences = seed_sentences()
        self.vocabulary = sorted({w for s in self.sentences for w in ARABIC_WORD.findall(s)})

    def number(self, match: re.Match) -> str:
        return str(self.rng.randint(1, 2030))

    def arabic(self, *, replace: float) -> str:
        rng = self.rng
        chosen = [rng.choice(self.sentences) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        words = DIGITS.sub(self.number, " ".join(chosen)).split()
        words = [rng.choice(self.vocabulary) if rng.random() < replace else word for word in words]
        return " ".join(words)

    def unit(self) -> str:
        """Most units are merely similar to the seeds (a third to a half of their words replaced); some are
        near-duplicates (a few words and the numbers changed)."""
        return self.arabic(replace=self.rng.choice((0.0, 0.05, 0.35, 0.45, 0.5, 0.5)))

    def english(self) -> str:
        rng = self.rng
        count = rng.choice((1, 2, 3))
        return " ".join(rng.choice(ENGLISH_TEMPLATES).format(
            **{k: rng.choice(v) for k, v in FILLERS.items()}, n=rng.randint(2, 900), year=rng.randint(2020, 2030))
            for _ in range(count))


# --- the instance -----------------------------------------------------------------------------------

@dataclass
class Built:
    article_id: int
    paragraph_ids: list[int]
    approve_ids: list[int]  # paragraphs of another article, for the approvals
    twin_id: int  # a paragraph whose Arabic is that of approve_ids[-1], for "seen"
    reviewer_token: str
    units: int = 0
    arabic_queries: list[str] = field(default_factory=list)


def add_article(rng, texts: Texts, title: str, arabic: list[str], reviewer, admin) -> tuple[int, list[int]]:
    from app.extensions import db
    from app.models import Article, Paragraph, Translation
    from app.services import assignment

    article = Article(title=title, original_filename=f"{title}.txt", raw_bytes=title.encode(),
                      checksum=hashlib.sha256(title.encode()).hexdigest(), status="translated")
    db.session.add(article)
    db.session.flush()
    paragraphs = [Paragraph(article_id=article.id, position=i, kind="body", ar=text) for i, text in enumerate(arabic)]
    db.session.add_all(paragraphs)
    db.session.flush()
    drafts = [Translation(paragraph_id=p.id, text=texts.english(), origin="machine", engine="ctranslate2",
                          engine_version="bench", model_id="bench", source_hash="x") for p in paragraphs]
    db.session.add_all(drafts)
    db.session.flush()
    for paragraph, draft in zip(paragraphs, drafts):
        paragraph.current_revision_id = draft.id
        paragraph.version = 2
    db.session.commit()
    assignment.assign_article(db.session.get(Article, article.id), reviewer, "reviewer", actor=admin)
    return article.id, [p.id for p in paragraphs]


def build_instance(dbs: Databases, instance: Path, approvals: int) -> Built:
    dbs.new(instance)
    dbs.use(instance)
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import users as user_service

    app = create_app()
    with app.app_context():
        upgrade()
        admin = user_service.create_user("admin", PASSWORD, "admin", display_name="Amina Admin")
        reviewer = user_service.create_user("reviewer", PASSWORD, "reviewer", display_name="Rami Reviewer")
        rng = random.Random(20261206)
        texts = Texts(rng)
        measured = [texts.arabic(replace=rng.choice((0.0, 0.05, 0.1))) for _ in range(ARTICLE_PARAGRAPHS)]
        article_id, paragraph_ids = add_article(rng, texts, "bench-measured", measured, reviewer, admin)
        to_approve = [texts.unit() for _ in range(approvals)]
        _, approve_ids = add_article(rng, texts, "bench-approve", to_approve, reviewer, admin)
        _, (twin_id,) = add_article(rng, texts, "bench-twin", [to_approve[-1]], reviewer, admin)
        built = Built(article_id, paragraph_ids, approve_ids, twin_id, user_service.issue_api_token(reviewer))
        db.session.remove()
        db.engine.dispose()
    return built


def fill_memory(dbs: Databases, instance: Path, units: int, approved: int) -> int:
    """Add `units` memory units: `approved` approved paragraphs, the rest imported."""
    dbs.use(instance)
    from sqlalchemy import insert, select, update

    from app import create_app
    from app.extensions import db
    from app.models import Article, Paragraph, TmUnit, Translation, TranslationMemory, User
    from app.services.translation_memory import unit_checksum

    app = create_app()
    with app.app_context():
        rng = random.Random(7)
        texts = Texts(rng)
        reviewer_id = db.session.scalar(select(User.id).where(User.username == "reviewer"))
        approved = min(approved, units)
        per_article = 50
        for first in range(0, approved, per_article):
            count = min(per_article, approved - first)
            article = Article(title=f"bench-memory-{first}", original_filename="m.txt", raw_bytes=b"m",
                              checksum=hashlib.sha256(f"memory{first}".encode()).hexdigest(), status="approved")
            db.session.add(article)
            db.session.flush()
            paragraphs = [Paragraph(article_id=article.id, position=i, kind="body", ar=texts.unit(), status="approved")
                          for i in range(count)]
            db.session.add_all(paragraphs)
            db.session.flush()
            revisions = [Translation(paragraph_id=p.id, text=texts.english(), origin="human", author_id=reviewer_id)
                         for p in paragraphs]
            db.session.add_all(revisions)
            db.session.flush()
            db.session.execute(update(Paragraph), [{"id": p.id, "current_revision_id": r.id, "approved_revision_id": r.id}
                                                   for p, r in zip(paragraphs, revisions)])
        memory = TranslationMemory(name="bench", file_name="bench.tmx")
        db.session.add(memory)
        db.session.flush()
        batch: list[dict] = []
        seen: set[str] = set()
        for _ in range(units - approved):
            ar, en = texts.unit(), texts.english()
            checksum = unit_checksum(ar, en)
            if checksum in seen:
                continue
            seen.add(checksum)
            batch.append({"memory_id": memory.id, "ar": ar, "en": en, "checksum": checksum})
            if len(batch) == 5000:
                db.session.execute(insert(TmUnit), batch)
                batch = []
        if batch:
            db.session.execute(insert(TmUnit), batch)
        db.session.commit()
        total = approved + len(seen)
        db.session.remove()
        db.engine.dispose()
    return total


# --- in-process: brute force against the index ------------------------------------------------------

@dataclass
class Baseline:
    index_build_s: float
    index_ms: list[float]
    brute_ms: list[float]
    found: int  # of the brute force's units >= RECALL_SCORE, found by the index
    expected: int
    queries: int


def measure_baseline(dbs: Databases, instance: Path, built: Built) -> Baseline:
    dbs.use(instance)
    from app import create_app
    from app.extensions import db
    from app.models import Paragraph
    from app.services import translation_memory as tm
    from app.services.sentences import split_sentences

    app = create_app()
    with app.app_context():
        tm.forget_indexes()
        started = time.perf_counter()
        index = tm.memory_index()
        build = time.perf_counter() - started
        texts = [db.session.get(Paragraph, pid).ar for pid in built.paragraph_ids]
        queries = []
        for text in texts:
            queries.append(text)
            sentences = split_sentences(text)
            if len(sentences) > 1:
                queries += sentences
        keys = tm.memory_keys(queries)
        index_ms, brute_ms, found, expected = [], [], 0, 0
        for key in keys:
            started = time.perf_counter()
            mine = index.scored(key, RECALL_SCORE)
            index_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            brute = index.brute_force(key, RECALL_SCORE)
            brute_ms.append((time.perf_counter() - started) * 1000)
            wanted = {slot for _, slot in brute}
            expected += len(wanted)
            found += len(wanted & {slot for _, slot in mine})
        built.arabic_queries = [" ".join(text.split()[i:i + n]) for text, i, n in
                                ((t, 3 * k % max(1, len(t.split()) - 3), 2 + k % 2) for k, t in enumerate(texts))]
        db.session.remove()
        db.engine.dispose()
    return Baseline(build, index_ms, brute_ms, found, expected, len(keys))


# --- over HTTP --------------------------------------------------------------------------------------

def measure_http(dbs: Databases, instance: Path, built: Built, samples: int, log: Path,
                 *, with_memory: bool) -> dict[str, Series]:
    server = Server("wsgi:app", dbs.settings(instance), log, "/login")
    results: dict[str, Series] = {}
    try:
        bearer = {"Authorization": f"Bearer {built.reviewer_token}", "Accept": "application/json"}
        ids = built.paragraph_ids

        def matches(i: int):
            url = f"/api/v1/paragraphs/{ids[i % len(ids)]}/matches?min_score=0.5&limit=5"
            return expect(server.request("GET", url, headers=bearer), 200, url)

        if with_memory:
            first = Series("first matches request (index being built)")
            first.seconds.append(matches(0).seconds)
            results["first"] = first
            results["matches"] = timed(server, "matches (paragraph + sentences)", samples, matches, WARM_UP)

            def concordance_ar(i: int):
                url = "/api/v1/concordance?" + urlencode(
                    {"q": built.arabic_queries[i % len(built.arabic_queries)], "lang": "ar", "limit": 50})
                return expect(server.request("GET", url, headers=bearer), 200, url)

            def concordance_en(i: int):
                url = "/api/v1/concordance?" + urlencode(
                    {"q": ENGLISH_PHRASES[i % len(ENGLISH_PHRASES)], "lang": "en", "limit": 50})
                return expect(server.request("GET", url, headers=bearer), 200, url)

            results["concordance_ar"] = timed(server, "concordance, Arabic phrase", samples, concordance_ar, WARM_UP)
            results["concordance_en"] = timed(server, "concordance, English phrase", samples, concordance_en, WARM_UP)

        versions: dict[int, int] = {}

        def approve(i: int):
            pid = built.approve_ids[i]
            saved = expect(server.request("PUT", f"/api/v1/paragraphs/{pid}/translation", headers={
                **bearer, "Content-Type": "application/json"},
                body=f'{{"text": "Approved English of paragraph {pid}.", "version": 2}}'.encode()), 200, "save")
            versions[pid] = saved.json()["version"]
            return expect(server.request("POST", f"/api/v1/paragraphs/{pid}/approve", headers={
                **bearer, "Content-Type": "application/json"},
                body=f'{{"version": {versions[pid]}, "override_reason": "{OVERRIDE}"}}'.encode()), 200, "approve")

        results["approve"] = timed(server, "approve" + (" (memory)" if with_memory else " (empty memory)"),
                                   len(built.approve_ids), approve)
        if with_memory:  # the last approval: how long until a paragraph with the same Arabic matches it
            started = time.perf_counter()
            target = built.approve_ids[-1]
            while True:
                found = expect(server.request("GET", f"/api/v1/paragraphs/{built.twin_id}/matches?min_score=0.99",
                                              headers=bearer), 200, "matches of the twin").json()["matches"]
                if any(m["paragraph_id"] == target for m in found):
                    break
                if time.perf_counter() - started > 60:
                    raise RuntimeError("an approval was not matched within 60 s")
                time.sleep(0.05)
            seen = Series("approval matched by another paragraph after")
            seen.seconds.append(time.perf_counter() - started)
            results["seen"] = seen
    finally:
        server.stop()
    return results


# --- report -----------------------------------------------------------------------------------------

@dataclass
class EngineRun:
    dbs: Databases
    built: Built
    baseline: Baseline
    http: dict[str, Series]
    empty: dict[str, Series]

    @property
    def recall(self) -> float:
        return self.baseline.found / self.baseline.expected if self.baseline.expected else 1.0

    @property
    def approve_added(self) -> float:
        return self.http["approve"].p(0.5) - self.empty["approve"].p(0.5)


def measure_engine(dbs: Databases, work: Path, args) -> EngineRun:
    work.mkdir()
    started = time.perf_counter()
    built = build_instance(dbs, work / "instance", args.approvals)
    dbs.copy(work / "instance", work / "empty")
    built.units = fill_memory(dbs, work / "instance", args.units, args.approved)
    print(f"{dbs.label}: instance {work / 'instance'}: {built.units:,} memory units "
          f"({min(args.approved, args.units):,} approved paragraphs), built in {time.perf_counter() - started:.1f} s",
          flush=True)
    baseline = measure_baseline(dbs, work / "instance", built)
    http = measure_http(dbs, work / "instance", built, args.samples, work / "waitress.log", with_memory=True)
    empty = measure_http(dbs, work / "empty", built, args.samples, work / "waitress-empty.log", with_memory=False)
    return EngineRun(dbs, built, baseline, http, empty)


def print_report(run: EngineRun) -> None:
    b = run.baseline
    header = f"{'over HTTP, new connection per request':<44} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'server CPU ms':>13}"
    print(header)
    print("-" * len(header))
    for series in (*run.http.values(), *run.empty.values()):
        cpu = f"{series.cpu_ms:13.2f}" if series.cpu_ms is not None else f"{'-':>13}"
        print(f"{series.label:<44} {len(series.seconds):>5} {series.p(0.5):9.2f} {series.p(0.95):9.2f} {cpu}")
    print(f"\nIn-process, {b.queries} queries (the article's paragraphs and sentences), min score {RECALL_SCORE}:")
    print(f"  index build from the database: {b.index_build_s:.2f} s")
    index_p50, brute_p50 = statistics.median(b.index_ms), statistics.median(b.brute_ms)
    print(f"  index + rapidfuzz p50 {index_p50:.2f} ms; brute force (process.extract over every unit) p50 "
          f"{brute_p50:.2f} ms: {brute_p50 / index_p50:.0f}x faster")
    print(f"  recall: {b.found} of the brute force's {b.expected} units >= {RECALL_SCORE} found ({run.recall:.2%})")


def targets(run: EngineRun) -> list[tuple[bool, str]]:
    m, car, cen = run.http["matches"].p(0.5), run.http["concordance_ar"].p(0.5), run.http["concordance_en"].p(0.5)
    return [
        (m <= TARGET_MATCHES_MS, f"matches p50 over HTTP <= {TARGET_MATCHES_MS:.0f} ms: {m:.1f} ms"),
        (max(car, cen) <= TARGET_CONCORDANCE_MS,
         f"concordance p50 <= {TARGET_CONCORDANCE_MS:.0f} ms: Arabic {car:.1f} ms, English {cen:.1f} ms"),
        (run.approve_added <= TARGET_APPROVE_ADDED_MS,
         f"added to the approve call <= {TARGET_APPROVE_ADDED_MS:.0f} ms: {run.approve_added:+.2f} ms"),
        (run.recall >= TARGET_RECALL, f"recall vs brute force (>= {RECALL_SCORE}) >= {TARGET_RECALL:.0%}: "
                                      f"{run.recall:.2%}"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100_000, help="memory units (default 100,000)")
    parser.add_argument("--approved", type=int, default=2_000, help="of which approved paragraphs (default 2,000)")
    parser.add_argument("--samples", type=int, default=50, help="timed matches and concordance requests (default 50)")
    parser.add_argument("--approvals", type=int, default=30, help="timed approvals on each instance (default 30)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed at the end)")
    add_engine_arguments(parser)
    args = parser.parse_args()
    if args.units < 10 or args.samples < 1 or args.approvals < 1:
        parser.error("--units must be at least 10; --samples and --approvals at least 1")

    print(f"Mizan translation memory benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(machine_line(*postgres_version(args.database_url)))
    print(f"Load average before: {os.getloadavg()[0]:.2f} (other work on the 2 cores skews the wall times)")
    runs: list[EngineRun] = []
    with benchmark_run("mizan-tm-bench-", keep=args.keep) as work:
        for dbs in engines(args.database_url, args.queue_url):
            with dbs:
                runs.append(measure_engine(dbs, work / dbs.engine, args))
        for run in runs:
            print(f"\n=== {run.dbs.label} ===")
            print_report(run)
        rows = []
        for key in runs[0].http:
            rows.append((f"{runs[0].http[key].label} p50 ms", [f"{run.http[key].p(0.5):.2f}" for run in runs]))
        rows.append(("approve (empty memory) p50 ms", [f"{run.empty['approve'].p(0.5):.2f}" for run in runs]))
        rows.append(("added to approve p50 ms", [f"{run.approve_added:+.2f}" for run in runs]))
        rows.append(("brute force / index (p50, in-process)",
                     [f"{statistics.median(run.baseline.brute_ms) / statistics.median(run.baseline.index_ms):.0f}x"
                      for run in runs]))
        rows.append(("recall vs brute force", [f"{run.recall:.2%}" for run in runs]))
        print()
        side_by_side(rows, [run.dbs.label for run in runs],
                     f"Side by side ({runs[0].built.units:,} units, same run)")
        print()
        print("Targets (from the issue; reported, not enforced):")
        for run in runs:
            for ok, text in targets(run):
                print(f"  {'PASS' if ok else 'MISS'}  {run.dbs.label:<10} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
