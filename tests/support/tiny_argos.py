"""Tiny but real Argos Translate packages for tests, built offline in about a second.

``build_argos_package()`` writes a genuine ``.argosmodel`` zip: a SentencePiece
unigram model trained in-process on the Arabic seed texts (plus a few dozen
English sentences so the English side has pieces), a CTranslate2 Transformer
whose weights are seeded random numbers, a blank spaCy ``xx`` pipeline for
sentence splitting and a ``metadata.json``.  Its English is nonsense, but it
is deterministic (same arguments -> byte-identical ``model.bin`` and, in the
same environment, a byte-identical zip) and the whole real loading path runs:
``ctranslate2.Translator``, ``sentencepiece`` and argostranslate itself.

Three choices shape the nonsense so that it is usable in tests:

* Only Latin pieces can be produced.  The output projection has a bias of
  ``-1e4`` on every target token except ``</s>`` and the pieces made of
  printable ASCII with at least one letter (``<blank>``, ``<s>`` and
  ``<unk>`` included), so every translation is non-empty, Latin-script text
  (``replace_unknowns`` never fires).
* Decoding stops after roughly 20-30 tokens, at every size.  Two decoder
  dimensions carry nothing but the sinusoidal position encoding (a "clock":
  CTranslate2 adds ``[sin | cos]((t + 1) * timescale)`` to the embeddings),
  and the ``</s>`` row of the output projection reads them, so the end token
  wins after a while.  Plain random weights either never emit ``</s>`` (runs
  to CTranslate2's 256-token default) or, with a small std, emit it right
  after the first token for every input.
* Weights are Xavier-like (std ``1/sqrt(fan_in)``, output projections of
  each sublayer scaled down by ``sqrt(number of sublayers)``), so the output
  depends on the input and behaves alike from ``width=32`` to ``width=512``.

``argos_translate_offline()`` runs argostranslate in a fresh subprocess with
every network call refused; ``translate_like_argos()`` reproduces the same
pipeline with ctranslate2 + sentencepiece + spaCy directly (the tests check
they agree).  Nothing here imports argostranslate or torch in the calling
process: spaCy (via thinc) and ``ctranslate2.specs`` import torch only if it
is importable, so they are imported with torch hidden (see ``_torch_hidden``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

MAIN_DIR = Path(__file__).resolve().parents[2]
SEEDS_DIR = MAIN_DIR / "seeds"

# argostranslate picks its sentence splitter from words in the package path
# (``"stanza" in str(pkg.packaged_sbd_path)``), so none of these may appear in
# a package name or in the folder packages are installed into.
RESERVED_WORDS = ("stanza", "minisbd", "spacy")

ARGOS_VERSION = "1.11"
LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}

# CTranslate2's vocabulary: these first, then SentencePiece's pieces without
# its own <s> and </s> (its <unk> stays, at index 3: the spec's default
# ``unk_token`` is "<unk>" and CTranslate2 needs it in the vocabulary).
SPECIAL_TOKENS = ("<blank>", "<s>", "</s>")
UNK_TOKEN = "<unk>"
EOS_INDEX = 2
SUPPRESSED_LOGIT_BIAS = -1e4

# Decoding-length clock (see the module docstring).  Period ~20 positions and
# gain 5 give 20-30 output tokens per sentence for both the tiny and the
# base-size model; the clock keeps rising until t ~ 45.
CLOCK_PERIOD = 20.0
CLOCK_GAIN = 5.0

# Decoder cross-attention queries and output are scaled up by this: sharper
# attention over the source and a larger share of it in the decoder state,
# so that different sentences get clearly different nonsense (with gain 1,
# 32 of 40 seed sentences got distinct outputs from the base-size model).
CROSS_ATTENTION_GAIN = 3.0

# Every zip member gets this timestamp so that the archive is reproducible.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# Generic English news sentences mixed into the SentencePiece corpus so that
# the shared vocabulary has English pieces for the target side.
ENGLISH_SENTENCES = (
    "The government announced a new plan to support small businesses on Monday.",
    "Officials said the talks would continue next week in the capital.",
    "The president met the foreign minister to discuss trade and security.",
    "Prices of food and fuel rose again this month, according to the statistics office.",
    "The central bank kept interest rates unchanged at its latest meeting.",
    "Thousands of people attended the festival despite the hot weather.",
    "The company reported higher profits for the second quarter of the year.",
    "Heavy rain caused flooding in several villages in the north of the country.",
    "The minister said the new road would open before the end of the year.",
    "Both countries agreed to expand cooperation in energy, transport and education.",
    "The prime minister visited the hospital and spoke with doctors and nurses.",
    "Police said an investigation into the accident was under way.",
    "The parliament approved the budget after a long debate.",
    "Exports increased by ten percent compared with the same period last year.",
    "The football team won the championship for the third time in a row.",
    "Scientists warned that water shortages could affect millions of people.",
    "The university opened a new research centre for renewable energy.",
    "Representatives of the two sides signed an agreement in the presence of the ministers.",
    "The delegation will also visit factories and ports during its stay.",
    "Tourism has recovered strongly since the borders reopened.",
    "The report said that unemployment among young people remains high.",
    "Farmers are worried about the rising cost of seeds and fertiliser.",
    "The airline plans to add new routes to Europe and Asia next summer.",
    "Officials stressed the importance of dialogue and regional stability.",
    "The ministry of health launched a national vaccination campaign.",
    "Construction of the new airport is expected to take four years.",
    "The summit ended with a joint statement on economic development.",
    "Local authorities said schools would remain closed until Thursday.",
    "The court postponed the hearing to next month at the request of the defence.",
    "Investors welcomed the decision, and shares rose on the stock exchange.",
    "The embassy urged its citizens to follow the instructions of the authorities.",
    "A new museum of modern art opened its doors to visitors on Saturday.",
    "The election commission said turnout was higher than expected.",
    "Negotiations on the new contract have been going on for several months.",
    "The company will invest two billion dollars in new technology.",
    "Emergency teams worked through the night to restore electricity.",
    "The minister of education announced changes to the school curriculum.",
    "The conference brought together experts from more than forty countries.",
    "Rescue workers found three survivors under the rubble of the building.",
    "The agreement covers trade, investment, culture and scientific research.",
    "He said that the project would create thousands of jobs for young people.",
    "The weather service expects temperatures to drop at the weekend.",
)


# --------------------------------------------------------------------------- #
# Imports that would otherwise pull in torch
# --------------------------------------------------------------------------- #


@contextlib.contextmanager
def _torch_hidden() -> Iterator[None]:
    """Make ``import torch`` fail while importing spaCy / ``ctranslate2.specs``.

    thinc (imported by spaCy) and ``ctranslate2.specs.model_spec`` try
    ``import torch`` at import time and only use it for PyTorch models and
    torch tensors, which nothing here needs; importing torch costs ~2 s.  If
    torch is already imported this does nothing.  The side effect lasts for
    the process: in it, thinc and ``ctranslate2.specs`` consider torch
    unavailable (no test process of Mizan converts PyTorch models).
    """
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # -> ImportError
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


def _spacy():
    with _torch_hidden():
        import spacy
    return spacy


def _ctranslate2_specs():
    with _torch_hidden():
        from ctranslate2.specs import model_spec, transformer_spec
    return model_spec, transformer_spec


# --------------------------------------------------------------------------- #
# Corpus and SentencePiece
# --------------------------------------------------------------------------- #


def seed_sentences(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """The non-blank lines of the Arabic seed texts, in file order."""
    lines: list[str] = []
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line:
                lines.append(line)
    if not lines:
        raise FileNotFoundError(f"no seed text in {seeds_dir}")
    return lines


def train_sentencepiece(sentences: Sequence[str], vocab_size: int = 500) -> bytes:
    """Train a unigram SentencePiece model in memory and return its bytes.

    Deterministic: one thread, all sentences (no sampling) and no file paths in
    the serialized trainer spec (the model is written to a BytesIO).  If the
    corpus cannot support ``vocab_size`` pieces, fewer are made
    (``hard_vocab_limit=False``).
    """
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(sentences)),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        max_sentence_length=1 << 16,
        minloglevel=2,
    )
    return model.getvalue()


def ctranslate2_vocabulary(sentencepiece_model: bytes) -> list[str]:
    """``<blank>``, ``<s>``, ``</s>``, then the pieces (without SentencePiece's <s>, </s>)."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=sentencepiece_model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocabulary = list(SPECIAL_TOKENS) + [p for p in pieces if p not in SPECIAL_TOKENS]
    if UNK_TOKEN not in vocabulary:
        raise ValueError(f"the SentencePiece model has no {UNK_TOKEN} piece")
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError("duplicate tokens in the vocabulary")
    return vocabulary


_LATIN_PIECE = re.compile(r"\u2581?[\x21-\x7e]*[A-Za-z][\x21-\x7e]*")


def target_token_allowed(token: str) -> bool:
    """May the tiny model produce this token?  ``</s>`` and Latin pieces only."""
    if token == SPECIAL_TOKENS[EOS_INDEX]:
        return True
    if token in SPECIAL_TOKENS or token == UNK_TOKEN:
        return False
    return _LATIN_PIECE.fullmatch(token) is not None


# --------------------------------------------------------------------------- #
# CTranslate2 model
# --------------------------------------------------------------------------- #


def _variable_shape(name: str, vocab: int, width: int) -> tuple[int, ...]:
    """Shape of a TransformerSpec variable, from its scope name.

    Matches what CTranslate2 loads: LinearSpec weights are (out, in), biases
    (out,), attention ``linear_0`` is fused QKV (self-attention, 3w) or Q
    (cross-attention, w), cross-attention ``linear_1`` fused KV (2w), the
    last linear of an attention block its output projection (w, w), and the
    FFN ``linear_0``/``linear_1`` (2w, w)/(w, 2w).  ``from_config`` has no
    FFN size: CTranslate2 reads it from these shapes.
    """
    parts = name.split("/")
    attr = parts[-1]
    owner = parts[-2] if len(parts) > 1 else ""
    block = parts[-3] if len(parts) > 2 else ""
    if attr in ("gamma", "beta"):
        return (width,)
    if attr == "bias":
        return (_variable_shape("/".join(parts[:-1] + ["weight"]), vocab, width)[0],)
    if attr == "weight":
        if owner.startswith("embeddings") or owner == "projection":
            return (vocab, width)
        shapes = {
            ("self_attention", "linear_0"): (3 * width, width),
            ("self_attention", "linear_1"): (width, width),
            ("attention", "linear_0"): (width, width),
            ("attention", "linear_1"): (2 * width, width),
            ("attention", "linear_2"): (width, width),
            ("ffn", "linear_0"): (2 * width, width),
            ("ffn", "linear_1"): (width, 2 * width),
        }
        if (block, owner) in shapes:
            return shapes[(block, owner)]
    raise ValueError(f"tiny_argos does not know the shape of spec variable {name!r}")


_OUTPUT_LINEARS = {("self_attention", "linear_1"), ("attention", "linear_2"), ("ffn", "linear_1")}
_CROSS_ATTENTION_QUERY_AND_OUTPUT = {("attention", "linear_0"), ("attention", "linear_2")}


def _random_value(name: str, shape: tuple[int, ...], rng: np.random.Generator,
                  *, width: int, encoder_layers: int, decoder_layers: int) -> np.ndarray:
    parts = name.split("/")
    attr, owner = parts[-1], parts[-2]
    if attr == "gamma":
        value = 1.0 + rng.normal(0.0, 0.1, shape)
    elif attr in ("beta", "bias"):
        value = rng.normal(0.0, 0.02, shape)
    elif owner.startswith("embeddings") or owner == "projection":
        # CTranslate2 multiplies embeddings by sqrt(width): unit variance.
        value = rng.normal(0.0, width**-0.5, shape)
    else:
        std = shape[1] ** -0.5
        if (parts[-3], owner) in _OUTPUT_LINEARS:
            sublayers = 3 * decoder_layers if parts[0] == "decoder" else 2 * encoder_layers
            std /= sublayers**0.5
        if parts[0] == "decoder" and (parts[-3], owner) in _CROSS_ATTENTION_QUERY_AND_OUTPUT:
            std *= CROSS_ATTENTION_GAIN
        value = rng.normal(0.0, std, shape)
    return value.astype(np.float32)


def _clock_dimensions(width: int) -> tuple[int, int]:
    """The (sin, cos) dimensions whose timescale is closest to 1/CLOCK_PERIOD.

    CTranslate2's sinusoidal encoding for position t is
    ``concat(sin((t+1)*ts), cos((t+1)*ts))`` with
    ``ts[i] = exp(-i * ln(10000) / (width/2 - 1))``.
    """
    half = width // 2
    index = int(round(np.log(CLOCK_PERIOD) / np.log(10000.0) * (half - 1)))
    index = min(max(index, 0), half - 1)
    return index, index + half


def build_transformer_spec(vocabulary: list[str], *, encoder_layers: int = 1, decoder_layers: int = 1,
                           width: int = 32, heads: int = 2, seed: int = 0):
    """A validated, optimized ``TransformerSpec`` with seeded random weights."""
    if width % heads or width % 2 or width < 8:
        raise ValueError(f"width {width} must be even, at least 8 and divisible by heads {heads}")
    model_spec, transformer_spec = _ctranslate2_specs()
    spec = transformer_spec.TransformerSpec.from_config((encoder_layers, decoder_layers), heads)
    vocab = len(vocabulary)
    rng = np.random.default_rng(seed)

    entries: list[tuple[str, object]] = []
    model_spec.visit_spec(spec, lambda _layer, name, value: entries.append((name, value)))
    for name, value in sorted(entries, key=lambda entry: entry[0]):
        scope, attr = name.rsplit("/", 1)
        layer = model_spec.index_spec(spec, scope)
        optional_bias = (attr == "bias" and isinstance(value, str) and value == model_spec.OPTIONAL)
        if value is not None and not optional_bias:
            continue  # set by the spec itself (flags, head counts) or optional
        shape = _variable_shape(name, vocab, width)
        setattr(layer, attr, _random_value(name, shape, rng, width=width,
                                           encoder_layers=encoder_layers, decoder_layers=decoder_layers))

    decoder = spec.decoder
    # Only </s> and Latin pieces can be produced.
    allowed = np.array([target_token_allowed(token) for token in vocabulary])
    decoder.projection.bias[~allowed] += np.float32(SUPPRESSED_LOGIT_BIAS)
    # The clock: two decoder dimensions hold only the position encoding ...
    clock = list(_clock_dimensions(width))
    decoder.embeddings.weight[:, clock] = 0.0
    for layer in decoder.layer:
        for linear in (layer.self_attention.linear[1], layer.attention.linear[2], layer.ffn.linear_1):
            linear.weight[clock, :] = 0.0
            linear.bias[clock] = 0.0
    decoder.layer_norm.gamma[clock] = 1.0
    decoder.layer_norm.beta[clock] = 0.0
    # ... and </s> scores gain * (sin - cos): rising from -gain to +gain*sqrt(2).
    decoder.projection.weight[EOS_INDEX, :] = 0.0
    decoder.projection.weight[EOS_INDEX, clock] = (CLOCK_GAIN, -CLOCK_GAIN)
    decoder.projection.bias[EOS_INDEX] = 0.0

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize()
    return spec


# --------------------------------------------------------------------------- #
# The package
# --------------------------------------------------------------------------- #


def _check_no_reserved_words(text: str, what: str) -> None:
    lowered = text.lower()
    for word in RESERVED_WORDS:
        if word in lowered:
            raise ValueError(f"{what} {text!r} contains {word!r}; argostranslate would take it for a "
                             f"sentence-splitter path")


def _readme(metadata: dict, vocabulary_size: int, encoder_layers: int, decoder_layers: int,
            width: int, heads: int, seed: int) -> str:
    return (
        f"# {metadata['name']} {metadata['package_version']} (test fixture)\n\n"
        "Built by Mizan's tests/support/tiny_argos.py. A real Argos Translate package with a\n"
        "randomly initialised CTranslate2 Transformer: its English is deterministic nonsense.\n\n"
        f"- {metadata['from_name']} ({metadata['from_code']}) -> {metadata['to_name']} ({metadata['to_code']})\n"
        f"- Transformer: {encoder_layers} encoder / {decoder_layers} decoder layers, width {width}, "
        f"{heads} heads, FFN {2 * width}, seed {seed}\n"
        f"- SentencePiece unigram, shared vocabulary of {vocabulary_size} tokens\n"
        "- spacy/: blank `xx` pipeline for ARGOS_CHUNK_TYPE=SPACY\n"
    )


def _zip_folder(root: Path, top: str, destination: Path) -> None:
    """Zip ``root/top`` as ``top/...`` reproducibly (sorted, fixed times and modes)."""
    folder = root / top
    paths = sorted([folder, *folder.rglob("*")], key=lambda p: p.relative_to(root).as_posix())
    with zipfile.ZipFile(destination, "w") as archive:
        for path in paths:
            relative = path.relative_to(root).as_posix()
            if path.is_dir():
                info = zipfile.ZipInfo(relative + "/", ZIP_DATE)
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info = zipfile.ZipInfo(relative, ZIP_DATE)
                info.external_attr = 0o100644 << 16
                # Random float32 weights do not compress: store model.bin
                # (deflating a base-size one would take seconds for nothing).
                info.compress_type = zipfile.ZIP_STORED if path.name == "model.bin" else zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes(), compresslevel=6)


