"""Machine-translation throughput: Mizan's translation job against raw CTranslate2 and argostranslate.

What is measured
----------------
Two Argos packages are built offline with ``tests/support/tiny_argos.py``
(the same recipe, random weights): the tiny test model (1+1 layers, width 32)
and a base-size model (6+6 layers, width 512, 8 heads).  For each model, on
the same paragraphs and the same sentences, in one run:

* raw CT2        ``ctranslate2.Translator.translate_batch`` on every sentence
                 of the corpus in one call (SentencePiece pieces), with the
                 decoding options Mizan uses (beam 4, length penalty 0.2,
                 ``replace_unknowns``, ``max_batch_size`` as Mizan, batch type
                 "examples").  Only ``translate_batch`` is timed: no splitting,
                 no encoding, no decoding.  This is the speed limit (at
                 Mizan's batch size: see ``--raw-batch-sizes``).
* Mizan job      the real translation job, run the way the Huey worker runs
                 it, in a subprocess of its own: ``create_app()`` on a temporary
                 instance (migrated SQLite, the corpus imported with the real
                 importer, the package installed with ``install_package``, MT
                 settings in ``instance/config.py``), the model loaded with
                 ``get_translator``, then ``translate_article_task.call_local``
                 (``run_translation_job``) for one job per article.  Timed from
                 the first job to the last commit, DB writes included; model
                 loading (once per worker) is timed apart.  Inside the job the
                 engine is wrapped, so the time spent in
                 ``PackageTranslator.translate`` (the pure engine call, on the
                 job's own chunks of ``mt.CHUNK_SIZE`` paragraphs), in SQL
                 statements (by kind), ORM flushes and commits is reported too.
                 The worker's peak memory is its VmHWM (/proc/self/status);
                 its ``ru_maxrss`` is printed beside it but is not the
                 worker's own: Linux starts a child's ru_maxrss at the
                 parent's RSS at fork and keeps it across exec, so it shows
                 this benchmark process's size (the same holds for
                 RUSAGE_CHILDREN in the parent).
* argostranslate ``argostranslate.translate.translate(paragraph, "ar", "en")``,
                 paragraph by paragraph, in a subprocess, offline (every network
                 call refused: ``tests/support/tiny_argos.py``), with
                 argostranslate's default settings (ARGOS_BATCH_SIZE 32 tokens,
                 inter 1, intra 0, beam 4; this process's ARGOS_* variables
                 are dropped) except what the offline run pins:
                 ARGOS_COMPUTE_TYPE (the run's compute type), ARGOS_DEVICE_TYPE
                 cpu and ARGOS_CHUNK_TYPE=SPACY (the package's spaCy
                 sentencizer; the default, MiniSBD, downloads a model).  Only the translate()
                 loop is timed; the model is loaded by one warm-up call first.
                 Its sentences/s is (Mizan's sentences in those paragraphs) / time;
                 its own splitter may split differently (both counts are printed).

``--raw-batch-sizes 16,32`` adds raw CT2 rows at other ``max_batch_size``
values (informational; the target compares with raw CT2 at Mizan's own).

Every path gets one untimed warm-up translation after loading its model.

Thread settings (inter_threads x intra_threads) are measured for raw CT2 and
the Mizan job alike (``--threads``, default 1x2 and 2x1, the two ways to use
2 cores).  The app's default is one inter thread per core and 1 intra
thread (2x1 here), with two batches per inter thread in each engine call.  The same compute type is used everywhere
(``--compute-type``, default float32: with int8, CTranslate2's output can
depend on how sentences are batched, so "identical outputs" would not hold).

What-if rows (only with ``--what-if``): for each setting with more than
one inter thread, the engine is run again in this process on the job's exact
chunks, with each call's batch split evenly across the inter threads
(``max_batch_size = ceil(sentences / inter_threads)``). That was the change
proposed for ``mt_engine.PackageTranslator.translate_split``; the engine now
splits each call into two batches per inter thread, so the row is kept only
to compare the two splits.

Corpus
------
The five seed articles, parsed with ``parse_news_text``, repeated (whole
articles; the last one cut) until N paragraphs (``--paragraphs-tiny``,
``--paragraphs-base``).  Every paragraph must be unique, or Mizan's draft
cache would skip the repeats while the other paths translate them: a
paragraph seen before (from the second copy on, and 4 credit lines repeated
inside the seeds) gets its number, in Arabic-Indic digits in brackets,
after its first word.  Each article is written one paragraph per line and
imported with ``importing.import_paths``; the stored paragraphs are checked
to be exactly the intended ones.  Sentences are Mizan's
(``sentences.split_sentences``); all paths get the same sentence list.

Outputs
-------
Checked exactly: the stored drafts equal what the engine returned in the
job, and equal raw CT2's output for the same paragraph (the paragraph's
sentence tokens concatenated, ``decode_pieces``, "▁" and "_" to spaces, one
leading space dropped), for every thread setting.  Against argostranslate:
the number of identical paragraphs; for the others, argostranslate's own
sentences are fed to Mizan's ``translate_split`` and must then give
argostranslate's output (the difference is sentence splitting only).

Targets (from the issue), judged on the base-size model: Mizan's job at its
best thread setting >= 0.9x raw CT2 at raw CT2's best setting, and >= 5x
argostranslate's default path, with identical outputs.  The script reports;
it exits 0 when a target is missed (non-zero only if the benchmark itself
breaks).

Usage::

    .venv/bin/python bench/mt_throughput.py
    .venv/bin/python bench/mt_throughput.py --models tiny --paragraphs-tiny 3000
    .venv/bin/python bench/mt_throughput.py --threads 1x0,1x2,2x1 --skip-argos --keep
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import logging
import math
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from importlib import metadata as importlib_metadata
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.machine import benchmark_run  # noqa: E402

SEEDS_DIR = PROJECT_ROOT / "seeds"
RESULT_MARKER = "MT_BENCH_RESULT "
WARMUP_TEXT = "هذه جملة للإحماء فقط."  # never in the corpus
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

MODELS = {
    "tiny": dict(name="translate-ar_en-tiny", encoder_layers=1, decoder_layers=1, width=32, heads=2),
    "base": dict(name="translate-ar_en-base", encoder_layers=6, decoder_layers=6, width=512, heads=8),
}
TARGET_RAW_RATIO = 0.9
TARGET_ARGOS_MULTIPLE = 5.0
TARGET_MODEL = "base"


@dataclass(frozen=True)
class Threads:
    inter: int
    intra: int

    @classmethod
    def parse(cls, text: str) -> "Threads":
        inter, _, intra = text.lower().partition("x")
        return cls(int(inter), int(intra))

    def __str__(self) -> str:
        return f"{self.inter}x{self.intra}"


@dataclass
class Timing:
    wall: float
    cpu: float


class stopwatch:
    """Wall and CPU seconds (all threads of this process) of a block."""

    def __enter__(self) -> "stopwatch":
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.timing = Timing(time.perf_counter() - self._wall, time.process_time() - self._cpu)


def maxrss_mib() -> float:
    """ru_maxrss (Linux: KiB).  In a child it starts at the parent's RSS at fork: Linux carries it over exec."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mib() -> float:
    """VmHWM: this program's own peak RSS (reset by exec, unlike ru_maxrss); ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return maxrss_mib()


# =========================================================================== #
# The worker: runs in a subprocess, like `huey_consumer app.tasks.huey`
# =========================================================================== #

class ExclusiveClock:
    """Wall time split into nested sections, each charged only for the time not spent in inner sections.

    Time outside every section (between start() and stop()) goes to `outer`.
    """

    def __init__(self, outer: str):
        self.outer = outer
        self.seconds: dict[str, float] = {outer: 0.0}
        self.counts: dict[str, int] = {}
        self._stack = [outer]
        self._mark = time.perf_counter()

    def start(self) -> None:
        self._mark = time.perf_counter()

    def stop(self) -> None:
        self._charge()

    def _charge(self) -> None:
        now = time.perf_counter()
        self.seconds[self._stack[-1]] = self.seconds.get(self._stack[-1], 0.0) + now - self._mark
        self._mark = now

    def enter(self, section: str) -> None:
        self._charge()
        self._stack.append(section)
        self.counts[section] = self.counts.get(section, 0) + 1

    def exit(self) -> None:
        self._charge()
        self._stack.pop()


class TimedTranslator:
    """The real engine, timed: what reaches the model and how long it takes."""

    def __init__(self, inner, clock: ExclusiveClock):
        self.inner, self.clock = inner, clock
        self.engine, self.engine_version, self.model_id = inner.engine, inner.engine_version, inner.model_id
        self.outputs: dict[str, str] = {}

    def translate(self, paragraphs):
        self.clock.enter("engine")
        try:
            english = self.inner.translate(paragraphs)
        finally:
            self.clock.exit()
        self.outputs.update(zip(paragraphs, english))
        return english


def _sql_kind(statement: str) -> str:
    s = " ".join(statement.split()).lower()
    if s.startswith("select translations.source_hash, translations.text"):
        return "SELECT translations: draft-cache lookup"
    if s.startswith("select") and "exists" in s:
        return "SELECT paragraphs without a draft"
    words = s.split()
    if words[:2] == ["insert", "into"] and len(words) > 2:
        return f"INSERT {words[2]}"
    if words[:1] == ["update"] and len(words) > 1:
        return f"UPDATE {words[1]}"
    if words[:1] == ["select"] and " from " in s:
        return f"SELECT {s.split(' from ', 1)[1].split()[0]}"
    return (words[0] if words else "?").upper()


def worker_main() -> int:
    """Create the app, create one job per article, load the model, run the jobs; print one JSON line.

    The instance folder comes from MIZAN_INSTANCE_PATH and the MT settings
    from its config.py, as for `huey_consumer app.tasks.huey`.
    """
    rss_start = peak_rss_mib()
    from sqlalchemy import event, select

    from app.extensions import db
    from app.models import Article
    from app.services import mt, mt_engine
    from app.tasks import translate_article_task, worker_app

    app = worker_app()
    with app.app_context():
        package = mt.require_package(app.instance_path)
        # What the web process does when asked to translate; not timed.
        job_ids = [mt.create_translation_job(article, package, actor=None).job.id
                   for article in db.session.scalars(select(Article).order_by(Article.id))]
        rss_app = peak_rss_mib()

        options = mt_engine.EngineOptions.from_config(app.config)
        with stopwatch() as load:
            loaded = mt_engine.get_translator(package, options)  # what the first task would do
        rss_model = peak_rss_mib()
        loaded.translate([WARMUP_TEXT])

        clock = ExclusiveClock("other Python (job logic, ORM objects, task)")
        timed = TimedTranslator(loaded, clock)
        real_get_translator = mt_engine.get_translator
        mt_engine.get_translator = lambda package, options=options: (
            timed if real_get_translator(package, options) is loaded else real_get_translator(package, options))

        # SQL time by kind of statement; ORM flushes and commits net of the SQL they run.
        sql: dict[str, list[float]] = {}

        def before(conn, cursor, statement, parameters, context, executemany):
            clock.enter("SQL statements")
            conn.info["bench_started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            clock.exit()
            entry = sql.setdefault(_sql_kind(statement), [0.0, 0])
            entry[0] += time.perf_counter() - conn.info.pop("bench_started")
            entry[1] += 1

        def before_flush(session, flush_context, instances):
            clock.enter("ORM flush (net of its SQL)")

        def after_flush(session, flush_context):
            clock.exit()

        hooks = [(db.engine, "before_cursor_execute", before), (db.engine, "after_cursor_execute", after),
                 (db.session, "before_flush", before_flush), (db.session, "after_flush_postexec", after_flush)]
        for target, name, hook in hooks:
            event.listen(target, name, hook)
        original_commit = db.session.commit

        def timed_commit():
            clock.enter("commit (net of flush and SQL)")
            try:
                original_commit()
            finally:
                clock.exit()

        db.session.commit = timed_commit  # the scoped_session object mt.py calls

        statuses = []
        with stopwatch() as run:
            clock.start()
            for job_id in job_ids:
                statuses.append(translate_article_task.call_local(job_id))
            clock.stop()
        mt_engine.get_translator = real_get_translator
        del db.session.commit
        for target, name, hook in hooks:
            event.remove(target, name, hook)
        # The first task claims the other queued jobs of the model and runs them with its own
        # (mt.claim_jobs); their tasks then find them done. What counts is each job's final status.
        db.session.expire_all()
        from app.models import TranslationJob

        final_statuses = [db.session.get(TranslationJob, job_id).status for job_id in job_ids]

        result = {
            "task_results": statuses,
            "statuses": final_statuses,
            "jobs": len(job_ids),
            "wall": run.timing.wall,
            "cpu": run.timing.cpu,
            "load_seconds": load.timing.wall,
            "engine_seconds": clock.seconds.get("engine", 0.0),
            "engine_calls": clock.counts.get("engine", 0),
            "engine_paragraphs": len(timed.outputs),
            "engine_outputs": timed.outputs,
            "sections": {name: [seconds, clock.counts.get(name, 0)] for name, seconds in clock.seconds.items()},
            "sql": sql,
            "options": {"compute_type": options.compute_type, "inter_threads": options.inter_threads,
                        "intra_threads": options.intra_threads, "max_batch_size": options.max_batch_size},
            "chunk_size": mt.CHUNK_SIZE,
            "rss_mib": {"start": rss_start, "app": rss_app, "model": rss_model, "peak": peak_rss_mib(),
                        "ru_maxrss": maxrss_mib()},
        }
        db.session.remove()
        db.engine.dispose()
    sys.stdout.write(RESULT_MARKER + json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


# =========================================================================== #
# Corpus and instances
# =========================================================================== #

def seed_articles() -> list[list[str]]:
    from app.services.news_text import parse_news_text

    articles = [[p.text for p in parse_news_text(path.read_bytes()).paragraphs]
                for path in sorted(SEEDS_DIR.glob("*.txt"))]
    if not articles:
        raise SystemExit(f"no seed files in {SEEDS_DIR}")
    return articles


def numbered(text: str, number: int) -> str:
    """The paragraph with its number, e.g. "(١٢٣)", after its first word."""
    tag = f"({str(number).translate(ARABIC_DIGITS)})"
    first, space, rest = text.partition(" ")
    return f"{first} {tag} {rest}" if space else f"{text} {tag}"


def build_corpus(paragraphs: int) -> list[list[str]]:
    """Seed articles, repeated (the last one cut) up to `paragraphs` paragraphs, every paragraph unique."""
    seeds, articles, seen, count = seed_articles(), [], set(), 0
    while count < paragraphs:
        for seed in seeds:
            take = seed[:paragraphs - count]
            if not take:
                break
            article = []
            for text in take:
                count += 1
                if text in seen:
                    text = numbered(text, count)
                if text in seen:
                    raise RuntimeError(f"paragraph {count} is not unique")
                seen.add(text)
                article.append(text)
            articles.append(article)
    return articles


def write_corpus(articles: list[list[str]], folder: Path) -> None:
    folder.mkdir(parents=True)
    for number, article in enumerate(articles):
        (folder / f"{number:05d}.txt").write_text("\n".join(article) + "\n", encoding="utf-8")


def instance_config(compute_type: str, threads: Threads, max_batch_size: int) -> str:
    """instance/config.py of a worker's instance: what `huey_consumer` reads through create_app()."""
    return "\n".join([
        "# Written by bench/mt_throughput.py for a throwaway instance.",
        "SECRET_KEY = 'bench-secret-key'",
        f"MT_COMPUTE_TYPE = {compute_type!r}",
        f"MT_INTER_THREADS = {threads.inter}",
        f"MT_INTRA_THREADS = {threads.intra}",
        f"MT_MAX_BATCH_SIZE = {max_batch_size}",
    ]) + "\n"


