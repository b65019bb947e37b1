"""Running an Argos package's model: CTranslate2 + SentencePiece, batched.

Only the translation worker (and `flask mt translate`) loads this module's
heavy parts; the web process never does. Mizan reproduces argostranslate's
`translate()` for one sentence exactly — same tokenizer calls, beam size 4,
length penalty 0.2, `replace_unknowns`, the same decoding of pieces — and
differs on purpose in two places:

* sentences come from Mizan's offline Arabic splitter (`sentences.py`), not
  from stanza/spaCy/MiniSBD, which try the network;
* all sentences of many paragraphs go to CTranslate2 in one batched call,
  where argostranslate sends one paragraph at a time in batches of 32
  tokens. Batching is where the speed is; tests check the outputs agree.
"""
from __future__ import annotations

import importlib.util
import math
import threading
from dataclasses import dataclass
from typing import Sequence

from . import ServiceError
from .mt_packages import InstalledPackage
from .sentences import split_sentences

BEAM_SIZE = 4
LENGTH_PENALTY = 0.2
ENGINE_MODULES = ("ctranslate2", "sentencepiece")


class EngineNotInstalled(ServiceError):
    """This Python has no model stack: a web-tier install (requirements/web.txt)."""


def missing_engine_modules() -> list[str]:
    """The engine's modules this Python cannot import, found without importing them."""
    return [name for name in ENGINE_MODULES if importlib.util.find_spec(name) is None]


def require_engine() -> None:
    """Refuse, saying what to do, on a machine that cannot translate."""
    missing = missing_engine_modules()
    if missing:
        raise EngineNotInstalled(
            f"this machine cannot translate: {', '.join(missing)} not installed (a web-tier install, "
            "requirements/web.txt); translations run on a worker machine (make install-worker) "
            "or on a full install (make install)"
        )


@dataclass(frozen=True)
class EngineOptions:
    """How the worker runs CTranslate2.

    Several translators each on one core (inter threads), each given a
    slice of the batch, beat one translator spread over all cores (intra
    threads): beam search scales poorly inside one batch (bench/mt_throughput.py).
    """

    compute_type: str = "auto"
    inter_threads: int = 2
    intra_threads: int = 1
    max_batch_size: int = 32  # sentences per CTranslate2 batch, at most

    @classmethod
    def from_config(cls, config) -> "EngineOptions":
        return cls(
            compute_type=config.get("MT_COMPUTE_TYPE", "auto"),
            inter_threads=int(config.get("MT_INTER_THREADS", 2)),
            intra_threads=int(config.get("MT_INTRA_THREADS", 1)),
            max_batch_size=int(config.get("MT_MAX_BATCH_SIZE", 32)),
        )


class PackageTranslator:
    """One loaded model; translating is thread-safe, loading happens once."""

    engine = "ctranslate2"

    def __init__(self, package: InstalledPackage, options: EngineOptions = EngineOptions()):
        require_engine()
        import ctranslate2
        import sentencepiece

        self.package = package
        self.options = options
        self.engine_version = ctranslate2.__version__
        self._tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(package.sentencepiece_model))
        self._translator = ctranslate2.Translator(
            str(package.model_dir),
            device="cpu",
            compute_type=options.compute_type,
            inter_threads=options.inter_threads,
            intra_threads=options.intra_threads,
        )

    @property
    def model_id(self) -> str:
        return self.package.model_id

    def translate(self, paragraphs: Sequence[str]) -> list[str]:
        """English for each Arabic paragraph, all sentences translated in one batched call."""
        return self.translate_split([split_sentences(text) for text in paragraphs])

    def translate_split(self, sentences_per_paragraph: Sequence[Sequence[str]]) -> list[str]:
        """English for paragraphs already split into sentences (one output per paragraph)."""
        tokens = [self._tokenizer.encode(s, out_type=str) for ss in sentences_per_paragraph for s in ss]
        if not tokens:
            return ["" for _ in sentences_per_paragraph]
        prefix = self.package.target_prefix
        # Two batches per inter thread, none above the maximum: every translator
        # stays busy, and one that draws a batch of long sentences is not left
        # working alone at the end of the call (bench/mt_throughput.py).
        batches = 2 * self.options.inter_threads
        per_batch = max(1, min(self.options.max_batch_size, math.ceil(len(tokens) / batches)))
        results = self._translator.translate_batch(
            tokens,
            target_prefix=[[prefix]] * len(tokens) if prefix else None,
            replace_unknowns=True,
            max_batch_size=per_batch,
            batch_type="examples",
            beam_size=BEAM_SIZE,
            num_hypotheses=1,
            length_penalty=LENGTH_PENALTY,
        )
        english, cursor = [], 0
        for sentences in sentences_per_paragraph:
            pieces: list[str] = []
            for result in results[cursor:cursor + len(sentences)]:
                pieces.extend(result.hypotheses[0])
            cursor += len(sentences)
            english.append(self._detokenize(pieces))
        return english

    def _detokenize(self, pieces: list[str]) -> str:
        # Exactly argostranslate's SentencePieceTokenizer.decode and its clean-up.
        value = self._tokenizer.decode_pieces(pieces).replace("▁", " ").replace("_", " ")
        prefix = self.package.target_prefix
        if prefix and value.startswith(prefix):
            value = value[len(prefix):]
        if value.startswith(" "):
            value = value[1:]
        return value


_loaded: dict[tuple[str, EngineOptions], PackageTranslator] = {}
_loading = threading.Lock()


def get_translator(package: InstalledPackage, options: EngineOptions = EngineOptions()) -> PackageTranslator:
    """The loaded model for a package, loaded once per worker process and reused."""
    key = (package.model_id, options)
    with _loading:
        translator = _loaded.get(key)
        if translator is None:
            translator = _loaded[key] = PackageTranslator(package, options)
        return translator


def unload_all() -> None:
    with _loading:
        _loaded.clear()
