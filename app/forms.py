"""The base of every web form: Flask-WTF (a CSRF token on each) and no text that cannot be stored."""
from __future__ import annotations

from flask_wtf import FlaskForm

from .services.user_text import forbidden_character_message


class Form(FlaskForm):
    """A FlaskForm whose text fields refuse characters no engine or export can hold
    (services/user_text.py), with the message on the field like any other validation error."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
            for value in values:
                message = forbidden_character_message(value) if isinstance(value, str) else None
                if message is not None:
                    field.errors = [*field.errors, f"The {field.label.text.lower() or field.name} {message}."]
                    valid = False
                    break
        return valid
