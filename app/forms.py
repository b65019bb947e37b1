"""Web input: the base of every form (Flask-WTF: a CSRF token on each; no text that cannot be stored),
and the query-string rules every page shares."""
from __future__ import annotations

from flask import abort, request
from flask_wtf import FlaskForm

from .services.user_text import TEXT, forbidden_character_message, refusal

# Beyond any real list. A larger page number is an empty last page, never a number the database overflows on.
MAX_PAGE = 100_000


def page_number_arg() -> int:
    """The ?page= of a paged list, 1 to MAX_PAGE whatever was sent."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def refuse_unusable_query_strings() -> None:
    """Before every request: a query-string value carrying a character no engine can hold (NUL reaches
    PostgreSQL as an error) is a 400 naming the parameter, whatever the page or API route does with it."""
    for name, value in request.args.items(multi=True):
        message = forbidden_character_message(name) or forbidden_character_message(value)
        if message is not None:
            abort(400, f"The query parameter {name[:40]!r} {message}.")


class Form(FlaskForm):
    """A FlaskForm whose text fields refuse characters no engine or export can hold
    (services/user_text.py), with the message on the field like any other validation error. A subclass names
    the kind of text of its fields in TEXT_KINDS (PROSE, NAME…); the others are TEXT."""

    TEXT_KINDS: dict[str, str] = {}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
            for value in values:
                message = refusal(value, self.TEXT_KINDS.get(field.name, TEXT)) if isinstance(value, str) else None
                if message is not None:
                    field.errors = [*field.errors, f"The {field.label.text.lower() or field.name} {message}."]
                    valid = False
                    break
        return valid
