"""Export benchmark: how fast Mizan writes the approved corpus in each format, and with how much memory.

What is measured
----------------
Two corpora are built, a small one (``--small``, default 10,000 paragraphs)
and the full one (``--paragraphs``, default 100,000), each in its own
instance folder: a database migrated by ``create_app`` + ``flask_migrate.upgrade``
(the default labels; the users admin, rania and omar (reviewers) and
``corpus`` (role corpus, with an API token)), then filled with plain
``sqlite3`` ``executemany`` from the real texts in ``seeds/`` (parsed with
``parse_news_text``, titles and body paragraphs; captions and credits are left
out, the default export skips them).  Articles are copies of the five seeds.
Every paragraph has a machine revision (origin machine, model id, engine), a
human revision (the machine text edited: the approved English), status
approved with current = approved revision = the human one, a
``paragraph_approvals`` row (approver, seconds, the real character edit
distance and HTER of ``effort.edit_effort``), the real ``qa.check_paragraph``
findings as ``qa_findings``, and exactly three entities: two Arabic spans over
real words (names where the text has them), one English span on the human
revision, and one link.  Every article has a reviewer, half of them a second
reviewer.  So N paragraphs carry 3N entities and N links (printed).

For each format (``export.FORMATS``) and each corpus a fresh Python process
runs ``export.write_export(fmt, Selection(), PATH)`` (everything approved,
titles and body text); only that call is timed (Python start-up, imports and
``create_app`` are not).  Its peak RSS (``VmHWM``, the whole process) and its
RSS before the export are reported, and the growth of the peak from the small
to the full corpus (the "memory flat" target).

Baselines, measured in the same run
-----------------------------------
* raw loop (orjson)  plain ``sqlite3``: one cursor over the paragraphs (same
  join and order), and per 1,000 paragraph ids the entities, links,
  approvals and machine drafts with ``IN`` lists, records built as dicts and
  written with ``orjson`` -- the same serializer, so the ratio measures
  Mizan's overhead rather than the JSON library.  Its output must be
  byte-identical to Mizan's JSONL (checked with SHA-256; the run fails
  otherwise).
* raw loop (json)    the same loop with the stdlib ``json`` module, for
  information (also checked byte-identical).

Mizan JSONL and the orjson raw loop are run ``--repeat`` times each,
interleaved (median reported); other formats once.

Other paths
-----------
* CLI   ``flask --app wsgi export jsonl -o PATH`` in a subprocess, wall time from
        spawn to exit (start-up and the count query included).
* HTTP  ``waitress-serve --threads 4 wsgi:app`` on 127.0.0.1 per corpus.  The
        server starts its export helper process on its first request (the
        readiness probe); the benchmark waits for the log line saying it is
        ready (60 s at most; said when it is not), then sends ``--repeat``
        ``GET /api/v1/export/jsonl`` with ``Authorization: Bearer TOKEN``, each
        on a new connection (``Connection: close``), streamed to a file; timed
        from the request to the last byte (median reported, all printed); the
        server's peak RSS and the CPU seconds per request of the server and
        its helper processes.  On the full corpus, then one download of each
        file of the other formats (a request per side for CoNLL and Moses,
        their times added up), for information.  Skipped (and said so) when
        the route does not answer 200.

Release
-------
``export.write_release(Selection(), release_options(), DIR)`` in a fresh
process (the CLI's ``flask --app wsgi release``: DIR with every file of every
split and DIR.zip), timed like the formats, on every corpus; the zip's bytes
checked identical over two runs of the smaller corpus.  Baseline: the plain
JSONL export (``write_export("jsonl")``) of the same run; the ratio is printed,
with the release's CPU seconds in its main thread and beside it (the deflating
thread, the process writing CoNLL and the Arabic DocBins), whose larger half is about the wall time on two
idle cores (this machine's other work skews the wall times).
Target (issue 19): 100,000 approved paragraphs in <= 30 s.  The spaCy DocBins
are written only when ``app/services/export/spacy_docs.py`` exists (said on the
release's line).

Peers and targets (from the issue)
----------------------------------
doccano 1.8.4 exports 10,000 paragraphs with their annotations in 1.2-2.0 s,
Label Studio 1.23.2 in 26 s (their HTTP APIs over loopback, this machine).
Targets: JSONL >= 40,000 paragraphs/s and >= 5x doccano, within 2x of the raw
loop, peak RSS growth < 100 MB from 10,000 to 100,000 paragraphs; every other
format >= 20,000 paragraphs/s.  Reported, not enforced (exit 0 on a miss; non-zero
only when the benchmark itself fails, e.g. different bytes or wrong counts).
With ``--profile missed`` (the default) every format that misses a target is
run once more under cProfile on the full corpus and the top functions printed.

Both engines, in the same run
-----------------------------
SQLite is always measured.  With ``--database-url postgresql+psycopg://...``
(a PostgreSQL server on which the benchmark creates throwaway databases,
``mizan_bench_<pid>_<n>``, and drops them at the end) everything above is
measured again on PostgreSQL, on the same rows: a template migrated with the
same users (same ids; its own API token), one copy per corpus into which the
SQLite corpus's rows are ``COPY``-ed (foreign keys checked on SQLite, where
they were built; sequences moved past the largest ids; ``ANALYZE``).  Mizan's
export, the CLI and the server run with ``MIZAN_DATABASE_URL`` (the server's
export helper adopts the request's snapshot with ``pg_export_snapshot``).  The raw loop runs on ``psycopg``: one
REPEATABLE READ transaction, the paragraphs through a server-side cursor,
``= ANY(%s)`` for the id lists, ``qa_findings::text`` parsed by the same
serializer.  Every JSONL of one corpus must still be byte-identical, and the
report says whether both engines wrote the same bytes.  Each engine's report,
then both side by side, then the issue's target (JSONL >= 40,000
paragraphs/s with flat memory, stated for PostgreSQL) per engine.  A
throwaway server::

    scripts/with-test-services bash -c '.venv/bin/python bench/export_bench.py \
        --database-url "$MIZAN_TEST_DATABASE_URL" --queue-url "$MIZAN_TEST_QUEUE_URL"'

Usage::

    .venv/bin/python bench/export_bench.py                      # 10,000 and 100,000 paragraphs
    .venv/bin/python bench/export_bench.py --paragraphs 20000 --small 2000 --repeat 1
    .venv/bin/python bench/export_bench.py --formats jsonl --profile all --keep
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.machine import (  # noqa: E402
    Databases, add_engine_arguments, benchmark_run, engines, machine_line, postgres_version, process_tree_cpu_seconds,
    side_by_side, tool, waitress_server,
)

SEEDS_DIR = PROJECT_ROOT / "seeds"
FORMATS = ("jsonl", "tmx", "xliff2", "xliff12", "conll", "moses")  # = export.FORMATS, JSONL first

# Peers (from the issue): 10,000 paragraphs exported over HTTP on loopback.
DOCCANO_SECONDS = (1.2, 2.0)
LABEL_STUDIO_SECONDS = 26.0
PEER_PARAGRAPHS = 10_000
DOCCANO_BEST_RATE = PEER_PARAGRAPHS / DOCCANO_SECONDS[0]  # 8,333/s
TARGET_JSONL_RATE = 40_000
TARGET_DOCCANO_MULTIPLE = 5.0
TARGET_RAW_RATIO = 2.0
TARGET_GROWTH_MB = 100.0
TARGET_OTHER_RATE = 20_000
TARGET_RELEASE_SECONDS = 30.0  # for 100,000 paragraphs (issue 19)
TARGET_RELEASE_PARAGRAPHS = 100_000

MODEL_ID = "translate-ar_en@1.9+sha256:3f7a1c9e0b5d2a84"
ENGINE, ENGINE_VERSION = "ctranslate2", "4.8.5"
PASSWORD = "bench-password-123456"  # throwaway instance only

# --- realistic English ------------------------------------------------------------

EN_POOL = (
    "Russia and Turkmenistan are working to develop cooperation using the potential of the Eurasian Economic Union.",
    "The presidents of Russia and Turkmenistan, Vladimir Putin and Serdar Berdimuhamedov, considered it necessary "
    "to develop cooperation in the field of information security.",
    "This was stated in the declaration signed in Ashgabat after the talks between the two presidents "
    "on Friday, June 10, 2022.",
    "Russian Foreign Minister Sergei Lavrov said that the relations between Russia and Tajikistan are an example "
    "of a true strategic partnership and alliance.",
    "Vladimir Putin stressed the importance of peace, stability and security in the Eurasian region.",
    "The Kremlin press service announced that the president would visit Kazakhstan on Thursday, November 9.",
    "The leaders of the Commonwealth of Independent States are meeting for the second time in a week.",
    "The parties expressed their readiness to increase cooperation in the framework of energy efficiency "
    "projects in Turkmenistan.",
    "Moscow and Ashgabat agreed to maintain high-level contacts between the legislative bodies of the two countries.",
    "The Caspian Sea is a common heritage of all the states of the region, Putin said.",
    "Trade between Russia and Kazakhstan grew by 28.2 percent and exceeded 24 billion dollars last year.",
    "The Shanghai Cooperation Organisation currently brings together 26 states, according to TASS.",
    "The document stressed that the relations between Russia and Turkmenistan are based on deep political trust.",
    "Kassym-Jomart Tokayev, the president of Kazakhstan, met Putin in Astana on Friday.",
    "The parties will continue to interact actively within the United Nations and the OSCE, Moscow said.",
    "Central Asia is seeing a growing process of consolidation, the Russian president said.",
)
# What the reviewer changed in the machine English (applied wherever they occur).
EN_EDITS = (
    ("said that", "said"), ("in the framework of", "under"), ("are working to develop", "are developing"),
    ("This was stated in", "This was set out in"),
    ("considered it necessary to develop", "agreed on the need to develop"),
    ("grew by", "rose by"), ("currently brings together", "now brings together"),
    ("is seeing a growing process of consolidation", "is consolidating"), ("would visit", "will visit"),
)
EN_NAMES = (
    ("Vladimir Putin", "PER"), ("Sergei Lavrov", "PER"), ("Serdar Berdimuhamedov", "PER"),
    ("Kassym-Jomart Tokayev", "PER"), ("Putin", "PER"), ("Turkmenistan", "LOC"), ("Tajikistan", "LOC"),
    ("Kazakhstan", "LOC"), ("Russia", "LOC"), ("Moscow", "LOC"), ("Ashgabat", "LOC"), ("Astana", "LOC"),
    ("Central Asia", "LOC"), ("Caspian Sea", "LOC"), ("Commonwealth of Independent States", "ORG"),
    ("Shanghai Cooperation Organisation", "ORG"), ("Eurasian Economic Union", "ORG"), ("Kremlin", "ORG"),
    ("United Nations", "ORG"), ("TASS", "ORG"),
)
AR_NAMES = (
    ("فلاديمير بوتين", "PER"), ("بوتين", "PER"), ("لافروف", "PER"), ("بيردي محمدوف", "PER"), ("توكاييف", "PER"),
    ("روسيا", "LOC"), ("تركمانستان", "LOC"), ("طاجيكستان", "LOC"), ("كازاخستان", "LOC"), ("موسكو", "LOC"),
    ("آسيا الوسطى", "LOC"), ("بحر قزوين", "LOC"), ("رابطة الدول المستقلة", "ORG"),
    ("منظمة شنغهاي للتعاون", "ORG"), ("الكرملين", "ORG"), ("الأمم المتحدة", "ORG"),
)
AR_WORD = re.compile(r"[\u0621-\u064a]{4,}")


@dataclass
class Template:
    """One seed paragraph with everything a reviewed copy of it carries."""

    kind: str
    ar: str
    machine: str
    human: str
    ar_spans: list[tuple[int, int, str]]  # (start, end, label), two, non-overlapping
    en_span: tuple[int, int, str]
    link_from: int  # index into ar_spans of the linked Arabic entity
    distance: int | None
    hter: float | None
    qa_json: str
    override: str | None


@dataclass
class SeedArticle:
    stem: str
    raw: bytes
    title: str
    source: str | None
    published: str | None
    paragraphs: list[tuple[int, Template]]  # (position in the article, template)


def _spans(text: str, names, whole_words: bool = False) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of the names (earliest first, longest on a tie); Arabic ones may carry clitics."""
    found = []
    for name, label in names:
        pattern = rf"\b{re.escape(name)}\b" if whole_words else re.escape(name)
        found.extend((m.start(), m.end(), label) for m in re.finditer(pattern, text))
    found.sort(key=lambda s: (s[0], -s[1]))
    kept, last_end = [], -1
    for start, end, label in found:
        if start >= last_end:
            kept.append((start, end, label))
            last_end = end
    return kept