def build_argos_package(
    dest_dir: Path,
    *,
    name: str = "translate-ar_en-tiny",
    version: str = "1.0",
    encoder_layers: int = 1,
    decoder_layers: int = 1,
    width: int = 32,
    heads: int = 2,
    vocab_size: int = 500,
    seed: int = 0,
    corpus: Iterable[str] | None = None,
    from_code: str = "ar",
    to_code: str = "en",
) -> Path:
    """Build ``dest_dir/<name>-<version>.argosmodel`` and return its path.

    ``corpus`` replaces the Arabic seed lines (``seeds/*.txt``) as the
    source-side SentencePiece training text; the built-in English sentences
    are always added.  ``vocab_size`` is lowered automatically if the corpus is
    too small for it.  The zip holds one folder, ``<name>/``, with
    ``metadata.json``, ``README.md``, ``sentencepiece.model``, ``model/``
    (``model.bin``, ``config.json``, ``shared_vocabulary.json``) and
    ``spacy/`` (a blank ``xx`` pipeline).  An existing file is replaced.
    """
    _check_no_reserved_words(name, "package name")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"package name {name!r} must be a plain folder name")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    sentences = list(seed_sentences() if corpus is None else corpus) + list(ENGLISH_SENTENCES)
    sentencepiece_model = train_sentencepiece(sentences, vocab_size)
    vocabulary = ctranslate2_vocabulary(sentencepiece_model)
    spec = build_transformer_spec(vocabulary, encoder_layers=encoder_layers, decoder_layers=decoder_layers,
                                  width=width, heads=heads, seed=seed)
    metadata = {
        "name": name,
        "package_version": version,
        "version": version,
        "argos_version": ARGOS_VERSION,
        "type": "translate",  # what argostranslate reads
        "package_type": "translate",  # informational; argostranslate 1.11 ignores it
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "links": [],
    }
    spacy = _spacy()
    destination = dest_dir / f"{name}-{version}.argosmodel"
    with tempfile.TemporaryDirectory(prefix=".tiny-argos-", dir=dest_dir) as work:
        root = Path(work)
        package = root / name
        (package / "model").mkdir(parents=True)
        spec.save(str(package / "model"))
        (package / "sentencepiece.model").write_bytes(sentencepiece_model)
        spacy.blank("xx").to_disk(package / "spacy")
        (package / "metadata.json").write_text(json.dumps(metadata, indent=4, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        (package / "README.md").write_text(
            _readme(metadata, len(vocabulary), encoder_layers, decoder_layers, width, heads, seed), encoding="utf-8")
        partial = root / "package.argosmodel"
        _zip_folder(root, name, partial)
        os.replace(partial, destination)
    return destination


# --------------------------------------------------------------------------- #
# argostranslate's pipeline, reproduced with ctranslate2 + sentencepiece + spaCy
# --------------------------------------------------------------------------- #

# apply_packaged_translation() in argostranslate/translate.py (1.11), with
# translate() asking for one hypothesis and ARGOS_BEAM_SIZE defaulting to 4.
ARGOS_TRANSLATE_OPTIONS = dict(
    replace_unknowns=True,
    max_batch_size=32,  # ARGOS_BATCH_SIZE
    batch_type="tokens",
    beam_size=4,  # max(num_hypotheses=1, ARGOS_BEAM_SIZE=4)
    num_hypotheses=1,
    length_penalty=0.2,
    return_scores=True,
)


def extract_package(package_file: Path, dest_dir: Path) -> Path:
    """Unzip an .argosmodel into ``dest_dir`` and return the package folder."""
    with zipfile.ZipFile(package_file) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        if len(tops) != 1:
            raise ValueError(f"{package_file} must hold exactly one folder, found {sorted(tops)}")
        archive.extractall(dest_dir)
    return Path(dest_dir) / tops.pop()


class ArgosLikeTranslator:
    """argostranslate's ``translate(text, from, to)`` for one installed package folder.

    Paragraphs: ``text.split("\\n")``.  Sentences: the package's ``spacy/``
    pipeline loaded with ``exclude=["parser"]`` plus spaCy's rule-based
    ``sentencizer``; each sentence is ``sent.text`` (no trailing whitespace).
    Each paragraph's sentences are encoded with SentencePiece (pieces, no
    BOS/EOS) and translated in one ``translate_batch`` call with
    ``ARGOS_TRANSLATE_OPTIONS``; the output tokens of all the paragraph's
    sentences are concatenated and decoded at once with ``decode_pieces``,
    then "▁" and "_" become spaces and one leading space is dropped.
    Paragraphs are joined with "\\n" and leading newlines are stripped.
    """

    def __init__(self, package_dir: Path, *, compute_type: str = "float32", device: str = "cpu",
                 inter_threads: int = 1, intra_threads: int = 0):
        import ctranslate2
        import sentencepiece as spm

        self.package_dir = Path(package_dir)
        metadata = json.loads((self.package_dir / "metadata.json").read_text(encoding="utf-8"))
        self.target_prefix = metadata.get("target_prefix", "")
        self.translator = ctranslate2.Translator(str(self.package_dir / "model"), device=device,
                                                 inter_threads=inter_threads, intra_threads=intra_threads,
                                                 compute_type=compute_type)
        self.sentencepiece = spm.SentencePieceProcessor(model_file=str(self.package_dir / "sentencepiece.model"))
        self.nlp = _spacy().load(self.package_dir / "spacy", exclude=["parser"])
        self.nlp.add_pipe("sentencizer")

    def split_sentences(self, paragraph: str) -> list[str]:
        return [sentence.text for sentence in self.nlp(paragraph).sents]

    def translate_paragraph(self, paragraph: str) -> str:
        sentences = self.split_sentences(paragraph)
        tokenized = [self.sentencepiece.encode(sentence, out_type=str) for sentence in sentences]
        target_prefix = [[self.target_prefix]] * len(tokenized) if self.target_prefix else None
        results = self.translator.translate_batch(tokenized, target_prefix=target_prefix,
                                                  **ARGOS_TRANSLATE_OPTIONS)
        tokens = [token for result in results for token in result.hypotheses[0]]
        value = self.sentencepiece.decode_pieces(tokens).replace("\u2581", " ").replace("_", " ")
        if self.target_prefix and value.startswith(self.target_prefix):
            value = value[len(self.target_prefix):]
        if value[:1] == " ":
            value = value[1:]
        return value

    def translate(self, text: str) -> str:
        return "\n".join(self.translate_paragraph(p) for p in text.split("\n")).lstrip("\n")


def translate_like_argos(package_file: Path, texts: Sequence[str], work_dir: Path, *,
                         compute_type: str = "float32") -> list[str]:
    """What ``argos_translate_offline`` returns, computed in this process without argostranslate."""
    package_dir = extract_package(package_file, Path(work_dir))
    translator = ArgosLikeTranslator(package_dir, compute_type=compute_type)
    return [translator.translate(text) for text in texts]


# --------------------------------------------------------------------------- #
# argostranslate itself, offline, in a subprocess
# --------------------------------------------------------------------------- #

_OFFLINE_RESULT_MARKER = "TINY_ARGOS_RESULT "

# Runs in a fresh interpreter.  Everything but the result goes to stderr.
_OFFLINE_SCRIPT = r'''
import json, os, socket, sys
from pathlib import Path

ATTEMPTS = []

class NetworkBlocked(OSError):
    pass

def _refuse(what, detail):
    ATTEMPTS.append(f"{what} {detail}")
    print(f"tiny_argos: REFUSED network access: {what} {detail}", file=sys.stderr, flush=True)
    raise NetworkBlocked(f"network access is not allowed in this offline run: {what} {detail}")

_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

def connect(self, address):
    if self.family == getattr(socket, "AF_UNIX", None):
        return _connect(self, address)
    _refuse("socket.connect", repr(address))

def connect_ex(self, address):
    if self.family == getattr(socket, "AF_UNIX", None):
        return _connect_ex(self, address)
    _refuse("socket.connect_ex", repr(address))

def sendto(self, *args):
    if self.family == getattr(socket, "AF_UNIX", None):
        return _sendto(self, *args)
    _refuse("socket.sendto", repr(args[-1]))

socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.create_connection = lambda address, *a, **k: _refuse("socket.create_connection", repr(address))
socket.getaddrinfo = lambda host, *a, **k: _refuse("socket.getaddrinfo", repr(host))
socket.gethostbyname = lambda host: _refuse("socket.gethostbyname", repr(host))
socket.gethostbyname_ex = lambda host: _refuse("socket.gethostbyname_ex", repr(host))

# The environment points proxies at a dead local port so that any grandchild
# process fails too; in this process, ignore them so that a refusal names the
# real destination (requests and urllib read proxies via this function).
import urllib.request
urllib.request.getproxies = lambda: {}

request = json.loads(sys.stdin.read())
result_out = sys.stdout
sys.stdout = sys.stderr

# argostranslate.sbd runs networking.cache_spacy() at import when
# ARGOS_CHUNK_TYPE=SPACY; it downloads xx_sent_ud_sm unless
# <cache_dir>/spacy/senter/model exists.  Put a loadable blank pipeline there.
import spacy
spacy_cache = Path(os.environ["XDG_CACHE_HOME"]) / "argos-translate" / "spacy"
spacy_cache.mkdir(parents=True, exist_ok=True)
spacy.blank("xx").to_disk(spacy_cache)
(spacy_cache / "senter" / "model").mkdir(parents=True, exist_ok=True)

import argostranslate.package
import argostranslate.settings
import argostranslate.translate

argostranslate.package.install_from_path(Path(request["package_file"]))
packages = argostranslate.package.get_installed_packages()
translation = argostranslate.translate.get_translation_from_codes("ar", "en")
package_translation = getattr(translation, "underlying", translation)
sentencizer = package_translation.sentencizer
translations = [argostranslate.translate.translate(text, "ar", "en") for text in request["texts"]]
sentences = [[sentencizer.split_sentences(p) for p in text.split("\n")] for text in request["texts"]]
settings = argostranslate.settings
result = {
    "translations": translations,
    "sentences": sentences,
    "packages": [str(p.package_path) for p in packages],
    "packaged_sbd_path": str(package_translation.pkg.packaged_sbd_path),
    "sentencizer": type(sentencizer).__name__,
    "spacy_pipe_names": list(getattr(getattr(sentencizer, "nlp", None), "pipe_names", [])),
    "settings": {
        "chunk_type": settings.chunk_type.name, "beam_size": settings.beam_size,
        "compute_type": settings.compute_type, "device": settings.device,
        "batch_size": settings.batch_size, "inter_threads": settings.inter_threads,
        "intra_threads": settings.intra_threads, "cache_dir": str(settings.cache_dir),
        "package_data_dir": str(settings.package_data_dir),
    },
    "torch_imported": "torch" in sys.modules,
    "network_attempts": ATTEMPTS,
}
if ATTEMPTS:
    print("tiny_argos: network access was attempted (see REFUSED lines above)", file=sys.stderr)
    sys.exit(3)
result_out.write("@MARKER@" + json.dumps(result, ensure_ascii=False) + "\n")
result_out.flush()
'''.replace("@MARKER@", _OFFLINE_RESULT_MARKER)


class OfflineArgosError(RuntimeError):
    """The offline argostranslate subprocess failed (or tried to use the network)."""


@dataclass(frozen=True)
class ArgosOfflineRun:
    translations: list[str]
    sentences: list[list[list[str]]]  # per text, per "\n"-paragraph, argostranslate's sentences
    details: dict  # sentencizer, settings, installed package paths, ...
    stderr: str


def _offline_environment(work_dir: Path, compute_type: str, extra_env: dict | None) -> dict[str, str]:
    dropped_prefixes = ("ARGOS_", "XDG_", "LIBRETRANSLATE_", "OPENAI_")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(dropped_prefixes) and k not in ("SNAP", "SNAP_USER_DATA")}
    dead_proxy = "http://127.0.0.1:9"  # belt and braces for any grandchild process
    env.update({
        "HOME": str(work_dir / "home"),
        "XDG_DATA_HOME": str(work_dir / "xdg-data"),
        "XDG_CACHE_HOME": str(work_dir / "xdg-cache"),
        "XDG_CONFIG_HOME": str(work_dir / "xdg-config"),
        "ARGOS_PACKAGES_DIR": str(work_dir / "packages"),
        "ARGOS_CHUNK_TYPE": "SPACY",
        "ARGOS_COMPUTE_TYPE": compute_type,
        "ARGOS_DEVICE_TYPE": "cpu",
        "ARGOS_PACKAGE_INDEX": dead_proxy + "/",
        "HTTP_PROXY": dead_proxy, "HTTPS_PROXY": dead_proxy, "ALL_PROXY": dead_proxy,
        "http_proxy": dead_proxy, "https_proxy": dead_proxy, "all_proxy": dead_proxy,
        "NO_PROXY": "", "no_proxy": "",
        "PIP_NO_INDEX": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "PYTHONIOENCODING": "utf-8",
    })
    env.update(extra_env or {})
    return env


def run_argos_offline(package_file: Path, texts: Sequence[str], work_dir: Path, *,
                      compute_type: str = "float32", extra_env: dict[str, str] | None = None,
                      timeout: float = 600) -> ArgosOfflineRun:
    """Install ``package_file`` with argostranslate in a subprocess and translate ``texts`` ar->en.

    ``work_dir/packages`` (ARGOS_PACKAGES_DIR) is emptied first, so the
    package is the only one installed; HOME and the XDG folders also live
    under ``work_dir``.  The subprocess refuses every socket connection, UDP
    send and DNS lookup before importing anything else and exits with an
    error if anything tried (even if the caller caught the refusal).
    """
    package_file = Path(package_file).resolve()
    work_dir = Path(work_dir).resolve()
    packages_dir = work_dir / "packages"
    with zipfile.ZipFile(package_file) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
    for top in tops:
        _check_no_reserved_words(str(packages_dir / top), "installed package path")
    if packages_dir.exists():
        shutil.rmtree(packages_dir)
    for folder in ("home", "xdg-data", "xdg-cache", "xdg-config", "packages"):
        (work_dir / folder).mkdir(parents=True, exist_ok=True)
    request = json.dumps({"package_file": str(package_file), "texts": list(texts)}, ensure_ascii=False)
    completed = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT],
        input=request.encode("utf-8"), capture_output=True, cwd=work_dir, timeout=timeout,
        env=_offline_environment(work_dir, compute_type, extra_env),
    )
    stdout = completed.stdout.decode("utf-8", "replace")
    stderr = completed.stderr.decode("utf-8", "replace")
    results = [line[len(_OFFLINE_RESULT_MARKER):] for line in stdout.splitlines()
               if line.startswith(_OFFLINE_RESULT_MARKER)]
    if completed.returncode != 0 or len(results) != 1:
        raise OfflineArgosError(
            f"offline argostranslate run failed (exit code {completed.returncode}):\n"
            f"--- stderr ---\n{stderr[-6000:]}\n--- stdout ---\n{stdout[-2000:]}")
    details = json.loads(results[0])
    return ArgosOfflineRun(translations=details.pop("translations"), sentences=details.pop("sentences"),
                           details=details, stderr=stderr)


def argos_translate_offline(package_file: Path, texts: list[str], work_dir: Path, *,
                            compute_type: str = "float32", extra_env: dict[str, str] | None = None) -> list[str]:
    """``[argostranslate.translate.translate(t, "ar", "en") for t in texts]``, offline, in a subprocess."""
    return run_argos_offline(package_file, texts, work_dir, compute_type=compute_type,
                             extra_env=extra_env).translations
