"""Characters no text a user sends may carry, whatever the field and the engine.

NUL cannot be stored by PostgreSQL at all, a lone surrogate cannot be encoded
as UTF-8, and the other C0 controls, U+FFFE and U+FFFF are not text: XML 1.0
cannot hold them, so an export would have to drop them. Refusing them where the
text arrives (API, forms, CLI, services) keeps both engines and every export
format able to hold whatever was accepted. Tab, newline and carriage return are
text (a browser sends a textarea's newlines as CR LF).
"""
from __future__ import annotations

import re

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def forbidden_character_message(text: str) -> str | None:
    """Why this text is refused ("… U+0000 at character 12"), or None when it may be stored."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    return f"contains a character that cannot be stored (U+{ord(found.group()):04X} at character {found.start() + 1})"