def english_for(ar: str, index: int) -> tuple[str, str]:
    sentences, first = [], (index * 5) % len(EN_POOL)
    while not sentences or len(" ".join(sentences)) < 1.1 * len(ar):
        sentences.append(EN_POOL[(first + len(sentences)) % len(EN_POOL)])
    machine = " ".join(sentences)
    human = machine
    for old, new in EN_EDITS:
        human = human.replace(old, new)
    return machine, human


def load_seeds() -> list[SeedArticle]:
    from app.services import effort, qa
    from app.services.news_text import parse_news_text

    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seed files in {SEEDS_DIR}")
    articles, index = [], 0
    for path in seeds:
        raw = path.read_bytes()
        parsed = parse_news_text(raw)
        paragraphs = []
        for position, p in enumerate(parsed.paragraphs):
            if p.kind not in ("title", "body"):
                continue
            machine, human = english_for(p.text, index)
            ar_spans = _spans(p.text, AR_NAMES)[:2]
            for match in AR_WORD.finditer(p.text):  # too few names: other words (MISC)
                if len(ar_spans) == 2:
                    break
                if all(match.end() <= s or match.start() >= e for s, e, _ in ar_spans):
                    ar_spans.append((match.start(), match.end(), "MISC"))
            ar_spans.sort()
            if len(ar_spans) != 2:
                raise RuntimeError(f"{path.name} paragraph {position}: fewer than two words for entities")
            en_span = _spans(human, EN_NAMES, whole_words=True)[0]
            same_label = [i for i, s in enumerate(ar_spans) if s[2] == en_span[2]]
            link_from = same_label[0] if same_label else 0
            unlinked = tuple(p.text[s:e] for i, (s, e, _) in enumerate(ar_spans) if i != link_from)
            findings = [f.as_dict() for f in qa.check_paragraph(
                p.text, human, qa.QAContext(machine_text=machine, unlinked_ar_entities=unlinked))]
            override = ("Checked against the source; the figures are right."
                        if any(f["severity"] == "error" for f in findings) else None)
            distance, hter = effort.edit_effort(machine, human)
            paragraphs.append((position, Template(
                kind=p.kind, ar=p.text, machine=machine, human=human, ar_spans=ar_spans, en_span=en_span,
                link_from=link_from, distance=distance, hter=hter,
                qa_json=json.dumps(findings, ensure_ascii=False),  # as the app's json_serializer stores it
                override=override,
            )))
            index += 1
        articles.append(SeedArticle(
            stem=path.stem, raw=raw, title=parsed.title, source=parsed.source,
            published=parsed.published.isoformat() if parsed.published else None, paragraphs=paragraphs,
        ))
    return articles


# --- instances ----------------------------------------------------------------

@dataclass
class Users:
    admin: int
    reviewers: tuple[int, int]
    token: str


def make_template(dbs: Databases, instance: Path) -> Users:
    """A migrated database with the users (in this process: create_app, upgrade, the users service)."""
    dbs.new(instance)
    dbs.use(instance)
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import users as user_service

    app = create_app()
    with app.app_context():
        upgrade()
        admin = user_service.create_user("admin", PASSWORD, "admin", display_name="Administrator")
        rania = user_service.create_user("rania", PASSWORD, "reviewer", display_name="Rania")
        omar = user_service.create_user("omar", PASSWORD, "reviewer", display_name="Omar")
        corpus = user_service.create_user("corpus", PASSWORD, "corpus")
        token = user_service.issue_api_token(corpus)
        users = Users(admin.id, (rania.id, omar.id), token)
        db.session.remove()
        db.engine.dispose()
    return users


def _stamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLAlchemy stores a DateTime in SQLite