def stored_paragraphs(database: Path) -> list[tuple[int, str, str | None, str | None, str | None]]:
    """(article id, Arabic, current revision text, its origin, its model id), in reading order."""
    connection = sqlite3.connect(database)
    try:
        return connection.execute(
            "SELECT p.article_id, p.ar, t.text, t.origin, t.model_id FROM paragraphs p "
            "LEFT JOIN translations t ON t.id = p.current_revision_id ORDER BY p.article_id, p.position"
        ).fetchall()
    finally:
        connection.close()


def make_template_instance(folder: Path, corpus_dir: Path, articles: list[list[str]], package_file: Path):
    """Migrated SQLite, the corpus imported with the real importer, the package installed."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import importing, mt_packages

    folder.mkdir(parents=True)
    app = create_app({"SECRET_KEY": "bench-secret-key", "INSTANCE_PATH": str(folder),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'mizan.sqlite'}"})
    with app.app_context():
        alembic_log = io.StringIO()
        with contextlib.redirect_stderr(alembic_log):  # Alembic's INFO lines
            upgrade()
        for handler in logging.getLogger().handlers:  # Alembic's fileConfig bound them to alembic_log
            if getattr(handler, "stream", None) is alembic_log:
                handler.setStream(sys.stderr)
        outcomes = list(importing.import_paths([corpus_dir], max_bytes=app.config["IMPORT_MAX_BYTES"]))
        refused = [o for o in outcomes if o.status != importing.IMPORTED]
        if refused:
            raise RuntimeError(f"{len(refused)} corpus files not imported, e.g. {refused[0]}")
        package = mt_packages.install_package(package_file, folder)
        db.session.remove()
        db.engine.dispose()
    stored = [row[1] for row in stored_paragraphs(folder / "mizan.sqlite")]
    if stored != [p for article in articles for p in article]:
        raise RuntimeError("the importer did not store exactly the corpus paragraphs")
    return package


def copy_instance(template: Path, folder: Path, config: str) -> Path:
    """A fresh instance: a copy of the template database, the installed package (hard links), its own config."""
    folder.mkdir(parents=True)
    source, target = sqlite3.connect(template / "mizan.sqlite"), sqlite3.connect(folder / "mizan.sqlite")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    shutil.copytree(template / "argos-packages", folder / "argos-packages", copy_function=os.link)
    (folder / "config.py").write_text(config)
    return folder


def run_worker(instance: Path, log: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIZAN_")}
    env["MIZAN_INSTANCE_PATH"] = str(instance)
    completed = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker"],
                               cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=3600)
    stdout, stderr = completed.stdout.decode("utf-8", "replace"), completed.stderr.decode("utf-8", "replace")
    log.write_text(f"--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}")
    results = [line[len(RESULT_MARKER):] for line in stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if completed.returncode != 0 or len(results) != 1:
        raise RuntimeError(f"worker failed (exit {completed.returncode}); see {log}\n{stderr[-3000:]}")
    return json.loads(results[0])


# =========================================================================== #
# Raw CTranslate2, the engine outside the job, argostranslate
# =========================================================================== #

DECODING = dict(replace_unknowns=True, batch_type="examples", beam_size=4, num_hypotheses=1, length_penalty=0.2)


def decode_paragraph(sentencepiece, pieces: list[str], prefix: str) -> str:
    """argostranslate's decoding, which Mizan reproduces: decode_pieces, ▁/_ to spaces, one leading space off."""
    value = sentencepiece.decode_pieces(pieces).replace("\u2581", " ").replace("_", " ")
    if prefix and value.startswith(prefix):
        value = value[len(prefix):]
    return value[1:] if value.startswith(" ") else value


