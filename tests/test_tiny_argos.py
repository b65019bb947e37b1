"""The tiny Argos Translate package used as a test fixture (tests/support/tiny_argos.py)."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.support import tiny_argos
from tests.support.tiny_argos import (
    ArgosLikeTranslator,
    OfflineArgosError,
    argos_translate_offline,
    build_argos_package,
    extract_package,
    run_argos_offline,
    seed_sentences,
    target_token_allowed,
)

PACKAGE_FILES = {
    "README.md",
    "metadata.json",
    "sentencepiece.model",
    "model/config.json",
    "model/model.bin",
    "model/shared_vocabulary.json",
    "spacy/config.cfg",
    "spacy/meta.json",
    "spacy/tokenizer",
    "spacy/vocab/key2row",
    "spacy/vocab/lookups.bin",
    "spacy/vocab/strings.json",
    "spacy/vocab/vectors",
    "spacy/vocab/vectors.cfg",
}

# Three seed sentences, each a paragraph that is one sentence for spaCy's sentencizer.
SENTENCES = [line for line in seed_sentences() if len(line) > 60 and line.count(".") == 1][:3]
MULTI_SENTENCE = "وصل الرئيس إلى القاهرة. والتقى بالوزراء؟ ثم غادر! شكرا"
TEXTS = SENTENCES + [
    " ".join(SENTENCES[:2]),  # 3: two sentences in one paragraph
    SENTENCES[0] + "\n\n" + SENTENCES[1],  # 4: two paragraphs with an empty one between
    MULTI_SENTENCE,  # 5: four short sentences
    "\n" + MULTI_SENTENCE,  # 6: the same after an empty paragraph
    "",  # 7
    "   ",  # 8
]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def tiny_package(tmp_path_factory) -> Path:
    return build_argos_package(tmp_path_factory.mktemp("tiny-package"))


@pytest.fixture(scope="module")
def tiny_package_dir(tiny_package, tmp_path_factory) -> Path:
    return extract_package(tiny_package, tmp_path_factory.mktemp("tiny-extracted"))


def test_build_is_fast_and_the_zip_has_one_package_folder(tmp_path):
    started = time.perf_counter()
    package = build_argos_package(tmp_path)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, f"building the tiny package took {elapsed:.1f} s"

    assert package == tmp_path / "translate-ar_en-tiny-1.0.argosmodel"
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        assert {name.split("/", 1)[0] for name in names} == {"translate-ar_en-tiny"}
        files = {name.split("/", 1)[1] for name in names if not name.endswith("/")}
        assert files == PACKAGE_FILES
        metadata = json.loads(archive.read("translate-ar_en-tiny/metadata.json"))
        config = json.loads(archive.read("translate-ar_en-tiny/model/config.json"))
        vocabulary = json.loads(archive.read("translate-ar_en-tiny/model/shared_vocabulary.json"))
    assert metadata["from_code"] == "ar" and metadata["to_code"] == "en"
    assert metadata["from_name"] == "Arabic" and metadata["to_name"] == "English"
    assert metadata["type"] == "translate"
    assert metadata["name"] == "translate-ar_en-tiny" and metadata["package_version"] == "1.0"
    assert vocabulary[:4] == ["<blank>", "<s>", "</s>", "<unk>"]
    assert len(vocabulary) == len(set(vocabulary)) == 501  # 500 pieces, minus <s> </s>, plus 3
    assert (config["unk_token"], config["bos_token"], config["eos_token"]) == ("<unk>", "<s>", "</s>")
    assert any(target_token_allowed(token) and token != "</s>" for token in vocabulary)


def test_vocab_size_is_lowered_for_a_small_corpus(tmp_path):
    corpus = ["مرحبا بكم في الأخبار", "قال الوزير إن المحادثات ستستمر"]
    package = build_argos_package(tmp_path, corpus=corpus, vocab_size=5000)
    with zipfile.ZipFile(package) as archive:
        vocabulary = json.loads(archive.read("translate-ar_en-tiny/model/shared_vocabulary.json"))
    assert 100 < len(vocabulary) < 5000


def test_reserved_words_are_refused(tmp_path):
    with pytest.raises(ValueError, match="spacy"):
        build_argos_package(tmp_path, name="translate-ar_en-SpaCy")


def test_builds_are_byte_identical(tmp_path):
    first = build_argos_package(tmp_path / "a")
    second = build_argos_package(tmp_path / "b")
    other_seed = build_argos_package(tmp_path / "c", seed=1)

    def model_bin(package: Path) -> bytes:
        with zipfile.ZipFile(package) as archive:
            return archive.read("translate-ar_en-tiny/model/model.bin")

    assert _sha256(model_bin(first)) == _sha256(model_bin(second))
    assert _sha256(first.read_bytes()) == _sha256(second.read_bytes())  # the whole zip too
    assert _sha256(model_bin(first)) != _sha256(model_bin(other_seed))


def test_building_does_not_import_torch_or_argostranslate(tmp_path):
    code = (
        "import sys; from pathlib import Path; from tests.support.tiny_argos import build_argos_package; "
        f"build_argos_package(Path({str(tmp_path)!r})); "
        "print(sorted(m for m in ('torch', 'argostranslate') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tiny_argos.MAIN_DIR).stdout
    assert out.strip() == "[]"


def _translate_with_ctranslate2(package_dir: Path, sentences: list[str]) -> list[list[str]]:
    import ctranslate2
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(package_dir / "sentencepiece.model"))
    translator = ctranslate2.Translator(str(package_dir / "model"), device="cpu", compute_type="float32")
    source = [processor.encode(sentence, out_type=str) for sentence in sentences]
    assert all(source) and all("<unk>" not in tokens for tokens in source)
    results = translator.translate_batch(source, beam_size=4, length_penalty=0.2, max_decoding_length=64)
    return [result.hypotheses[0] for result in results]


def test_ctranslate2_loads_the_model_and_translates_deterministically(tiny_package_dir):
    first = _translate_with_ctranslate2(tiny_package_dir, SENTENCES)
    second = _translate_with_ctranslate2(tiny_package_dir, SENTENCES)
    assert first == second
    for tokens in first:
        assert 0 < len(tokens) < 64  # the </s> clock ends decoding
        assert all(target_token_allowed(token) for token in tokens)
    assert len({tuple(tokens) for tokens in first}) == len(first)  # the output depends on the input


def test_spacy_sentencizer_splitting(tiny_package_dir):
    translator = ArgosLikeTranslator(tiny_package_dir)
    assert translator.split_sentences(MULTI_SENTENCE) == ["وصل الرئيس إلى القاهرة.", "والتقى بالوزراء؟", "ثم غادر!", "شكرا"]
    split = translator.split_sentences
    # Arabic comma and semicolon, decimals, "..." and "U.S." do not end sentences.
    assert split("قال، ثم سكت؛ نسبة 3.5 بالمئة. انتظر... U.S. هنا") == ["قال، ثم سكت؛ نسبة 3.5 بالمئة.", "انتظر... U.S. هنا"]
    # Punctuation after the stop stays with the sentence; so does a leading space.
    assert split(' قال: "انتهى." ثم؟! نعم') == [' قال: "انتهى."', "ثم؟!", "نعم"]
    # A stop glued to the next word is one token: no split.
    assert split("القاهرة.والتقى") == ["القاهرة.والتقى"]
    # Extra whitespace after a stop is a token of its own and starts the next "sentence".
    assert split("أ.  ب") == ["أ.", " ب"]
    assert split("أ.  ") == ["أ.", " "]
    assert split("") == []


def test_argostranslate_offline_is_deterministic_and_matches_the_direct_pipeline(tiny_package, tmp_path):
    first = run_argos_offline(tiny_package, TEXTS, tmp_path / "run1")
    second = argos_translate_offline(tiny_package, TEXTS, tmp_path / "run2")
    assert first.translations == second

    english = first.translations
    for text in english[:3]:
        assert text and text.isascii() and text == text.strip()
    assert len(set(english[:3])) == 3
    # Sentences of a paragraph: their output tokens are concatenated and decoded
    # together, so a space appears only if the next sentence's output begins with "▁".
    assert english[3] in (english[0] + " " + english[1], english[0] + english[1])
    # Paragraphs ("\n"): translated separately, joined with "\n", leading "\n" stripped.
    assert english[4].split("\n") == [english[0], "", english[1]]
    assert english[6] == english[5]
    assert english[7:] == ["", ""]  # empty and blank text

    # argostranslate's sentence splitting with the blank xx pipeline + sentencizer
    assert first.details["sentencizer"] == "SpacySentencizerSmall"
    assert first.details["spacy_pipe_names"] == ["sentencizer"]
    assert first.details["packaged_sbd_path"].endswith("/translate-ar_en-tiny/spacy")
    assert first.sentences[3] == [SENTENCES[:2]]
    assert first.sentences[6] == [[], ["وصل الرئيس إلى القاهرة.", "والتقى بالوزراء؟", "ثم غادر!", "شكرا"]]
    assert first.sentences[8] == [["   "]]  # a blank "sentence": encoded as no pieces, translated as ""
    settings = first.details["settings"]
    assert (settings["chunk_type"], settings["beam_size"], settings["compute_type"]) == ("SPACY", 4, "float32")
    assert first.details["network_attempts"] == []

    # ctranslate2 + sentencepiece + spaCy in this process give exactly the same text.
    assert tiny_argos.translate_like_argos(tiny_package, TEXTS, tmp_path / "direct") == first.translations
    assert "argostranslate" not in sys.modules


def test_the_offline_run_fails_loudly_on_network_access(tiny_package, tmp_path):
    # With the default chunk type, a package without stanza/ or minisbd/ is split
    # with MiniSBD, which downloads its model at the first translation.
    with pytest.raises(OfflineArgosError, match="REFUSED network access"):
        run_argos_offline(tiny_package, SENTENCES[:1], tmp_path, extra_env={"ARGOS_CHUNK_TYPE": "DEFAULT"})


def test_base_size_model(tmp_path):
    started = time.perf_counter()
    package = build_argos_package(tmp_path, encoder_layers=6, decoder_layers=6, width=512, heads=8)
    build_seconds = time.perf_counter() - started
    package_dir = extract_package(package, tmp_path / "extracted")
    model_bin = package_dir / "model" / "model.bin"
    assert 100e6 < model_bin.stat().st_size < 160e6
    outputs = _translate_with_ctranslate2(package_dir, SENTENCES[:2])
    assert all(0 < len(tokens) < 64 for tokens in outputs)
    assert outputs[0] != outputs[1]
    print(f"base-size build {build_seconds:.1f} s, model.bin {model_bin.stat().st_size:,} bytes")