def fill(database: Path, seeds: list[SeedArticle], paragraphs: int, users: Users) -> dict[str, int]:
    """Insert `paragraphs` reviewed paragraphs (copies of the seeds) with plain sqlite3 executemany."""
    labels = dict(sqlite3.connect(database).execute("SELECT name, id FROM labels").fetchall())
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=OFF")  # paragraphs and translations point at each other
    rows: dict[str, list] = {t: [] for t in ("articles", "assignments", "paragraphs", "translations", "entities",
                                             "entity_links", "paragraph_approvals")}
    sql = {
        "articles": "INSERT INTO articles (id, title, source, published, original_filename, raw_bytes, checksum, "
                    "status, imported_by_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        "assignments": "INSERT INTO assignments (article_id, user_id, role, assigned_by_id, assigned_at) "
                       "VALUES (?,?,?,?,?)",
        "paragraphs": "INSERT INTO paragraphs (id, article_id, position, kind, ar, status, version, "
                      "current_revision_id, approved_revision_id, pending_seconds, qa_findings) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        "translations": "INSERT INTO translations (id, paragraph_id, text, origin, engine, engine_version, model_id, "
                        "source_hash, author_id, parent_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        "entities": 'INSERT INTO entities (id, paragraph_id, lang, translation_id, start, "end", label_id, text, '
                    "flagged, author_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        "entity_links": "INSERT INTO entity_links (ar_entity_id, en_entity_id, author_id, created_at) VALUES (?,?,?,?)",
        "paragraph_approvals": "INSERT INTO paragraph_approvals (paragraph_id, revision_id, machine_revision_id, "
                               "approved_by_id, approved_at, seconds_spent, char_edit_distance, hter, "
                               "override_reason) VALUES (?,?,?,?,?,?,?,?,?)",
    }
    counts = dict.fromkeys(rows, 0)

    def flush() -> None:
        for table, batch in rows.items():
            if batch:
                connection.executemany(sql[table], batch)
                counts[table] += len(batch)
                batch.clear()

    hashes = {id(t): hashlib.sha256(t.ar.encode()).hexdigest() for s in seeds for _, t in s.paragraphs}
    base = datetime.datetime(2026, 1, 5, 8, 0, 0)
    paragraph_id = entity_id = article_id = 0
    connection.execute("BEGIN")
    copy = 0
    while paragraph_id < paragraphs:
        for seed in seeds:
            if paragraph_id >= paragraphs:
                break
            article_id += 1
            imported = base + datetime.timedelta(minutes=7 * article_id)
            reviewer = users.reviewers[article_id % 2]
            stamp = _stamp(imported)
            rows["articles"].append((
                article_id, f"{seed.title} (نسخة {copy})", seed.source, seed.published, f"{copy:05d}_{seed.stem}.txt",
                seed.raw, hashlib.sha256(f"{copy}:{seed.stem}".encode()).hexdigest(), "approved", users.admin,
                stamp, stamp,
            ))
            rows["assignments"].append((article_id, reviewer, "reviewer", users.admin, stamp))
            if article_id % 2 == 0:
                rows["assignments"].append((article_id, users.reviewers[1 - article_id % 2], "second_reviewer",
                                            users.admin, stamp))
            for position, t in seed.paragraphs:
                if paragraph_id >= paragraphs:
                    break
                paragraph_id += 1
                machine_id, human_id = 2 * paragraph_id - 1, 2 * paragraph_id
                translated = _stamp(imported + datetime.timedelta(seconds=position))
                edited_at = imported + datetime.timedelta(days=1, seconds=40 * position)
                edited, approved = _stamp(edited_at), _stamp(edited_at + datetime.timedelta(seconds=30))
                rows["paragraphs"].append((paragraph_id, article_id, position, t.kind, t.ar, "approved", 3,
                                           human_id, human_id, 0, t.qa_json))
                rows["translations"].append((machine_id, paragraph_id, t.machine, "machine", ENGINE, ENGINE_VERSION,
                                             MODEL_ID, hashes[id(t)], None, None, translated))
                rows["translations"].append((human_id, paragraph_id, t.human, "human", None, None, None, None,
                                             reviewer, machine_id, edited))
                first_ar = entity_id + 1
                for start, end, label in t.ar_spans:
                    entity_id += 1
                    rows["entities"].append((entity_id, paragraph_id, "ar", None, start, end, labels[label],
                                             t.ar[start:end], 0, reviewer, edited))
                start, end, label = t.en_span
                entity_id += 1
                rows["entities"].append((entity_id, paragraph_id, "en", human_id, start, end, labels[label],
                                         t.human[start:end], int(paragraph_id % 50 == 0), reviewer, edited))
                rows["entity_links"].append((first_ar + t.link_from, entity_id, reviewer, edited))
                rows["paragraph_approvals"].append((
                    paragraph_id, human_id, machine_id, reviewer, approved, 20 + (paragraph_id * 37) % 400,
                    t.distance, t.hter, t.override,
                ))
            if len(rows["paragraphs"]) >= 5000:
                flush()
        copy += 1
    flush()
    connection.execute("COMMIT")
    problems = connection.execute("PRAGMA foreign_key_check").fetchall()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    if problems:
        raise RuntimeError(f"foreign key problems in the built corpus: {problems[:5]}")
    return counts


CORPUS_TABLES = ("articles", "assignments", "paragraphs", "translations", "entities", "entity_links",
                 "paragraph_approvals")


def copy_to_postgres(database: Path, url: str) -> None:
    """The corpus rows of the SQLite `database` into the PostgreSQL database `url` (migrated, with the same users
    and labels), with COPY; then each table's id sequence past its largest id, and ANALYZE (statistics, as a
    database that grew by use has them)."""
    import psycopg

    source = sqlite3.connect(database)
    with psycopg.connect(url) as target:
        target.execute("SET session_replication_role = replica")  # paragraphs and translations point at each other
        for table in CORPUS_TABLES:
            cursor = source.execute(f"SELECT * FROM {table}")
            columns = ", ".join(f'"{d[0]}"' for d in cursor.description)
            with target.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                while rows := cursor.fetchmany(5000):
                    for row in rows:
                        copy.write_row(row)
            target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 1) FROM {table}))")
        target.execute("SET session_replication_role = origin")
        target.commit()
        target.autocommit = True
        target.execute("ANALYZE")
    source.close()


# --- the raw loop (baseline): plain sqlite3, or plain psycopg on PostgreSQL -----------------