def paragraphs_from_sentences(sentencepiece, hypotheses: list[list[str]], counts: list[int], prefix: str) -> list[str]:
    english, cursor = [], 0
    for count in counts:
        pieces = [token for hypothesis in hypotheses[cursor:cursor + count] for token in hypothesis]
        english.append(decode_paragraph(sentencepiece, pieces, prefix))
        cursor += count
    return english


def run_raw(package, tokens: list[list[str]], threads: Threads, compute_type: str, max_batch_size: int):
    """translate_batch on every sentence in one call; returns (timing, first hypothesis of each sentence)."""
    import ctranslate2

    translator = ctranslate2.Translator(str(package.model_dir), device="cpu", compute_type=compute_type,
                                        inter_threads=threads.inter, intra_threads=threads.intra)
    prefix = package.target_prefix

    def translate(batch):
        return translator.translate_batch(batch, target_prefix=[[prefix]] * len(batch) if prefix else None,
                                          max_batch_size=max_batch_size, **DECODING)

    translate(tokens[:1])  # warm-up
    with stopwatch() as watch:
        results = translate(tokens)
    return watch.timing, [r.hypotheses[0] for r in results]


def job_chunks(articles: list[list[str]], chunk_size: int) -> list[list[str]]:
    """The paragraph lists run_translation_job hands the engine: per article, chunk_size at a time."""
    return [article[start:start + chunk_size] for article in articles for start in range(0, len(article), chunk_size)]


