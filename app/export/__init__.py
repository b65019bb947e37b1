"""The export page: admins and corpus users choose a format and filters, then download from the API.

The page only checks the choice (and says how many paragraphs match); the
download itself is `GET /api/v1/export/<format>`, the stream scripts use too.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..api.export import release_response
from ..errors import flash_refusals
from ..forms import Form
from ..services import export as export_service
from ..services import labels as label_service
from ..services import users as user_service

bp = Blueprint("export", __name__)

FORMAT_CHOICES = [
    SelectChoice("jsonl", "JSONL — a record a line: texts, drafts, entities, links, QA, effort"),
    SelectChoice("tmx", "TMX 1.4 — translation memory"),
    SelectChoice("xliff2", "XLIFF 2.0"),
    SelectChoice("xliff12", "XLIFF 1.2"),
    SelectChoice("conll", "CoNLL (IOB2) — one file per language"),
    SelectChoice("moses", "Moses plain text — one file per language"),
]
SIDE_CHOICES = [SelectChoice("", "Arabic and English in one zip (moses, conll); one-file formats: the file"),
                SelectChoice("ar", "Arabic only"), SelectChoice("en", "English only"),
                SelectChoice("mt", "Machine drafts only (moses)")]


class _Filters(Form):
    """Which paragraphs: the filters the export and the release share (the CLI's and the API's)."""

    status = SelectField("Paragraphs", default="approved", choices=[
        SelectChoice("approved", "Approved, with their approved English"),
        SelectChoice("any", "Every translated paragraph, with its current English"),
    ])
    kind = SelectField("Kinds", default="text", choices=[
        SelectChoice("text", "Titles and body text"), SelectChoice("all", "Also captions and photo credits"),
    ])
    article = StringField("Article ids (optional, comma-separated)", validators=[
        Optional(), Regexp(r"^\s*\d{1,18}(\s*,\s*\d{1,18})*\s*$", message="Article ids are numbers separated by commas."),
    ])
    published_from = DateField("Published from", validators=[Optional()])
    published_to = DateField("Published to", validators=[Optional()])
    approved_from = DateField("Approved from", validators=[Optional()])
    approved_to = DateField("Approved to", validators=[Optional()])
    reviewer = SelectField("Reviewer", default="")
    labels = SelectMultipleField("Entity labels (none ticked: all)", option_widget=CheckboxInput(),
                                 widget=ListWidget(prefix_label=False))
    split_clitics = BooleanField("CoNLL: split the proclitics و ف ب ل ك before ال")

    def with_choices(self):
        self.reviewer.choices = [SelectChoice("", "— anyone —")] + [
            SelectChoice(u.username, f"{u.display_name} ({u.username})")
            for u in user_service.list_users() if u.may_review
        ]
        self.labels.choices = [SelectChoice(label.name) for label in label_service.list_labels(include_retired=True)]
        return self

    def filters(self) -> dict:
        """The form as the API's query parameters."""
        data = {
            "status": self.status.data, "kind": self.kind.data, "reviewer": self.reviewer.data or None,
            "labels": ",".join(self.labels.data or ()) or None,
            "article": [int(i) for i in (self.article.data or "").replace(" ", "").split(",") if i],
            "split_clitics": "true" if self.split_clitics.data else None,
        }
        for name in ("published_from", "published_to", "approved_from", "approved_to"):
            data[name] = getattr(self, name).data
        return data


class ExportForm(_Filters):
    """A GET form that changes nothing (the download is a read), so it carries no CSRF token."""

    class Meta:
        csrf = False

    format = SelectField("Format", choices=FORMAT_CHOICES, default="jsonl", validate_choice=False)  # validate_format
    side = SelectField("Files (moses, conll)", choices=SIDE_CHOICES, default="", validate_choice=True)

    def validate_format(self, field):
        if field.data not in export_service.FORMATS:
            raise ValidationError(f"Unknown format {str(field.data)[:40]!r}: choose one of "
                                  f"{', '.join(export_service.FORMATS)}.")

    def validate_side(self, field):
        if self.format.data not in export_service.FORMATS:
            return  # the format's own error says it
        sides = export_service.sides_of(self.format.data)
        if sides != ("",) and field.data and field.data not in sides:
            raise ValidationError(f"{self.format.data} writes one file per side: choose {' or '.join(sides)}, "
                                  "or both in one zip.")
        if sides == ("",) and field.data:
            raise ValidationError(f"{self.format.data} is a single file: leave this empty.")

    def filters(self) -> dict:
        return {**super().filters(), "side": self.side.data or None}


class ReleaseForm(_Filters):
    """A corpus release (`flask --app wsgi release`): the filters, the split, the seed, a name and a version.
    A POST with a CSRF token, answered with the zip."""

    split = StringField("Split train/dev/test (percentages of paragraphs, by article)", default="80/10/10",
                        validators=[InputRequired(), Length(max=40)])
    seed = IntegerField("Seed (the same seed gives the same split)", default=0,
                        validators=[InputRequired(), NumberRange(min=0, max=2**63 - 1,
                                                                 message="The seed is a whole number, 0 or more.")])
    name = StringField("Name", default="mizan-corpus", validators=[InputRequired(), Length(max=64)])
    version = StringField("Version", default="1.0.0", validators=[InputRequired(), Length(max=40)])

    def release_args(self) -> dict:
        """The form as the API's release query, parsed."""
        filters = self.filters()
        return {**filters, "split_clitics": bool(filters["split_clitics"]), "split": self.split.data,
                "seed": self.seed.data, "name": self.name.data, "version": self.version.data}


@bp.before_request
def require_export_rights():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.may_export:
        abort(403)


@bp.route("/")
def export_page():
    form = ExportForm(request.args).with_choices()
    matching, problem = None, None
    if request.args and form.validate():
        filters = form.filters()
        with flash_refusals(quiet=True) as attempt:
            matching = export_service.count(export_service.selection_from(filters))
        problem = str(attempt.refusal) if attempt.refusal else None
        if attempt.ok:
            if "download" in request.args:
                query = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
                return redirect(url_for("api.export_corpus", fmt=form.format.data, **query))
    return render_template("export/index.html", form=form, matching=matching, problem=problem)


@bp.route("/release", methods=["GET", "POST"])
def release_page():
    """The release form; a valid POST answers the release's zip (the bytes of the CLI's FOLDER.zip and the API's)."""
    form = ReleaseForm().with_choices()
    problem = None
    if form.validate_on_submit():
        with flash_refusals(quiet=True) as attempt:
            response = release_response(form.release_args())
        if attempt.ok:
            return response
        problem = str(attempt.refusal)
    status = 422 if request.method == "POST" else 200
    return render_template("export/release.html", form=form, problem=problem), status