RAW_PARAGRAPHS = """
SELECT p.id, p.article_id, p.position, p.kind, p.status, p.ar, p.qa_findings,
       a.title, a.source, a.published, a.original_filename, a.status,
       t.id, t.text, t.origin, t.author_id, t.created_at
FROM paragraphs p JOIN articles a ON a.id = p.article_id JOIN translations t ON t.id = p.approved_revision_id
WHERE p.kind IN ('title', 'body') AND p.status = 'approved'
ORDER BY p.article_id, p.position"""


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text
        return value[:19].replace(" ", "T") + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_loop(database: str, out: Path, serializer: str) -> int:
    """The JSONL of docs/exports.md (approved, titles and body) straight from sqlite3 (`database` a file) or
    psycopg (`database` a postgresql:// URL: one REPEATABLE READ transaction, the paragraphs through a
    server-side cursor, `= ANY(%s)` for the id lists). Returns paragraphs."""
    import orjson

    if serializer == "orjson":
        loads = orjson.loads
        option = orjson.OPT_APPEND_NEWLINE

        def dumps(record):
            return orjson.dumps(record, option=option)
    else:
        loads = json.loads
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

        def dumps(record):
            return (encoder.encode(record) + "\n").encode("utf-8")

    postgres = database.startswith("postgresql://")
    if postgres:
        import psycopg

        connection = psycopg.connect(database)
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one read snapshot, like Mizan

        def query(sql: str, ids=None):
            if ids is None:
                return connection.execute(sql)
            return connection.execute(sql.replace("IN (__IDS__)", "= ANY(%s)"), (ids,))

        cursor = connection.cursor(name="raw_export")  # server-side: memory stays flat
        cursor.execute(RAW_PARAGRAPHS.replace("p.qa_findings", "p.qa_findings::text"))
    else:
        connection = sqlite3.connect(database)
        connection.execute("BEGIN")  # one read snapshot, like Mizan

        def query(sql: str, ids=None):
            if ids is None:
                return connection.execute(sql)
            return connection.execute(sql.replace("__IDS__", ",".join("?" * len(ids))), ids)

        cursor = None
    usernames = dict(query("SELECT id, username FROM users"))
    label_names = dict(query("SELECT id, name FROM labels"))
    reviewers: dict[int, list] = {}
    for article_id, user_id, role in query(
            "SELECT article_id, user_id, role FROM assignments ORDER BY article_id, role"):
        reviewers.setdefault(article_id, []).append({"username": usernames.get(user_id), "role": role})
    total = 0
    if cursor is None:
        cursor = connection.execute(RAW_PARAGRAPHS)
    with open(out, "wb") as output:
        while rows := cursor.fetchmany(1000):
            ids = [row[0] for row in rows]
            revision_of = {row[0]: row[12] for row in rows}
            ar_entities: dict[int, list] = {}
            en_entities: dict[int, list] = {}
            paragraph_of: dict[int, int] = {}
            for pid, eid, lang, tid, start, end, label_id, text, flagged in query(
                    'SELECT paragraph_id, id, lang, translation_id, start, "end", label_id, text, flagged '
                    'FROM entities WHERE paragraph_id IN (__IDS__) AND layer_user_id IS NULL '
                    'ORDER BY paragraph_id, start, "end", id', ids):
                if lang == "ar":
                    side = ar_entities
                    paragraph_of[eid] = pid
                elif tid == revision_of[pid]:
                    side = en_entities
                else:
                    continue
                side.setdefault(pid, []).append({"id": eid, "start": start, "end": end, "label": label_names[label_id],
                                                 "text": text, "flagged": bool(flagged)})
            kept = paragraph_of.keys() | {e["id"] for es in en_entities.values() for e in es}
            links: dict[int, list] = {}
            for ar_id, en_id in query(
                    "SELECT l.ar_entity_id, l.en_entity_id FROM entity_links l "
                    "JOIN entities e ON e.id = l.ar_entity_id "
                    "WHERE e.paragraph_id IN (__IDS__) ORDER BY l.ar_entity_id, l.en_entity_id", ids):
                if ar_id in kept and en_id in kept:
                    links.setdefault(paragraph_of[ar_id], []).append({"ar": ar_id, "en": en_id})
            approvals = {}
            for approval in query(
                    "SELECT pa.paragraph_id, pa.revision_id, pa.machine_revision_id, u.username, pa.approved_at, "
                    "pa.seconds_spent, pa.char_edit_distance, pa.hter, pa.override_reason "
                    "FROM paragraph_approvals pa LEFT JOIN users u ON u.id = pa.approved_by_id "
                    "WHERE pa.paragraph_id IN (__IDS__) ORDER BY pa.id", ids):
                if approval[1] == revision_of[approval[0]]:
                    approvals[approval[0]] = approval
            drafts = {}
            for pid, did, text, model_id, engine, engine_version, created_at in query(
                    "SELECT paragraph_id, id, text, model_id, engine, engine_version, created_at FROM translations "
                    "WHERE paragraph_id IN (__IDS__) AND origin = 'machine' ORDER BY id", ids):
                approval = approvals.get(pid)
                wanted = approval[2] if approval else None
                if (did != wanted) if wanted is not None else (did > revision_of[pid]):
                    continue
                drafts[pid] = {"revision_id": did, "text": text, "model_id": model_id, "engine": engine,
                               "engine_version": engine_version, "created_at": _iso(created_at)}
            adjudications = {pid: (curator, entities_f1, chrf) for pid, curator, entities_f1, chrf in query(
                "SELECT a.paragraph_id, u.username, a.entities_f1, a.translation_chrf FROM paragraph_adjudications a "
                "LEFT JOIN users u ON u.id = a.curator_id WHERE a.paragraph_id IN (__IDS__)", ids)}
            lines = []
            for (pid, article_id, position, kind, status, ar, qa, title, source, published, filename, article_status,
                 revision_id, en, origin, author_id, revised_at) in rows:
                approval = approvals.get(pid)
                lines.append(dumps({
                    "paragraph_id": pid, "article_id": article_id, "position": position, "kind": kind,
                    "status": status,
                    "article": {"title": title, "source": source,
                                "published": published if published is None or isinstance(published, str)
                                else published.isoformat(), "filename": filename,
                                "status": article_status},
                    "ar": ar, "en": en, "en_revision_id": revision_id, "en_origin": origin,
                    "en_author": usernames.get(author_id) if author_id is not None else None,
                    "en_created_at": _iso(revised_at), "mt": drafts.get(pid),
                    "reviewers": reviewers.get(article_id, []),
                    "approved_by": approval[3] if approval else None,
                    "approved_at": _iso(approval[4]) if approval else None,
                    "entities": {"ar": ar_entities.get(pid, []), "en": en_entities.get(pid, [])},
                    "links": links.get(pid, []),
                    "qa": loads(qa) if qa is not None else None,
                    "effort": {"seconds": approval[5], "char_edit_distance": approval[6], "hter": approval[7],
                               "override_reason": approval[8]} if approval else None,
                    "adjudicated_by": adjudications[pid][0] if pid in adjudications else None,
                    "agreement": {"entities_f1": adjudications[pid][1], "translation_chrf": adjudications[pid][2]}
                    if pid in adjudications else None,
                }))
            output.write(b"".join(lines))
            total += len(rows)
    connection.rollback()
    connection.close()
    return total


# --- one measured run in a fresh process ------------------------------------------------

def _proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM in KB (Linux)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0])
    return values