def run_balanced_engine(package, articles, threads: Threads, compute_type: str, max_batch_size: int):
    """What-if: the real engine on the job's chunks, each call's batch split evenly over the inter threads."""
    from app.services import mt
    from app.services.mt_engine import EngineOptions, PackageTranslator

    configured = EngineOptions(compute_type=compute_type, inter_threads=threads.inter, intra_threads=threads.intra,
                               max_batch_size=max_batch_size)

    class BalancedTranslator(PackageTranslator):
        """translate_split with max_batch_size = min(configured, ceil(sentences / inter_threads))."""

        def translate_split(self, sentences_per_paragraph):
            sentences = sum(len(s) for s in sentences_per_paragraph)
            per_batch = max(1, min(configured.max_batch_size, math.ceil(sentences / configured.inter_threads)))
            self.options = replace(configured, max_batch_size=per_batch)
            return super().translate_split(sentences_per_paragraph)

    engine = BalancedTranslator(package, configured)
    engine.translate([WARMUP_TEXT])
    english = []
    with stopwatch() as watch:
        for chunk in job_chunks(articles, mt.CHUNK_SIZE):
            english.extend(engine.translate(chunk))
    del engine
    return watch.timing, english


def run_argos(package_file: Path, paragraphs: list[str], work_dir: Path, compute_type: str) -> dict:
    """argostranslate.translate.translate per paragraph, offline, in a subprocess; the loop timed inside it."""
    from tests.support import tiny_argos

    script = tiny_argos._OFFLINE_SCRIPT
    loop = 'translations = [argostranslate.translate.translate(text, "ar", "en") for text in request["texts"]]'
    result_key = '"network_attempts": ATTEMPTS,'
    if script.count(loop) != 1 or script.count(result_key) != 1:
        raise RuntimeError("tests/support/tiny_argos.py changed: cannot time its argostranslate loop")
    timed_loop = "\n".join([
        "import resource as _resource, time as _time",
        'argostranslate.translate.translate(request["warmup"], "ar", "en")  # loads the model (lazily)',
        "_wall, _cpu = _time.perf_counter(), _time.process_time()",
        loop,
        "TIMING = {'wall': _time.perf_counter() - _wall, 'cpu': _time.process_time() - _cpu,",
        "          'maxrss_kib': _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss,",
        "          'vmhwm_kib': int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])}",
    ])
    script = script.replace(loop, timed_loop).replace(result_key, result_key + ' "timing": TIMING,')

    package_file, work_dir = package_file.resolve(), work_dir.resolve()
    for folder in ("home", "xdg-data", "xdg-cache", "xdg-config", "packages"):
        (work_dir / folder).mkdir(parents=True, exist_ok=True)
    tiny_argos._check_no_reserved_words(str(work_dir / "packages"), "argostranslate packages folder")
    request = json.dumps({"package_file": str(package_file), "texts": paragraphs, "warmup": WARMUP_TEXT},
                         ensure_ascii=False)
    completed = subprocess.run(
        [sys.executable, "-c", script], input=request.encode("utf-8"), capture_output=True, cwd=work_dir,
        timeout=3600, env=tiny_argos._offline_environment(work_dir, compute_type, None),
    )
    stdout, stderr = completed.stdout.decode("utf-8", "replace"), completed.stderr.decode("utf-8", "replace")
    (work_dir / "argos.log").write_text(f"--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}")
    marker = tiny_argos._OFFLINE_RESULT_MARKER
    results = [line[len(marker):] for line in stdout.splitlines() if line.startswith(marker)]
    if completed.returncode != 0 or len(results) != 1:
        raise RuntimeError(f"argostranslate run failed (exit {completed.returncode}):\n{stderr[-3000:]}")
    return json.loads(results[0])


