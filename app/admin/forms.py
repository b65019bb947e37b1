"""Admin forms (Flask-WTF: every one carries a CSRF token)."""
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (DateField, HiddenField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField,
                     SubmitField)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, ValidationError

from ..forms import Form
from ..models import ROLES
from ..services.glossary import MAX_SIDE_CHARS, side_refusal
from ..services.user_text import NAME, PROSE
from ..services.users import MAX_DISPLAY_NAME, MIN_PASSWORD_LENGTH


class ImportForm(Form):
    files = MultipleFileField("Article files (.txt, UTF-8)", validators=[FileRequired("Choose at least one file.")],
                              render_kw={"accept": ".txt,text/plain", "multiple": True})
    submit = SubmitField("Import")


class ModelUploadForm(Form):
    package = FileField("Argos package (.argosmodel)", validators=[FileRequired("Choose a package file.")],
                        render_kw={"accept": ".argosmodel,application/zip"})
    submit = SubmitField("Install model")


class UserCreateForm(Form):
    TEXT_KINDS = {"username": NAME, "display_name": NAME}
    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=64)],
                           render_kw={"autocomplete": "off"})
    display_name = StringField("Display name", validators=[Optional(), Length(max=MAX_DISPLAY_NAME)])
    role = SelectField("Role", choices=[SelectChoice(r) for r in ROLES], default="reviewer")
    password = PasswordField(f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
                             validators=[InputRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", "Passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Create user")


class PasswordResetForm(Form):
    password = PasswordField(f"New password (at least {MIN_PASSWORD_LENGTH} characters)",
                             validators=[InputRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", "Passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set password")


class ConfirmForm(Form):
    """A button that changes something: only the CSRF token to check."""

    submit = SubmitField("Confirm")


class AssignForm(Form):
    reviewer = SelectField("Reviewer", validators=[DataRequired("Choose a reviewer.")])
    second_reviewer = SelectField("Second reviewer (optional)", default="")
    # Double annotation (issue 18): a second person annotates the article independently of the reviewer.
    independent = SelectField("Independent annotator (optional: double annotation)", default="")
    due = DateField("Due date (optional)", validators=[Optional()])
    submit = SubmitField("Save assignment")

    def validate_second_reviewer(self, field):
        """Said beside the control, before anyone is assigned (the service refuses the pair too)."""
        if field.data and field.data == self.reviewer.data:
            raise ValidationError("The reviewer and the second reviewer must be different people; nothing was assigned.")

    def validate_independent(self, field):
        """Said beside the control (the service refuses it too)."""
        if field.data and field.data in (self.reviewer.data, self.second_reviewer.data):
            raise ValidationError("The independent annotator is neither the reviewer nor the second reviewer; "
                                  "nothing was assigned.")


class BulkForm(Form):
    """The admin list's bulk actions: the selected articles (checkboxes named `articles`), and what to do."""

    articles = SelectMultipleField("Articles", coerce=int, validate_choice=False,
                                   validators=[DataRequired("Select at least one article.")])
    action = SelectField("Action", choices=[SelectChoice("assign", "Assign"), SelectChoice("translate", "Translate")],
                         validators=[DataRequired()])
    reviewer = SelectField("Assign to reviewer", default="", validate_choice=False)
    second_reviewer = SelectField("Second reviewer (optional)", default="", validate_choice=False)
    due = DateField("Due date (optional)", validators=[Optional()])


class LabelForm(Form):
    TEXT_KINDS = {"name": NAME}
    name = StringField("Name (capitals, e.g. GPE)", validators=[DataRequired(), Length(max=32)])
    colour = StringField("Colour", validators=[DataRequired(), Length(max=16)], default="#1f77b4",
                         render_kw={"type": "color"})
    hotkey = StringField("Hotkey (one letter or digit, optional)", validators=[Optional(), Length(max=1)])
    submit = SubmitField("Save label")


class GlossaryTermForm(Form):
    TEXT_KINDS = {"ar": PROSE, "en": PROSE}
    ar = StringField("Arabic form", validators=[DataRequired(), Length(max=MAX_SIDE_CHARS)],
                     render_kw={"dir": "rtl", "lang": "ar", "autocomplete": "off"})
    en = StringField("English form", validators=[DataRequired(), Length(max=MAX_SIDE_CHARS)],
                     render_kw={"autocomplete": "off"})
    label = SelectField("Label", validators=[DataRequired()])
    submit = SubmitField("Save term")

    # The glossary's own rules (an Arabic letter in the Arabic, no number, at most MAX_SIDE_CHARS), said beside
    # the field rather than above the page.
    def validate_ar(self, field):
        _check_side(field, "Arabic")

    def validate_en(self, field):
        _check_side(field, "English")


def _check_side(field, what: str) -> None:
    if field.errors or not field.data:  # already said: too long, or empty
        return
    if (refusal := side_refusal(field.data, what)) is not None:
        raise ValidationError(refusal)


class TmxUploadForm(Form):
    """A TMX file to import into the translation memory (services/translation_memory.import_tmx)."""

    tmx = FileField("TMX file (.tmx, TMX 1.4, Arabic and English)", validators=[FileRequired("Choose a TMX file.")],
                    render_kw={"accept": ".tmx,application/x-tmx+xml,application/xml,text/xml"})
    name = StringField("Memory name (optional: the file's name without .tmx)", validators=[Optional(), Length(max=200)],
                       render_kw={"autocomplete": "off"})
    submit = SubmitField("Import")


class MemoryRemoveForm(Form):
    name = HiddenField(validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Remove")