def child_main(spec: dict) -> None:
    """Runs in the fresh process: one export (or the raw loop), timed; results as JSON to spec['result']."""
    mode, out = spec["mode"], spec["out"]
    result: dict = {}
    if mode in ("raw-orjson", "raw-json"):
        import orjson  # noqa: F401  (imported before the clock starts, as the app imports it)

        result["rss_before_kb"] = _proc_status()["VmRSS"]
        wall, cpu = time.perf_counter(), time.process_time()
        result["paragraphs"] = raw_loop(spec["database"], Path(out), mode.split("-")[1])
        result["seconds"], result["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
        result["files"] = [out]
    else:
        os.environ["MIZAN_INSTANCE_PATH"] = spec["instance"]
        os.environ.pop("MIZAN_DATABASE_URL", None)
        os.environ.pop("MIZAN_QUEUE_URL", None)
        os.environ.update(spec.get("settings", {}))
        from app import create_app
        from app.services import export

        from app.services.export import parallel

        # A JSONL file export of 20,000 paragraphs or more is written by two processes (parallel.py). The
        # 10,000-paragraph corpus takes the same path, so the memory growth compares like with like.
        parallel.PARALLEL_MIN_PARAGRAPHS = 1
        app = create_app()
        profile = None
        if mode == "profile":
            import cProfile

            profile = cProfile.Profile()
        with app.app_context():
            result["rss_before_kb"] = _proc_status()["VmRSS"]
            wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
            if profile:
                profile.enable()
            if spec["fmt"] == "release":
                report = export.write_release(export.Selection(), export.release_options(), out)
            else:
                report = export.write_export(spec["fmt"], export.Selection(), out)
            if profile:
                profile.disable()
            result["seconds"], result["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
            result["main_thread_cpu"] = time.thread_time() - thread  # a release deflates on a second thread
            children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the second JSONL process, if any
            result["cpu"] += children.ru_utime + children.ru_stime
            result["children_hwm_kb"] = children.ru_maxrss
        if spec["fmt"] == "release":
            total = report.manifest["counts"]["total"]
            result.update(paragraphs=report.paragraphs, links=total["links"], files=[str(report.zip_path)],
                          entities=sum(sum(labels.values()) for labels in total["entities"].values()),
                          warnings=report.warnings(), spacy=report.manifest["spacy"],
                          folder_bytes=sum(f["bytes"] for f in report.manifest["files"].values()))
        else:
            result.update(paragraphs=report.paragraphs, entities=report.entities, links=report.links,
                          files=report.files, warnings=report.warnings())
        if profile:
            import io
            import pstats

            text = io.StringIO()
            stats = pstats.Stats(profile, stream=text)
            stats.sort_stats("tottime").print_stats(int(spec.get("top", 20)))
            stats.sort_stats("cumulative").print_stats(int(spec.get("top", 20)))
            result["profile"] = text.getvalue()
    result["hwm_kb"] = _proc_status()["VmHWM"]
    Path(spec["result"]).write_text(json.dumps(result))


@dataclass
class Run:
    label: str
    size: int  # paragraphs in the corpus
    seconds: float
    cpu: float | None
    bytes: int
    peak_mb: float
    before_mb: float | None = None
    sha256: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.size / self.seconds


# Runs a command and reports its exit code, peak RSS and CPU. It is a small process of its own because Linux
# carries the RSS high-water mark of the process that calls exec over to the new program (exec_mmap), so
# ru_maxrss of a child spawned straight from this (large) process would report this process's size.
LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
json.dump([os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime],
          open(sys.argv[1], "w"))
"""


def file_digest(paths: list[str]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for path in paths:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
                size += len(block)
    return size, digest.hexdigest()


def run_child(work: Path, spec: dict, log: Path) -> dict:
    spec = dict(spec, result=str(work / f"result-{time.monotonic_ns()}.json"))
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
                                   cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
    if process.wait() != 0:
        raise RuntimeError(f"{spec['mode']} {spec.get('fmt', '')} run exited {process.returncode}; see {log}")
    return json.loads(Path(spec["result"]).read_text())


@dataclass
class Corpus:
    size: int
    instance: Path
    counts: dict[str, int]
    dbs: Databases = field(default_factory=Databases)


def measure(work: Path, corpus: Corpus, mode: str, fmt: str, log: Path, keep_output: bool = False) -> Run:
    out = work / "out" / f"{mode}-{fmt}-{corpus.size}-{corpus.dbs.engine}"
    spec = {"mode": mode, "fmt": fmt, "out": str(out), "instance": str(corpus.instance),
            "database": (corpus.dbs.psycopg_url(corpus.instance) if corpus.dbs.on_postgres
                         else str(corpus.instance / "mizan.sqlite")),
            "settings": corpus.dbs.settings(corpus.instance)}
    result = run_child(work, spec, log)
    if result["paragraphs"] != corpus.size:
        raise RuntimeError(f"{mode} {fmt}: exported {result['paragraphs']} paragraphs, expected {corpus.size}")
    # Formats without entities or links (TMX, XLIFF, Moses; CoNLL has no links) report None: they do not read them.
    expected = {"entities": 3 * corpus.size, "links": corpus.size}
    if mode == "mizan" and any(result[part] not in (None, count) for part, count in expected.items()):
        raise RuntimeError(f"{fmt}: {result['entities']} entities / {result['links']} links, "
                           f"expected {3 * corpus.size} / {corpus.size}")
    size, sha = file_digest(result["files"])
    run = Run(label=f"{mode} {fmt}", size=corpus.size, seconds=result["seconds"], cpu=result["cpu"], bytes=size,
              # Both processes of a two-process JSONL export, summed (their shared pages counted twice).
              peak_mb=(result["hwm_kb"] + result.get("children_hwm_kb", 0)) / 1024,
              before_mb=result["rss_before_kb"] / 1024,
              sha256=sha, extra={"files": result["files"], "warnings": result.get("warnings", [])})
    if not keep_output:
        for path in result["files"]:
            Path(path).unlink()
    return run


def measure_release(work: Path, corpus: Corpus, log: Path) -> Run:
    """A release (the CLI's: the folder and its zip) of the whole corpus in a fresh process; its bytes are those
    of the zip. The folder and the zip are removed after."""
    out = work / "out" / f"release-{corpus.size}-{corpus.dbs.engine}-{time.monotonic_ns()}"
    spec = {"mode": "mizan", "fmt": "release", "out": str(out), "instance": str(corpus.instance),
            "settings": corpus.dbs.settings(corpus.instance)}
    result = run_child(work, spec, log)
    if (result["paragraphs"], result["entities"], result["links"]) != (corpus.size, 3 * corpus.size, corpus.size):
        raise RuntimeError(f"release: {result['paragraphs']} paragraphs, {result['entities']} entities, "
                           f"{result['links']} links; expected {corpus.size}, {3 * corpus.size}, {corpus.size}")
    size, sha = file_digest(result["files"])
    run = Run(label="release", size=corpus.size, seconds=result["seconds"], cpu=result["cpu"], bytes=size,
              peak_mb=(result["hwm_kb"] + result.get("children_hwm_kb", 0)) / 1024,
              before_mb=result["rss_before_kb"] / 1024, sha256=sha,
              extra={"warnings": result.get("warnings", []), "spacy": result["spacy"],
                     "folder_bytes": result["folder_bytes"], "main_thread_cpu": result["main_thread_cpu"]})
    shutil.rmtree(out)
    Path(result["files"][0]).unlink()
    return run


def verify_jsonl(path: Path, corpus: Corpus) -> str:
    """Every entity's text is its span of its text; counts as built. Returns a line for the report."""
    import orjson

    records = entities = links = 0
    with open(path, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            records += 1
            for side in ("ar", "en"):
                for e in r["entities"][side]:
                    if r[side][e["start"]:e["end"]] != e["text"]:
                        raise RuntimeError(f"paragraph {r['paragraph_id']}: {side} entity {e['id']} text "
                                           f"{e['text']!r} != {r[side][e['start']:e['end']]!r}")
                    entities += 1
            links += len(r["links"])
            if r["mt"] is None or r["effort"] is None or r["approved_by"] is None or not r["reviewers"]:
                raise RuntimeError(f"paragraph {r['paragraph_id']}: missing mt, effort, approver or reviewers")
            if records == 2:
                sample = r
    if (records, entities, links) != (corpus.size, 3 * corpus.size, corpus.size):
        raise RuntimeError(f"JSONL holds {records} records, {entities} entities, {links} links")
    e = sample["entities"]
    return (f"checked {records:,} records, {entities:,} entity spans (text == text[start:end]), {links:,} links; "
            f"e.g. paragraph {sample['paragraph_id']}: ar {[x['text'] for x in e['ar']]}, "
            f"en {[x['text'] for x in e['en']]}, qa {[q['check'] for q in sample['qa']]}")


# --- CLI and HTTP ---------------------------------------------------------------

def run_cli(work: Path, corpus: Corpus, log: Path) -> Run:
    out = work / "out" / f"cli-jsonl-{corpus.size}-{corpus.dbs.engine}.jsonl"
    measured = work / "cli-rusage.json"
    command = [*tool("flask"), "--app", "wsgi", "export", "jsonl", "-o", str(out)]
    if not Path(command[0]).is_absolute():
        command[0] = shutil.which(command[0]) or command[0]
    with open(log, "ab") as output:
        subprocess.run([sys.executable, "-c", LAUNCHER, str(measured), *command], cwd=PROJECT_ROOT,
                       env=corpus.dbs.env(corpus.instance), stdout=output, stderr=subprocess.STDOUT, check=True)
    code, wall, maxrss_kb, cpu = json.loads(measured.read_text())
    if code != 0:
        raise RuntimeError(f"flask export exited {code}; see {log}")
    size, sha = file_digest([str(out)])
    out.unlink()
    return Run("cli jsonl", corpus.size, wall, cpu, size, maxrss_kb / 1024, sha256=sha)


def wait_for_export_helper(log: Path, offset: int, seconds: float = 60) -> bool:
    """True once the server's log says its export helper is ready (it starts on the server's first request)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(log, "rb") as server_log:
            server_log.seek(offset)
            if b"Mizan export helper ready" in server_log.read():
                return True
        time.sleep(0.1)
    return False


HELPER_STATE = {True: "ready", False: "NOT ready"}

# The files of each format, as downloads: one request per file (side) of the two-file formats.
HTTP_FILES = {"tmx": ("",), "xliff2": ("",), "xliff12": ("",), "conll": ("ar", "en"), "moses": ("ar", "en", "mt")}


def timed_download(url: str, token: str, out: Path) -> tuple[int, float, str]:
    """GET `url` on a new connection into `out`: (HTTP status, seconds from the request to the last byte, client).

    curl where there is one, a C client whose own cost hardly counts (the peers' clients); requests otherwise.
    """
    if shutil.which("curl"):
        completed = subprocess.run(
            ["curl", "-sS", "--no-keepalive", "-H", "Connection: close", "-H", f"Authorization: Bearer {token}",
             "-o", str(out), "-w", "%{http_code} %{time_total}", url], capture_output=True, text=True, timeout=900,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"curl failed: {completed.stderr.strip()}")
        status, seconds = completed.stdout.split()
        return int(status), float(seconds), "curl"  # time_total: without curl's start-up
    import requests  # as waitress_server does

    started = time.perf_counter()
    with requests.get(url, headers={"Connection": "close", "Authorization": f"Bearer {token}"}, stream=True,
                      timeout=900) as response, open(out, "wb") as f:
        for block in response.iter_content(chunk_size=1 << 20):
            f.write(block)
    return response.status_code, time.perf_counter() - started, "requests"


def run_http(work: Path, corpus: Corpus, token: str, log: Path, repeat: int,
             other_formats: list[str] = ()) -> Run | str:
    """`repeat` streamed GET /api/v1/export/jsonl, each on a new connection, once the server's export helper is
    up (median reported); then one download of each file of `other_formats` (seconds in extra["formats"]).
    A string says why it could not run."""
    out = work / "out" / f"http-{corpus.size}.download"
    log_offset = log.stat().st_size if log.exists() else 0
    with waitress_server(corpus.instance, log, corpus.dbs.env(corpus.instance)) as (server, base, _):
        helper_ready = wait_for_export_helper(log, log_offset)
        before = _proc_status(server.pid)
        cpu_before = process_tree_cpu_seconds(server.pid)
        times, digests = [], set()
        for _ in range(repeat):
            status, seconds, client = timed_download(f"{base}/api/v1/export/jsonl", token, out)
            if status != 200:
                return f"GET /api/v1/export/jsonl answered HTTP {status}: not measured"
            times.append(seconds)
            size, sha = file_digest([str(out)])
            digests.add(sha)
            out.unlink()
        cpu = process_tree_cpu_seconds(server.pid)
        after = _proc_status(server.pid)
        format_seconds = {}
        for fmt in other_formats:
            format_seconds[fmt] = 0.0
            for side in HTTP_FILES[fmt]:
                status, seconds, _ = timed_download(f"{base}/api/v1/export/{fmt}" + (f"?side={side}" if side else ""),
                                                    token, out)
                if status != 200:
                    raise RuntimeError(f"GET /api/v1/export/{fmt} answered HTTP {status}")
                format_seconds[fmt] += seconds
                out.unlink()
    if len(digests) != 1:
        raise RuntimeError("the HTTP downloads of one corpus differ from each other")
    server_cpu = (cpu - cpu_before) / repeat if cpu is not None and cpu_before is not None else None
    return Run("http jsonl", corpus.size, sorted(times)[len(times) // 2], server_cpu, size, after["VmHWM"] / 1024,
               before_mb=before["VmRSS"] / 1024, sha256=digests.pop(),
               extra={"client": client, "times": times, "helper_ready": helper_ready, "formats": format_seconds})


# --- report -------------------------------------------------------------------

HEADER = (f"{'path':<28} {'paragraphs':>10} {'seconds':>8} {'CPU s':>6} {'paragraphs/s':>12} {'MB/s':>6} "
          f"{'out MB':>7} {'RSS before':>10} {'peak RSS':>8} {'x raw':>6}")


def row(label: str, run: Run, raw: Run | None = None) -> str:
    cpu = f"{run.cpu:6.2f}" if run.cpu is not None else f"{'?':>6}"
    before = f"{run.before_mb:8.0f}MB" if run.before_mb is not None else f"{'':>10}"
    ratio = f"{run.seconds / raw.seconds:6.2f}" if raw is not None else f"{'':>6}"
    return (f"{label:<28} {run.size:>10,} {run.seconds:>8.2f} {cpu} {run.rate:>12,.0f} "
            f"{run.bytes / 1e6 / run.seconds:>6.0f} {run.bytes / 1e6:>7.1f} {before} {run.peak_mb:>6.0f}MB {ratio}")


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def check(ok: bool, text: str) -> str:
    return f"  {'PASS' if ok else 'MISS'}  {text}"


@dataclass
class EngineRun:
    dbs: Databases
    results: dict  # (format or mode, size) -> median Run
    all_runs: dict
    cli: dict
    http: dict
    reference_sha: dict
    missed: list = field(default_factory=list)


def build_corpora(dbs: Databases, work: Path, seeds, sizes: list[int], sqlite_corpora: dict | None):
    """The corpora of one engine: on SQLite filled with sqlite3; on PostgreSQL the same rows COPYed from the
    SQLite corpora (`sqlite_corpora`) into a copy of a template migrated with the same users."""
    (work / "out").mkdir(parents=True)
    users = make_template(dbs, work / "template")
    corpora: dict[int, Corpus] = {}
    for size in sizes:
        instance = work / f"instance-{size}"
        dbs.copy(work / "template", instance)
        if dbs.on_postgres:
            source = sqlite_corpora[size]
            counts = dict(source.counts)
            copy_to_postgres(source.instance / "mizan.sqlite", dbs.psycopg_url(instance))
            where = "copied from the SQLite corpus with COPY"
        else:
            counts = fill(instance / "mizan.sqlite", seeds, size, users)
            where = f"{(instance / 'mizan.sqlite').stat().st_size / 1e6:.0f} MB"
        corpora[size] = Corpus(size, instance, counts, dbs)
        c = counts
        print(f"{dbs.label} corpus {size:,}: {c['articles']:,} articles, {c['paragraphs']:,} approved paragraphs, "
              f"{c['translations']:,} revisions, {c['entities']:,} entities, {c['entity_links']:,} links, "
              f"{c['paragraph_approvals']:,} approvals, {c['assignments']:,} assignments; {where}", flush=True)
    return users, corpora


def measure_engine(dbs: Databases, work: Path, corpora: dict, users: Users, sizes: list[int], formats: list[str],
                   args) -> EngineRun:
    log = work / "runs.log"
    # Mizan per format, and the raw loop, each in a fresh process
    results: dict[tuple[str, int], Run] = {}
    all_runs: dict[tuple[str, int], list[Run]] = {}
    reference_sha: dict[int, str] = {}
    for size in sizes:
        corpus = corpora[size]
        for attempt in range(args.repeat):
            pairs = [("mizan", "jsonl")] if "jsonl" in formats else []
            pairs.append(("raw-orjson", "jsonl"))
            for mode, fmt in pairs:
                keep = attempt == 0 and mode == "mizan"
                run = measure(work, corpus, mode, fmt, log, keep_output=keep)
                if keep:
                    print(f"  verify {dbs.label} {size:,}: {verify_jsonl(Path(run.extra['files'][0]), corpus)}")
                    for path in run.extra["files"]:
                        Path(path).unlink()
                all_runs.setdefault((mode, size), []).append(run)
                if reference_sha.setdefault(size, run.sha256) != run.sha256:
                    raise RuntimeError(f"{mode} JSONL of {size:,} paragraphs on {dbs.label} differs from the first "
                                       f"run's bytes")
        run = measure(work, corpus, "raw-json", "jsonl", log)
        all_runs[("raw-json", size)] = [run]
        if run.sha256 != reference_sha[size]:
            raise RuntimeError(f"stdlib-json raw loop JSONL of {size:,} paragraphs differs from Mizan's bytes")
        for fmt in formats:
            if fmt != "jsonl":
                all_runs[(fmt, size)] = [measure(work, corpus, "mizan", fmt, log)]
        if not args.skip_release:
            all_runs[("release", size)] = [measure_release(work, corpus, log)]
            if size == sizes[0]:  # reproducible: the same corpus and seed, the same zip
                again = measure_release(work, corpus, log)
                if again.sha256 != all_runs[("release", size)][0].sha256:
                    raise RuntimeError(f"two releases of the {size:,}-paragraph corpus on {dbs.label} differ")
        timings = ", ".join(f"{k[0]} " + "/".join(f"{r.seconds:.2f}" for r in v)
                            for k, v in all_runs.items() if k[1] == size)
        print(f"  {dbs.label} {size:,} paragraphs measured ({timings} s)", flush=True)
    for (key, size), runs in all_runs.items():
        results[(("jsonl" if key == "mizan" else key), size)] = median_run(runs)

    # CLI and HTTP
    cli: dict[int, Run] = {}
    http: dict[int, Run | str] = {}
    for size in sizes:
        if not args.skip_cli:
            cli[size] = run_cli(work, corpora[size], log)
            if cli[size].sha256 != reference_sha[size]:
                raise RuntimeError("the CLI's JSONL differs from write_export's")
        if not args.skip_http:
            http[size] = run_http(work, corpora[size], users.token, work / "waitress.log", args.repeat,
                                  [fmt for fmt in formats if fmt != "jsonl"] if size == sizes[-1] else [])
            if isinstance(http[size], Run) and http[size].sha256 != reference_sha[size]:
                raise RuntimeError("the HTTP JSONL differs from write_export's")
    return EngineRun(dbs, results, all_runs, cli, http, reference_sha)


def print_engine_report(engine: EngineRun, sizes: list[int], formats: list[str], args) -> None:
    dbs, results, all_runs, cli, http = engine.dbs, engine.results, engine.all_runs, engine.cli, engine.http
    print(f"\n=== {dbs.label} ===")
    full, small = sizes[-1], sizes[0]
    print()
    print(HEADER)
    print("-" * len(HEADER))
    for size in sizes:
        raw = results[("raw-orjson", size)]
        for fmt in formats:
            print(row(f"Mizan {fmt}", results[(fmt, size)], raw if fmt == "jsonl" else None))
        if ("release", size) in results:
            print(row("Mizan release (folder + zip)", results[("release", size)]))
        print(row("baseline: raw loop, orjson", raw))
        print(row("reference: raw loop, json", results[("raw-json", size)], raw))
        if size in cli:
            print(row("Mizan CLI jsonl (start-up)", cli[size], raw))
        if isinstance(http.get(size), Run):
            print(row("Mizan HTTP jsonl (waitress)", http[size], raw))
        elif size in http:
            print(f"{'Mizan HTTP jsonl (waitress)':<28} {http[size]}")
        print("-" * len(HEADER))
    repeated = "; ".join(f"{k[0]} {k[1]:,}: " + ", ".join(f"{r.seconds:.2f}" for r in v)
                         for k, v in all_runs.items() if k[0] in ("mizan", "raw-orjson"))
    print("(Times: the export call alone, in a fresh process, except CLI (spawn to exit) and HTTP (request to last "
          f"byte).\n JSONL and the orjson raw loop: median of {args.repeat} interleaved run(s) ({repeated} s)."
          "\n RSS before: after imports and create_app; peak RSS: VmHWM of the whole process, plus the peak of the "
          "second process\n of a two-process JSONL export (CPU s: both processes) (HTTP: the server's "
          "peak, not its helper's; before = its RSS\n before the requests; CPU s: per request, the server and its "
          "helper processes).  x raw: seconds / raw loop (orjson)\n seconds.\n Every JSONL (Mizan, both raw loops, CLI, "
          "HTTP) byte-identical per corpus (SHA-256).)")

    print()
    print("Peers (issue: 10,000 paragraphs over loopback HTTP):")
    mizan_http = http.get(full) if isinstance(http.get(full), Run) else None
    rates = [(f"Mizan JSONL write_export {full:,}", results[("jsonl", full)].rate)] if "jsonl" in formats else []
    if full in cli:
        rates.append((f"Mizan JSONL CLI {full:,}", cli[full].rate))
    for size in sizes:
        if isinstance(http.get(size), Run):
            rates.append((f"Mizan JSONL HTTP {size:,}", http[size].rate))
    for name, seconds in (("doccano 1.8.4", DOCCANO_SECONDS), ("Label Studio 1.23.2", (LABEL_STUDIO_SECONDS,))):
        peer_rates = [PEER_PARAGRAPHS / s for s in seconds]
        span = "-".join(f"{s:g}" for s in seconds)
        rate_span = "-".join(f"{r:,.0f}" for r in sorted(peer_rates))
        vs = "; ".join(f"{label} {r / max(peer_rates):.1f}x"
                       + (f"-{r / min(peer_rates):.1f}x" if len(seconds) > 1 else "") for label, r in rates)
        print(f"  {name:<20} {span} s = {rate_span} paragraphs/s;  {vs}")

    print()
    print(f"Targets on {dbs.label} (on {full:,} paragraphs; growth from {small:,}; reported, not enforced):")
    missed = []
    for fmt in formats:
        run = results[(fmt, full)]
        growth = run.peak_mb - results[(fmt, small)].peak_mb
        checks = []
        if fmt == "jsonl":
            raw = results[("raw-orjson", full)]
            checks += [
                (run.rate >= TARGET_JSONL_RATE, f"jsonl >= {TARGET_JSONL_RATE:,}/s: {run.rate:,.0f}/s"),
                (run.rate >= TARGET_DOCCANO_MULTIPLE * DOCCANO_BEST_RATE,
                 f"jsonl >= 5x doccano ({TARGET_DOCCANO_MULTIPLE * DOCCANO_BEST_RATE:,.0f}/s vs its best 1.2 s): "
                 f"{run.rate / DOCCANO_BEST_RATE:.1f}x (vs its 2.0 s: {run.rate / (PEER_PARAGRAPHS / 2.0):.1f}x)"),
                (run.seconds / raw.seconds <= TARGET_RAW_RATIO,
                 f"jsonl within {TARGET_RAW_RATIO:g}x of the raw loop: {run.seconds / raw.seconds:.2f}x wall "
                 f"(CPU seconds: {run.cpu / raw.cpu:.2f}x; at {small:,}: "
                 f"{results[('jsonl', small)].seconds / results[('raw-orjson', small)].seconds:.2f}x wall)"),
            ]
            if mizan_http:
                checks.append((mizan_http.rate >= TARGET_JSONL_RATE,
                               f"jsonl over HTTP >= {TARGET_JSONL_RATE:,}/s (the way the peers were measured): "
                               f"{mizan_http.rate:,.0f}/s, {mizan_http.rate / DOCCANO_BEST_RATE:.1f}x doccano"))
        else:
            checks.append((run.rate >= TARGET_OTHER_RATE, f"{fmt} >= {TARGET_OTHER_RATE:,}/s: {run.rate:,.0f}/s"))
        if full > small:
            checks.append((growth < TARGET_GROWTH_MB,
                           f"{fmt} peak RSS growth {small:,} -> {full:,} < {TARGET_GROWTH_MB:.0f} MB: "
                           f"{growth:+.0f} MB ({results[(fmt, small)].peak_mb:.0f} -> {run.peak_mb:.0f} MB)"))
        for ok, text in checks:
            print(check(ok, text))
        if not all(ok for ok, _ in checks):
            missed.append(fmt)
        for warning in run.extra.get("warnings", []):
            print(f"        ({fmt} warning: {warning[:150]})")
    for size in sizes:
        if ("release", size) not in results:
            continue
        run = results[("release", size)]
        line = (f"release of {size:,} paragraphs: {run.seconds:.2f} s ({run.rate:,.0f}/s; files {run.extra['folder_bytes'] / 1e6:.0f} "
                f"MB, zip {run.bytes / 1e6:.0f} MB, peak RSS {run.peak_mb:.0f} MB"
                f"{'' if run.extra['spacy'] else '; no spaCy DocBins: spacy_docs.py is not there yet'}; CPU "
                f"{run.cpu:.2f} s: {run.extra['main_thread_cpu']:.2f} s in the main thread (reading, writing), "
                f"{run.cpu - run.extra['main_thread_cpu']:.2f} s beside it (the hashing and deflating thread; from "
                f"20,000 paragraphs also the CoNLL and Arabic DocBin process), so about "
                f"{max(run.extra['main_thread_cpu'], run.cpu / 2):.1f} s on two idle cores)")
        if ("jsonl", size) in results:
            jsonl = results[("jsonl", size)]
            line += f"; {run.seconds / jsonl.seconds:.2f}x the JSONL export's {jsonl.seconds:.2f} s"
        if size == full:
            budget = TARGET_RELEASE_SECONDS * size / TARGET_RELEASE_PARAGRAPHS
            ok = run.seconds <= budget
            print(check(ok, f"release <= {TARGET_RELEASE_SECONDS:g} s per {TARGET_RELEASE_PARAGRAPHS:,} paragraphs "
                            f"({budget:.1f} s here): {line}"))
            if not ok:
                missed.append("release")
        else:
            print(f"        ({line})")
    if mizan_http is None and not args.skip_http:
        print(f"  HTTP path not measured: {http.get(full)}")
    elif mizan_http:
        for size in sizes:
            if isinstance(http.get(size), Run):
                run = http[size]
                print(f"  (HTTP {size:,}: client {run.extra['client']}; {len(run.extra['times'])} requests, each on a "
                      f"new connection: {', '.join(f'{t:.2f}' for t in run.extra['times'])} s, median reported; "
                      f"export helper {HELPER_STATE[run.extra['helper_ready']]} before the first; "
                      f"CPU {run.cpu:.2f} s per request, server and its helper processes)")
                parts = []
                for fmt, seconds in run.extra["formats"].items():
                    files = "+".join(HTTP_FILES[fmt])
                    parts.append(f"{fmt}{' ' + files if files else ''} {seconds:.2f} s = {size / seconds:,.0f}/s")
                if parts:
                    print(f"  (HTTP {size:,}, the other formats, one download per file, added up: {'; '.join(parts)})")

    engine.missed = missed


def print_side_by_side(runs: list[EngineRun], sizes: list[int], formats: list[str]) -> None:
    labels = [run.dbs.label for run in runs]
    rows = []
    for size in sizes:
        for fmt in formats:
            rows.append((f"Mizan {fmt} {size:,}: paragraphs/s", [f"{run.results[(fmt, size)].rate:,.0f}" for run in runs]))
            if fmt == "jsonl":
                rows.append(("  x raw loop (orjson), wall", [
                    f"{run.results[(fmt, size)].seconds / run.results[('raw-orjson', size)].seconds:.2f}x"
                    for run in runs]))
            rows.append(("  peak RSS MB", [f"{run.results[(fmt, size)].peak_mb:.0f}" for run in runs]))
        if all(("release", size) in run.results for run in runs):
            rows.append((f"Mizan release {size:,}: seconds", [f"{run.results[('release', size)].seconds:.2f}" for run in runs]))
            if "jsonl" in formats:
                rows.append(("  x the JSONL export", [
                    f"{run.results[('release', size)].seconds / run.results[('jsonl', size)].seconds:.2f}x"
                    for run in runs]))
        rows.append((f"baseline: raw loop, orjson {size:,}: paragraphs/s",
                     [f"{run.results[('raw-orjson', size)].rate:,.0f}" for run in runs]))
        rows.append(("  peak RSS MB", [f"{run.results[('raw-orjson', size)].peak_mb:.0f}" for run in runs]))
        if all(size in run.cli for run in runs):
            rows.append((f"Mizan CLI jsonl {size:,}: paragraphs/s", [f"{run.cli[size].rate:,.0f}" for run in runs]))
        if all(isinstance(run.http.get(size), Run) for run in runs):
            rows.append((f"Mizan HTTP jsonl {size:,}: paragraphs/s", [f"{run.http[size].rate:,.0f}" for run in runs]))
            rows.append(("  server peak RSS MB", [f"{run.http[size].peak_mb:.0f}" for run in runs]))
    if len(sizes) > 1:
        for fmt in formats:
            rows.append((f"{fmt} peak RSS growth {sizes[0]:,} -> {sizes[-1]:,} MB", [
                f"{run.results[(fmt, sizes[-1])].peak_mb - run.results[(fmt, sizes[0])].peak_mb:+.0f}" for run in runs]))
    if len(runs) > 1:
        same = all(runs[0].reference_sha[size] == run.reference_sha[size] for run in runs for size in sizes)
        rows.append(("JSONL bytes identical on both engines", ["yes" if same else "NO"] * len(runs)))
    print()
    side_by_side(rows, labels, "Side by side (same corpora, same run)")
    full, small = sizes[-1], sizes[0]
    print()
    print(f"Target: JSONL >= {TARGET_JSONL_RATE:,} paragraphs/s on {full:,} paragraphs with flat memory (peak RSS growth "
          f"{small:,} -> {full:,} < {TARGET_GROWTH_MB:.0f} MB); the issue states it for PostgreSQL:")
    if "jsonl" not in formats:
        print("  (JSONL not measured)")
        return
    for run in runs:
        jsonl = run.results[("jsonl", full)]
        growth = jsonl.peak_mb - run.results[("jsonl", small)].peak_mb
        print(f"  {'PASS' if jsonl.rate >= TARGET_JSONL_RATE else 'MISS'}  {run.dbs.label:<10} write_export "
              f"{jsonl.rate:,.0f}/s")
        if isinstance(run.http.get(full), Run):
            rate = run.http[full].rate
            print(f"  {'PASS' if rate >= TARGET_JSONL_RATE else 'MISS'}  {run.dbs.label:<10} over HTTP {rate:,.0f}/s")
        if full > small:
            print(f"  {'PASS' if growth < TARGET_GROWTH_MB else 'MISS'}  {run.dbs.label:<10} peak RSS growth "
                  f"{growth:+.0f} MB ({run.results[('jsonl', small)].peak_mb:.0f} -> {jsonl.peak_mb:.0f} MB)")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(json.loads(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=100_000, help="full corpus (default 100000)")
    parser.add_argument("--small", type=int, default=10_000, help="small corpus, for the memory growth (default 10000)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated (default: all six)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of Mizan JSONL and of the raw loop, interleaved; median reported (default 3)")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-release", action="store_true", help="do not measure `flask release`")
    parser.add_argument("--profile", choices=("missed", "all", "none"), default="missed",
                        help="cProfile write_export on the full corpus for formats that missed a target (default)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed at the end)")
    add_engine_arguments(parser)
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if unknown := set(formats) - set(FORMATS):
        parser.error(f"unknown formats {sorted(unknown)}")
    if args.paragraphs < 1 or args.small < 1 or args.repeat < 1:
        parser.error("--paragraphs, --small and --repeat must be at least 1")
    sizes = sorted({min(args.small, args.paragraphs), args.paragraphs})

    import orjson  # its version is on the machine line

    print(f"Mizan export benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(machine_line(f"orjson {orjson.__version__}", *postgres_version(args.database_url)))
    print(f"Load average before: {os.getloadavg()[0]:.2f} (other work on the 2 cores skews the wall times)")
    sources = sorted((PROJECT_ROOT / "app" / "services" / "export").glob("*.py"))
    code = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]
    print(f"Exporter code measured: app/services/export/*.py sha256 {code}")
    with benchmark_run("mizan-export-bench-", keep=args.keep) as work:
        (work / "out").mkdir()
        build = time.perf_counter()
        seeds = load_seeds()
        print(f"({len(seeds)} seed files, {sum(len(s.paragraphs) for s in seeds)} title/body paragraphs as templates)")
        runs: list[EngineRun] = []
        sqlite_corpora = None
        for dbs in engines(args.database_url, args.queue_url):
            with dbs:
                users, corpora = build_corpora(dbs, work / dbs.engine, seeds, sizes, sqlite_corpora)
                sqlite_corpora = sqlite_corpora or corpora
                print(f"({dbs.label} corpora built in {time.perf_counter() - build:.1f} s)", flush=True)
                build = time.perf_counter()
                engine = measure_engine(dbs, work / dbs.engine, corpora, users, sizes, formats, args)
                runs.append(engine)
                print_engine_report(engine, sizes, formats, args)
                to_profile = {"missed": engine.missed, "all": formats + ([] if args.skip_release else ["release"]),
                              "none": []}[args.profile]
                for fmt in to_profile:
                    corpus = corpora[sizes[-1]]
                    spec = {"mode": "profile", "fmt": fmt, "out": str(work / "out" / f"profile-{fmt}"),
                            "instance": str(corpus.instance), "settings": dbs.settings(corpus.instance), "top": 18}
                    result = run_child(work, spec, work / dbs.engine / "runs.log")
                    for path in result["files"]:
                        Path(path).unlink()
                    if fmt == "release":
                        shutil.rmtree(spec["out"], ignore_errors=True)
                    print(f"\ncProfile of write_export({fmt!r}) on {dbs.label}, {sizes[-1]:,} paragraphs "
                          f"({result['seconds']:.2f} s under the profiler):")
                    lines = [line for line in result["profile"].splitlines() if line.strip()]
                    print("\n".join(lines))
        print_side_by_side(runs, sizes, formats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