# =========================================================================== #
# One model
# =========================================================================== #

@dataclass
class Row:
    kind: str  # raw | rawalt | job | engine | whatif | argos
    label: str
    threads: str
    timing: Timing
    rss_mib: float | None = None


@dataclass
class ModelResult:
    key: str
    sentences: int
    rows: list[Row] = field(default_factory=list)
    workers: dict[str, dict] = field(default_factory=dict)  # threads -> worker result
    checks: list[tuple[bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    argos: dict | None = None

    def rate(self, row: Row) -> float:
        return self.sentences / row.timing.wall

    def best(self, kind: str) -> Row | None:
        rows = [r for r in self.rows if r.kind == kind]
        return max(rows, key=self.rate) if rows else None

    def find(self, kind: str, threads: str) -> Row | None:
        return next((r for r in self.rows if r.kind == kind and r.threads == threads), None)


def bench_model(key: str, paragraphs: int, args, work: Path) -> ModelResult:
    import sentencepiece

    from app.services import mt
    from app.services.mt_engine import EngineOptions, PackageTranslator
    from app.services.sentences import split_sentences
    from tests.support.tiny_argos import build_argos_package

    spec = MODELS[key]
    print(f"\n=== {key} model ===", flush=True)
    with stopwatch() as built:
        package_file = build_argos_package(work / "packages", **spec)
    articles = build_corpus(paragraphs)
    flat = [p for article in articles for p in article]
    write_corpus(articles, work / f"corpus-{key}")
    template = work / f"instance-{key}-template"
    package = make_template_instance(template, work / f"corpus-{key}", articles, package_file)
    vocabulary = len(json.loads((package.model_dir / "shared_vocabulary.json").read_text()))
    model_mb = (package.model_dir / "model.bin").stat().st_size / 1e6
    print(f"{spec['encoder_layers']}+{spec['decoder_layers']} layers, width {spec['width']}, {spec['heads']} heads, "
          f"FFN {2 * spec['width']}, vocabulary {vocabulary}; model.bin {model_mb:.0f} MB "
          f"(built in {built.timing.wall:.1f} s); {package.model_id}", flush=True)

    processor = sentencepiece.SentencePieceProcessor(model_file=str(package.sentencepiece_model))
    with stopwatch() as split_watch:
        per_paragraph = [split_sentences(p) for p in flat]
    counts = [len(s) for s in per_paragraph]
    with stopwatch() as encode_watch:
        tokens = [processor.encode(s, out_type=str) for ss in per_paragraph for s in ss]
    result = ModelResult(key, sentences=len(tokens))
    chunks = job_chunks(articles, mt.CHUNK_SIZE)
    print(f"corpus: {len(flat):,} paragraphs in {len(articles)} articles ({len(chunks)} engine calls of <= "
          f"{mt.CHUNK_SIZE} paragraphs, {len(tokens) / len(chunks):.0f} sentences per call on average), "
          f"{len(tokens):,} sentences (Mizan's splitter), {sum(map(len, tokens)):,} source tokens "
          f"({sum(map(len, tokens)) / len(tokens):.0f} per sentence, longest {max(map(len, tokens))})", flush=True)

    reference: list[str] | None = None  # raw CT2's English at the first thread setting
    decode_timing = None
    for threads in args.threads:
        timing, hypotheses = run_raw(package, tokens, threads, args.compute_type, args.max_batch_size)
        with stopwatch() as decode_watch:
            raw_english = paragraphs_from_sentences(processor, hypotheses, counts, package.target_prefix)
        decode_timing = decode_timing or decode_watch.timing
        result.rows.append(Row("raw", "raw CT2 translate_batch, one call", str(threads), timing))
        print(f"raw CT2 {threads}: {timing.wall:.2f} s, {len(tokens) / timing.wall:.1f} sentences/s "
              f"({sum(map(len, hypotheses)) / len(hypotheses):.1f} output tokens per sentence)", flush=True)
        if reference is None:
            reference = raw_english
        else:
            same = sum(a == b for a, b in zip(raw_english, reference))
            result.checks.append((same == len(flat), f"raw CT2 {threads} == raw CT2 {args.threads[0]}: "
                                                     f"{same}/{len(flat)} paragraphs"))

        instance = copy_instance(template, work / f"instance-{key}-{threads}",
                                 instance_config(args.compute_type, threads, args.max_batch_size))
        worker = run_worker(instance, work / f"worker-{key}-{threads}.log")
        result.workers[str(threads)] = worker
        rss = worker["rss_mib"]["peak"]
        result.rows.append(Row("job", "Mizan job (worker, run_translation_job)", str(threads),
                               Timing(worker["wall"], worker["cpu"]), rss))
        result.rows.append(Row("engine", f"  of which engine: translate(), {worker['engine_calls']} calls",
                               str(threads), Timing(worker["engine_seconds"], float("nan"))))
        print(f"Mizan job {threads}: {worker['wall']:.2f} s, {len(tokens) / worker['wall']:.1f} sentences/s, "
              f"engine {worker['engine_seconds']:.2f} s; worker peak RSS {rss:.0f} MiB", flush=True)

        rows = stored_paragraphs(instance / "mizan.sqlite")
        drafts = [row[2] for row in rows]
        machine = all(row[3] == "machine" and row[4] == package.model_id for row in rows)
        statuses_ok = worker["statuses"] == ["done"] * len(articles)
        engine_outputs = worker["engine_outputs"]
        result.checks.append((statuses_ok and machine and worker["engine_paragraphs"] == len(flat),
                              f"job {threads}: {len(articles)} jobs {'all done' if statuses_ok else worker['statuses']}, "
                              f"every paragraph a machine draft of this model: {machine}, "
                              f"{worker['engine_paragraphs']}/{len(flat)} paragraphs reached the engine "
                              f"(no draft-cache hits)"))
        same_engine = sum(engine_outputs.get(p) == d for p, d in zip(flat, drafts))
        result.checks.append((same_engine == len(flat), f"job {threads}: stored drafts == engine output in the job: "
                                                        f"{same_engine}/{len(flat)}"))
        same_raw = sum(d == r for d, r in zip(drafts, raw_english))
        result.checks.append((same_raw == len(flat), f"job {threads}: stored drafts == raw CT2 {threads}: "
                                                     f"{same_raw}/{len(flat)}"))

        if threads.inter > 1 and not args.skip_what_if:
            timing, balanced = run_balanced_engine(package, articles, threads, args.compute_type, args.max_batch_size)
            result.rows.append(Row("whatif", "what-if: engine per chunk, batch split", str(threads), timing))
            print(f"what-if {threads}: {timing.wall:.2f} s, {len(tokens) / timing.wall:.1f} sentences/s", flush=True)
            same = sum(a == b for a, b in zip(balanced, raw_english))
            result.checks.append((same == len(flat), f"what-if {threads} == raw CT2: {same}/{len(flat)}"))

    for threads in args.threads:
        for size in args.raw_batch_sizes:
            timing, hypotheses = run_raw(package, tokens, threads, args.compute_type, size)
            english = paragraphs_from_sentences(processor, hypotheses, counts, package.target_prefix)
            result.rows.append(Row("rawalt", f"raw CT2 one call, max_batch_size {size}", str(threads), timing))
            print(f"raw CT2 {threads}, max_batch_size {size}: {timing.wall:.2f} s, "
                  f"{len(tokens) / timing.wall:.1f} sentences/s", flush=True)
            same = sum(a == b for a, b in zip(english, reference))
            result.checks.append((same == len(flat), f"raw CT2 {threads} max_batch_size {size} == raw CT2 "
                                                     f"{args.threads[0]}: {same}/{len(flat)}"))

    if not args.skip_argos:
        argos = run_argos(package_file, flat, work / f"argos-{key}", args.compute_type)
        result.argos = argos
        timing = Timing(argos["timing"]["wall"], argos["timing"]["cpu"])
        result.rows.append(Row("argos", "argostranslate translate(), per paragraph", "1x0",
                               timing, argos["timing"]["vmhwm_kib"] / 1024))
        print(f"argostranslate: {timing.wall:.2f} s, {len(tokens) / timing.wall:.1f} sentences/s", flush=True)
        translations = argos["translations"]
        argos_sentences = [per_text[0] if per_text else [] for per_text in argos["sentences"]]
        argos["sentence_count"] = sum(map(len, argos_sentences))
        identical = [i for i in range(len(flat)) if translations[i] == reference[i]]
        differing = [i for i in range(len(flat)) if translations[i] != reference[i]]
        split_agrees = [i for i in range(len(flat)) if [s.strip() for s in argos_sentences[i]] == per_paragraph[i]]
        unexplained = [i for i in differing if i in set(split_agrees)]
        first = args.threads[0]
        engine = PackageTranslator(package, EngineOptions(args.compute_type, first.inter, first.intra,
                                                          args.max_batch_size))
        resplit = engine.translate_split([argos_sentences[i] for i in differing]) if differing else []
        del engine
        explained = sum(resplit[n] == translations[i] for n, i in enumerate(differing))
        result.checks.append((True, f"argostranslate == Mizan as they stand: {len(identical)}/{len(flat)} paragraphs; "
                                    f"the two splitters agree on {len(split_agrees)}/{len(flat)} "
                                    f"({argos['sentence_count']:,} sentences by argostranslate's spaCy sentencizer, "
                                    f"{len(tokens):,} by Mizan's)"))
        result.checks.append((not unexplained and explained == len(differing),
                              f"the {len(differing)} that differ: {len(differing) - len(unexplained)} split differently; "
                              f"given argostranslate's own sentences, Mizan's translate_split gives argostranslate's "
                              f"output for {explained}/{len(differing)}"))
        settings = argos["settings"]
        result.notes.append(
            f"argostranslate settings seen in its process: batch_size {settings['batch_size']} (tokens), "
            f"inter_threads {settings['inter_threads']}, intra_threads {settings['intra_threads']}, "
            f"beam_size {settings['beam_size']}, compute_type {settings['compute_type']}, "
            f"chunk_type {settings['chunk_type']}, sentencizer {argos['sentencizer']}; "
            f"network attempts: {len(argos['network_attempts'])}")

    result.notes.append(
        f"Mizan's pre/post-processing inside the engine, measured apart on all {len(flat):,} paragraphs: "
        f"split_sentences {split_watch.timing.wall:.3f} s, SentencePiece encode {encode_watch.timing.wall:.3f} s, "
        f"decode {decode_timing.wall:.3f} s")
    return result


# =========================================================================== #
# Report
# =========================================================================== #

def print_model_report(result: ModelResult, args) -> None:
    raw_best, argos = result.best("raw"), result.best("argos")
    print(f"\n--- {result.key} model: {result.sentences:,} sentences, compute type {args.compute_type}, "
          f"max_batch_size {args.max_batch_size} ---")
    header = (f"{'path':<44} {'threads':>7} {'seconds':>8} {'CPU s':>7} {'sent/s':>8} {'x raw same':>10} "
              f"{'x raw best':>10} {'x argos':>8} {'peak RSS':>9}")
    print(header)
    print("-" * len(header))
    for row in result.rows:
        rate = result.rate(row)
        raw_same = result.find("raw", row.threads)
        same = f"{rate / result.rate(raw_same):10.2f}" if raw_same and row.kind != "argos" else f"{'':>10}"
        best = f"{rate / result.rate(raw_best):10.2f}" if raw_best else f"{'':>10}"
        versus = f"{rate / result.rate(argos):8.1f}" if argos else f"{'':>8}"
        cpu = f"{row.timing.cpu:7.1f}" if row.timing.cpu == row.timing.cpu else f"{'':>7}"
        rss = f"{row.rss_mib:6.0f} MiB" if row.rss_mib is not None else f"{'':>9}"
        print(f"{row.label:<44} {row.threads:>7} {row.timing.wall:8.2f} {cpu} {rate:8.1f} {same} {best} {versus} {rss}")
    print("(threads: inter x intra; 0 intra = CTranslate2's default. x raw same: sentences/s over raw CT2's at the "
          "same threads;\n x raw best: over raw CT2's best setting; peak RSS: VmHWM of the worker process "
          "(argostranslate: of its process))")

    print("\nWhere the Mizan job's time goes (exclusive wall seconds; model load is once per worker, not included):")
    for threads, worker in result.workers.items():
        sections = sorted(worker["sections"].items(), key=lambda kv: -kv[1][0])
        parts = ", ".join(f"{name} {seconds:.3f} s ({seconds / worker['wall']:.1%}" + (f", {count}x)" if count else ")")
                          for name, (seconds, count) in sections)
        print(f"  {threads}: {worker['wall']:.2f} s = {parts}; model load {worker['load_seconds']:.2f} s")
    if result.workers:
        threads, worker = next(iter(result.workers.items()))
        print(f"  SQL statements by kind ({threads}):")
        for kind, (seconds, count) in sorted(worker["sql"].items(), key=lambda kv: -kv[1][0]):
            print(f"      {kind:<44} {count:>6}x {seconds * 1000:9.1f} ms")
    for note in result.notes:
        print(f"  {note}")

    print("\nOutputs:")
    for ok, text in result.checks:
        print(f"  {'OK  ' if ok else 'DIFF'}  {text}")

    print("\nWorker memory, MiB (VmHWM, the process's own peak RSS): at start / after create_app and the jobs "
          "created / after the model load / peak at the end")
    for threads, worker in result.workers.items():
        rss = worker["rss_mib"]
        print(f"  {threads}: {rss['start']:.0f} / {rss['app']:.0f} / {rss['model']:.0f} / {rss['peak']:.0f}   "
              f"(ru_maxrss {rss['ru_maxrss']:.0f}: Linux starts a child's at its parent's RSS at fork)")
    if result.argos:
        timing = result.argos["timing"]
        print(f"  argostranslate process: peak {timing['vmhwm_kib'] / 1024:.0f} (ru_maxrss "
              f"{timing['maxrss_kib'] / 1024:.0f})")


def print_targets(result: ModelResult) -> None:
    job, raw_best, argos = result.best("job"), result.best("raw"), result.best("argos")
    judged = "target" if result.key == TARGET_MODEL else "for information; targets are judged on the base model"
    print(f"\nTargets, {result.key} model ({judged}):")
    if job and raw_best:
        ratio = result.rate(job) / result.rate(raw_best)
        print(f"  {'PASS' if ratio >= TARGET_RAW_RATIO else 'FAIL'}  Mizan job ({job.threads}, "
              f"{result.rate(job):.1f}/s) >= {TARGET_RAW_RATIO}x raw CT2 ({raw_best.threads}, "
              f"{result.rate(raw_best):.1f}/s): {ratio:.2f}x")
        for threads in result.workers:
            same_job, same_raw = result.find("job", threads), result.find("raw", threads)
            print(f"        at {threads} for both: {result.rate(same_job) / result.rate(same_raw):.2f}x")
    if job and argos:
        multiple = result.rate(job) / result.rate(argos)
        print(f"  {'PASS' if multiple >= TARGET_ARGOS_MULTIPLE else 'FAIL'}  Mizan job >= {TARGET_ARGOS_MULTIPLE:.0f}x "
              f"argostranslate's default path ({result.rate(argos):.1f}/s): {multiple:.1f}x")
    else:
        print("  ----  argostranslate not measured (--skip-argos)")
    identical = all(ok for ok, _ in result.checks)
    print(f"  {'PASS' if identical else 'FAIL'}  identical outputs (see Outputs above)")
    alternative = result.best("rawalt")
    if alternative and job:
        print(f"  raw CT2 at another batch size ({alternative.label.rsplit(' ', 1)[1]}, {alternative.threads}): "
              f"{result.rate(alternative):.1f}/s; the Mizan job is {result.rate(job) / result.rate(alternative):.2f}x that")
    whatif = result.best("whatif")
    if whatif and raw_best:
        versus = f", {result.rate(whatif) / result.rate(argos):.1f}x argostranslate" if argos else ""
        print(f"  what-if ({whatif.threads}, engine on the job's chunks with the batch split, no DB): "
              f"{result.rate(whatif):.1f}/s = {result.rate(whatif) / result.rate(raw_best):.2f}x raw CT2 best{versus}")


def machine_lines(compute_type: str) -> list[str]:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else "?"

    def version(name: str) -> str:
        try:
            return importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            return "not installed"

    omp = {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "CT2_", "MKL_"))}
    return [
        f"{platform.node()}: {cpus} CPUs usable (nproc), {model}; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, ctranslate2 {version('ctranslate2')}, argostranslate "
        f"{version('argostranslate')}, sentencepiece {version('sentencepiece')}, spacy {version('spacy')}; "
        f"compute type {compute_type} everywhere" + (f"; environment {omp}" if omp else ""),
    ]




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="tiny,base", help="comma-separated: tiny, base (default both)")
    parser.add_argument("--paragraphs-tiny", type=int, default=300, help="corpus for the tiny model (default 300)")
    parser.add_argument("--paragraphs-base", type=int, default=90,
                        help="corpus for the base-size model (default 90: 126 sentences, two CTranslate2 batches "
                             "of <= 64)")
    parser.add_argument("--compute-type", default="float32",
                        help="for Mizan, raw CT2 and argostranslate alike (default float32)")
    parser.add_argument("--threads", default="1x2,2x1",
                        help="inter x intra thread settings for raw CT2 and the Mizan job (default 1x2,2x1; "
                             "2x1 is the app's default on 2 cores)")
    parser.add_argument("--max-batch-size", type=int, default=None,
                        help="sentences per CTranslate2 batch (default: Mizan's, EngineOptions.max_batch_size)")
    parser.add_argument("--raw-batch-sizes", default="",
                        help="also run raw CT2 at these max_batch_size values, e.g. 16,32 (informational rows)")
    parser.add_argument("--skip-argos", action="store_true", help="do not run argostranslate")
    parser.add_argument("--what-if", dest="skip_what_if", action="store_false", default=True,
                        help="also run the what-if rows (one batch per inter thread)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed at the end)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main()

    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not args.models or any(m not in MODELS for m in args.models):
        parser.error(f"--models takes a comma-separated list of {', '.join(MODELS)}")
    try:
        args.threads = list(dict.fromkeys(Threads.parse(t) for t in args.threads.split(",") if t.strip()))
    except ValueError:
        parser.error("--threads takes settings like 1x2,2x1 (inter x intra)")
    if not args.threads or any(t.inter < 1 or t.intra < 0 for t in args.threads):
        parser.error("--threads: inter >= 1, intra >= 0")
    try:
        args.raw_batch_sizes = [int(v) for v in args.raw_batch_sizes.split(",") if v.strip()]
    except ValueError:
        parser.error("--raw-batch-sizes takes integers, e.g. 16,32")
    if any(v < 1 for v in args.raw_batch_sizes):
        parser.error("--raw-batch-sizes: values >= 1")
    if min(args.paragraphs_tiny, args.paragraphs_base) < 1:
        parser.error("--paragraphs-* must be at least 1")

    with benchmark_run("mizan-mt-bench-", keep=args.keep) as work:
        # Anything in this process that falls back to the environment's instance
        # folder (app.tasks at import) must not touch a real one.
        os.environ["MIZAN_INSTANCE_PATH"] = str(work / "bench-process-instance")
        for name in ("MIZAN_DATABASE_URL", "MIZAN_QUEUE_URL"):
            os.environ.pop(name, None)
        if args.max_batch_size is None:
            from app.services.mt_engine import EngineOptions

            args.max_batch_size = EngineOptions().max_batch_size

        print(f"Mizan MT throughput benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
        for line in machine_lines(args.compute_type):
            print(line)
        print(f"Load average before: {os.getloadavg()[0]:.2f} (other work on the machine skews wall times)")
        results: list[ModelResult] = []
        for key in args.models:
            paragraphs = args.paragraphs_tiny if key == "tiny" else args.paragraphs_base
            results.append(bench_model(key, paragraphs, args, work))
        for result in results:
            print_model_report(result, args)
        for result in results:
            print_targets(result)

        print("\nThread settings (Mizan job, sentences/s; worker peak RSS):")
        for result in results:
            parts = []
            for t in args.threads:
                row = result.find("job", str(t))
                parts.append(f"{t} {result.rate(row):.1f}/s ({row.rss_mib:.0f} MiB)")
            whatif = result.best("whatif")
            extra = (f"; what-if {whatif.threads} (batch split over inter threads): {result.rate(whatif):.1f}/s"
                     if whatif else "")
            print(f"  {result.key}: " + ", ".join(parts) + f"; best {result.best('job').threads}{extra}")
        deciding = next((r for r in results if r.key == TARGET_MODEL), results[-1])
        best = deciding.best("job")
        inter, intra = best.threads.split("x")
        print(f"  Best measured for the current engine (from the {deciding.key} model): "
              f"MT_INTER_THREADS = {inter}, MT_INTRA_THREADS = {intra}")
        whatif = deciding.best("whatif")
        if whatif:
            inter, intra = whatif.threads.split("x")
            print(f"  With the batch split across inter threads (what-if): MT_INTER_THREADS = {inter}, "
                  f"MT_INTRA_THREADS = {intra}: {deciding.rate(whatif) / deciding.rate(best):.2f}x the best job above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
