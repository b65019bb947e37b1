"""The one rule for text a user sends, whatever the field, the door (API, form, CLI) and the engine.

Every text is stored NFC, and none may carry a character that cannot be stored:
NUL cannot be stored by PostgreSQL at all, a lone surrogate cannot be encoded
as UTF-8, and the other C0 controls, U+FFFE and U+FFFF are not text: XML 1.0
cannot hold them, so an export would have to drop them. Tab, newline and
carriage return are text (a browser sends a textarea's newlines as CR LF; the
English is stored with LF, comments as sent).

Then, by kind of field (`refusal(text, kind)`):

- TEXT: any other free text (Arabic and English glossary forms, QA input): the above only.
- PROSE: the English of a paragraph, comments, approval reasons: also no byte order
  mark (U+FEFF), which is an invisible encoding artefact in the middle of text and
  which Moses and CoNLL files would carry raw.
- ENGLISH: PROSE, and it must hold a letter or a digit: what the QA check `empty`
  calls empty (blanks, punctuation, combining marks alone) is refused when it is saved.
- NAME: display names, usernames, label names: also no BOM and no bidirectional
  override, embedding or isolate control (U+202A–U+202E, U+2066–U+2069), which would
  let a name display as another ("photo" + U+202E + "gnp.exe" displays as "photoexe.png").

Refusing them where the text arrives (API, forms, CLI, services) keeps both engines and
every export format able to hold whatever was accepted.
"""
from __future__ import annotations

import re
import unicodedata

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BOM = re.compile("\ufeff")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# A letter or digit of any script (QA's `empty` check uses the same class).
WORD_CHARACTER = re.compile(r"[^\W_]")

TEXT, PROSE, ENGLISH, NAME = "text", "prose", "english", "name"
KINDS = (TEXT, PROSE, ENGLISH, NAME)


def _at(found: re.Match) -> str:
    return f"U+{ord(found.group()):04X} at character {found.start() + 1}"


def forbidden_character_message(text: str) -> str | None:
    """Why this text is refused ("… U+0000 at character 12"), or None when it may be stored."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    return f"contains a character that cannot be stored ({_at(found)})"


def refusal(text: str, kind: str = TEXT) -> str | None:
    """Why a text of this kind is refused, to follow "The <field> ", or None when it is accepted.

    Checked on the text as sent and as stored (NFC): normalisation never removes any of these.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of text {kind!r}")
    message = forbidden_character_message(text)
    if message is not None:
        return message
    if kind != TEXT and (found := BOM.search(text)) is not None:
        return f"contains a byte order mark ({_at(found)}), which is not text"
    if kind == NAME and (found := BIDI_CONTROLS.search(text)) is not None:
        return f"contains a bidirectional control character ({_at(found)}), which could disguise it"
    if kind == ENGLISH and text.strip() and WORD_CHARACTER.search(text) is None:
        return "has no letter or digit"
    return None


def nfc(text: str) -> str:
    """The stored form of a text that `refusal` accepted."""
    return unicodedata.normalize("NFC", text)
