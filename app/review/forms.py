"""Reviewer forms (Flask-WTF: every one carries a CSRF token). Editing itself goes through the JSON API."""
from wtforms import HiddenField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form
from ..models import MAX_ID
from ..services.user_text import PROSE
from ..services.workflow import MAX_COMMENT_CHARS


class CommentForm(Form):
    TEXT_KINDS = {"body": PROSE}
    body = TextAreaField("Comment", validators=[DataRequired("Write something first."), Length(max=MAX_COMMENT_CHARS)])
    paragraph_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)], render_kw={"hidden": True})
    submit = SubmitField("Comment")


class TransitionForm(Form):
    TEXT_KINDS = {"comment": PROSE}
    to = HiddenField(validators=[DataRequired()])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=MAX_COMMENT_CHARS)])


class RestoreForm(Form):
    version = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)], render_kw={"hidden": True})
    submit = SubmitField("Restore this text")
