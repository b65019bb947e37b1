"""Marshmallow schemas: they validate requests and generate the OpenAPI document."""
from typing import cast

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from ..models import (MAX_ID, ARTICLE_STATUSES, ASSIGNMENT_ROLES, JOB_STATUSES, NOTIFICATION_KINDS, PARAGRAPH_KINDS,
                      PARAGRAPH_STATUSES)
from ..services.export import KINDS as EXPORT_KINDS
from ..services.export import STATUSES as EXPORT_STATUSES
from ..services.export import release
from ..services import user_text
from ..services.user_text import forbidden_character_message

MAX_PAGE = 1_000_000


# A character of text that may be stored (services/user_text.py), for the document: every string a client
# sends carries this pattern, so that clients and generated tests know the rule RequestSchema enforces.
# Lone surrogates, refused too, are left out of it: JSON text is Unicode, and schemathesis (4.32) stops
# honouring a negated class that also names the surrogate range.
STORABLE = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]"
STORABLE_PATTERN = f"^{STORABLE}*$"
# A storable character that is also not white space (see NOT_BLANK).
STORABLE_NOT_BLANK = ("[^\\x00-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
                      "\\ufffe\\uffff]")


# What the rule for each kind of text (services/user_text.py) adds to STORABLE, for the document.
NO_BOM = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufeff\\ufffe\\uffff]"
NAME_CHARACTER = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\u202a-\\u202e\\u2066-\\u2069\\ufeff\\ufffe\\uffff]"
PATTERN_OF_KIND = {user_text.PROSE: f"^{NO_BOM}*$", user_text.NAME: f"^{NAME_CHARACTER}*$"}


class UserText(validate.Validator):
    """The text rule of services/user_text.py for one kind of field (PROSE, ENGLISH, NAME)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, value: str) -> str:
        message = user_text.refusal(value, self.kind)
        if message is not None:
            raise ValidationError(f"The value {message}.")
        return value


def text_field(kind: str, **kwargs) -> fields.String:
    """A string field that follows the text rule of its kind, with the rule's pattern in the document."""
    validators = list(kwargs.pop("validate", []) or [])
    metadata = kwargs.pop("metadata", {})
    if kind in PATTERN_OF_KIND:
        metadata.setdefault("pattern", PATTERN_OF_KIND[kind])
    return fields.String(validate=[UserText(kind), *validators], metadata=metadata, **kwargs)


class RequestSchema(Schema):
    """What a client sends: no string anywhere in it may carry a character that cannot be stored
    (services/user_text.py); a 422 names each field that does, before any field is validated."""

    @pre_load
    def _refuse_forbidden_characters(self, data, **kwargs):
        errors: dict = {}
        for path, value in _strings(data, ()):
            message = forbidden_character_message(value)
            if message is not None:
                errors[".".join(map(str, path)) or "_schema"] = [f"The value {message}."]
        if errors:
            raise ValidationError(errors)
        return data


def _strings(value, path):
    """(path, string) for every string in a request body or query: keys and values, nested."""
    if isinstance(value, str):
        yield path, value
    elif hasattr(value, "items"):  # a JSON object, or the query's multi-dict
        for key, item in value.items():
            if isinstance(key, str):
                yield path + (key,), key
            yield from _strings(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Machine-readable error code, e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    details = fields.Dict(metadata={"description": "Per-field validation errors, when there are any"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class PageArgsSchema(RequestSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ArticleSummarySchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    published = fields.Date(allow_none=True, required=True, metadata={"description": "ISO date, or null"})
    source = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(ARTICLE_STATUSES))
    paragraph_count = fields.Integer(required=True)


class ParagraphSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PARAGRAPH_KINDS))
    ar = fields.String(required=True, metadata={"description": "Arabic text, Unicode NFC"})
    version = fields.Integer(required=True, metadata={"description": "Optimistic-lock version of the paragraph"})
    status = fields.String(required=True, validate=validate.OneOf(PARAGRAPH_STATUSES))
    approved_revision_id = fields.Integer(allow_none=True, required=True,
                                          metadata={"description": "The revision that was current when last approved"})


class MachineDraftSchema(Schema):
    text = fields.String(required=True)
    model_id = fields.String(required=True, metadata={"description": "Package name@version+sha256 prefix"})


class CurrentTranslationSchema(Schema):
    text = fields.String(required=True)
    revision_id = fields.Integer(required=True)
    origin = fields.String(required=True, validate=validate.OneOf(["machine", "human", "tm"]))


class ParagraphDetailSchema(ParagraphSchema):
    machine = fields.Nested(MachineDraftSchema, allow_none=True, required=True,
                            metadata={"description": "The newest machine draft, or null"})
    translation = fields.Nested(CurrentTranslationSchema, allow_none=True, required=True,
                                metadata={"description": "The current English, or null"})
    entities = fields.List(fields.Nested("EntitySchema"), required=True,
                           metadata={"description": "Arabic entities and the current English revision's"})
    links = fields.List(fields.Nested("LinkSchema"), required=True)
    qa = fields.List(fields.Nested("QAFindingSchema"), required=True,
                     metadata={"description": "QA findings of the current English"})


class ArticleDetailSchema(ArticleSummarySchema):
    paragraphs = fields.List(fields.Nested(ParagraphDetailSchema), required=True)


class JobCreatedSchema(Schema):
    job_id = fields.Integer(required=True)


class JobSchema(Schema):
    id = fields.Integer(required=True)
    article_id = fields.Integer(required=True)
    model_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(JOB_STATUSES))
    done = fields.Integer(required=True, metadata={"description": "Paragraphs with a draft from this model"})
    total = fields.Integer(required=True, metadata={"description": "Paragraphs in the article"})
    error = fields.String(allow_none=True, required=True)
    attempts = fields.Integer(required=True, metadata={"description": "Times a worker has taken the job"})
    lease_expires_at = fields.DateTime(allow_none=True, required=True, metadata={
        "description": "While running: when the job goes back to the queue unless its worker renews the lease"})
    worker_lost = fields.Boolean(required=True, metadata={
        "description": "Running, but its worker stopped renewing the lease (killed, machine lost): "
                       "the job goes back to the queue within a minute"})


class ArticleListSchema(Schema):
    articles = fields.List(fields.Nested(ArticleSummarySchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class AssignmentRequestSchema(RequestSchema):
    username = text_field(user_text.NAME, required=True, validate=[validate.Length(min=1, max=64)])
    role = fields.String(load_default="reviewer", validate=validate.OneOf(ASSIGNMENT_ROLES))
    due = fields.Date(load_default=None, allow_none=True)


class AssignmentSchema(Schema):
    article_id = fields.Integer(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ASSIGNMENT_ROLES))
    due = fields.Date(allow_none=True, required=True)
    assigned_by = fields.String(allow_none=True, required=True)
    assigned_at = fields.DateTime(required=True)
    article_status = fields.String(required=True, validate=validate.OneOf(ARTICLE_STATUSES))


# Review: saving, approving, history, workflow, comments ------------------------

VERSION_FIELD = fields.Integer(
    required=True, strict=True, validate=validate.Range(min=1, max=2**63 - 1),
    metadata={"description": "The paragraph version the change is based on (optimistic lock)"},
)
SECONDS_FIELD = fields.Float(
    load_default=None, allow_none=True, validate=validate.Range(min=0, max=86400), allow_nan=False,
    metadata={"description": "Seconds spent editing since the last save (post-editing effort); capped at 3600"},
)


# Some character that is white space neither for Python's str.strip() nor for
# JSON Schema's (ECMAScript) \s: a text without one is blank to one of them.
NOT_BLANK = r"[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"


class TranslationSaveSchema(RequestSchema):
    text = text_field(
        user_text.ENGLISH,
        required=True,
        validate=[validate.Length(max=20_000, error="The English can be at most 20,000 characters."), validate.Regexp(rf"[\s\S]*{NOT_BLANK}", error="The English cannot be empty.")],
        metadata={"description": "The English, 1 to 20,000 characters, not blank; stored NFC without surrounding white space",
                  # a letter or digit (Python's and the service's [^\W_]) among characters that are not a BOM
                  "pattern": f"^{NO_BOM}*[^\\W_]{NO_BOM}*$"},
    )
    version = VERSION_FIELD
    seconds = SECONDS_FIELD
    origin = fields.String(load_default="human", validate=validate.OneOf(
        ["human", "tm"], error="origin must be 'human' or 'tm'."), metadata={"description": (
            "`tm` when the text is a translation-memory match's English (GET /paragraphs/<id>/matches) inserted "
            "and saved unchanged; refused (422) if it is not the English of a unit of the memory. Default "
            "`human`: typed, or a match edited after it was inserted")})


class ArticleStateSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ARTICLE_STATUSES))
    approved = fields.Integer(required=True, metadata={"description": "Paragraphs approved now"})
    total = fields.Integer(required=True, metadata={"description": "Paragraphs of the article"})
    edited = fields.Integer(required=True, metadata={"description": "Paragraphs edited, not approved"})
    draft = fields.Integer(required=True, metadata={"description": "Paragraphs still a draft"})
    transitions = fields.List(fields.String(validate=validate.OneOf(ARTICLE_STATUSES)), required=True, metadata={
        "description": "The statuses this user may move the article to now (POST .../transitions with `to`)"})


ARTICLE_STATE = {"description": "The article after this change: status, counts and the transitions allowed now"}


class SavedTranslationSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "The paragraph's new version"})
    revision_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PARAGRAPH_STATUSES))
    created = fields.Boolean(required=True, metadata={"description": "False when the text was already current"})
    entities_lost = fields.Integer(required=True, metadata={"description": "English entities whose text the edit removed"})
    qa = fields.List(fields.Nested("QAFindingSchema"), required=True)
    article = fields.Nested(ArticleStateSchema, required=True, metadata=ARTICLE_STATE)


class EditConflictSchema(ErrorSchema):
    version = fields.Integer(required=True, metadata={"description": "The paragraph's current version"})
    text = fields.String(allow_none=True, required=True, metadata={"description": "The current English"})
    revision_id = fields.Integer(allow_none=True, required=True)
    status = fields.String(allow_none=True, required=True, validate=validate.OneOf(PARAGRAPH_STATUSES),
                           metadata={"description": "The paragraph's current status"})
    origin = fields.String(allow_none=True, required=True, validate=validate.OneOf(["machine", "human", "tm"]),
                           metadata={"description": "Who made the current English: the machine or a person"})
    author = fields.String(allow_none=True, required=True,
                           metadata={"description": "Display name of the current English's author; null for a machine draft"})


class VersionSchema(RequestSchema):
    version = VERSION_FIELD


class ApproveSchema(RequestSchema):
    version = VERSION_FIELD
    seconds = SECONDS_FIELD
    override_reason = text_field(
        user_text.PROSE, load_default=None, allow_none=True, validate=[validate.Length(max=2000)],
        metadata={"description": "Why approve despite blocking QA warnings"},
    )


class ParagraphStateSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PARAGRAPH_STATUSES))
    approved_revision_id = fields.Integer(allow_none=True, required=True)
    article = fields.Nested(ArticleStateSchema, required=True, metadata=ARTICLE_STATE)


class OverrideSchema(Schema):
    by = fields.String(required=True, metadata={"description": "Display name of the reviewer who overrode QA"})
    at = fields.DateTime(required=True)
    reason = fields.String(required=True)


class ApprovalSchema(ParagraphStateSchema):
    char_edit_distance = fields.Integer(allow_none=True, required=True,
                                        metadata={"description": "Levenshtein distance machine draft → approved"})
    hter = fields.Float(allow_none=True, required=True, metadata={"description": "TER of the machine draft against the approved English"})
    seconds_spent = fields.Integer(allow_none=True, required=True)
    override = fields.Nested(OverrideSchema, allow_none=True, required=True, metadata={
        "description": "Who approved despite blocking QA findings, when and why; null without an override"})


class ParagraphVersionSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PARAGRAPH_STATUSES))


class UndoStackSchema(Schema):
    undo = fields.Integer(required=True, metadata={"description": "Actions this user can still undo here"})
    redo = fields.Integer(required=True, metadata={"description": "Actions this user can redo here"})


class LiveArticleStateSchema(ArticleStateSchema):
    paragraphs = fields.List(fields.Nested(ParagraphVersionSchema), required=True,
                             metadata={"description": "Each paragraph's version and status, in reading order"})
    overrides = fields.Dict(keys=fields.String(), values=fields.Nested(OverrideSchema), required=True, metadata={
        "description": "By paragraph id: the QA override of approved paragraphs approved despite blocking findings"})
    stack = fields.Nested(UndoStackSchema, required=True, metadata={
        "description": "Your undo and redo stacks in this article (POST /articles/<id>/undo, /redo)"})


class RevisionSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    origin = fields.String(required=True, validate=validate.OneOf(["machine", "human", "tm"]))
    author = fields.String(allow_none=True, required=True, metadata={"description": "Username; null for machine drafts"})
    model_id = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)


class RevisionListSchema(Schema):
    revisions = fields.List(fields.Nested(RevisionSchema), required=True)


LAYER_DOC = ("Admins only, on a double-annotated article: show this annotator's own layer instead of the gold "
             "(services/layers.py); 403 for anyone else, 422 for a name that is not one of its two annotators")


class LayerArgsSchema(RequestSchema):
    layer = fields.String(load_default=None, validate=validate.Length(min=1, max=64), metadata={"description": LAYER_DOC})


class DiffArgsSchema(LayerArgsSchema):
    from_ = fields.Integer(required=True, data_key="from", validate=validate.Range(min=1, max=2**63 - 1))
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1))


class DiffPartSchema(Schema):
    op = fields.String(required=True, validate=validate.OneOf(["equal", "insert", "delete"]))
    text = fields.String(required=True)


class DiffSchema(Schema):
    parts = fields.List(fields.Nested(DiffPartSchema), required=True)


class TransitionSchema(RequestSchema):
    to = fields.String(required=True, validate=validate.OneOf(["in_review", "submitted", "approved", "changes_requested"]))
    comment = text_field(user_text.PROSE, load_default=None, allow_none=True, validate=[validate.Length(max=5000)])


class CommentRequestSchema(RequestSchema):
    body = text_field(user_text.PROSE, required=True, validate=[
        validate.Length(min=1, max=5000), validate.Regexp(rf"[\s\S]*{NOT_BLANK}", error="The comment cannot be empty.")],
        metadata={"description": "1 to 5,000 characters, not blank",
                  "pattern": f"^{NO_BOM}*{STORABLE_NOT_BLANK}{NO_BOM}*$"})
    paragraph_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**63 - 1))


class CommentsReadSchema(RequestSchema):
    up_to = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**63 - 1), metadata={
        "description": "The newest comment id of this paragraph the user was shown; those up to it are read"})


class CommentsReadStateSchema(Schema):
    paragraph_id = fields.Integer(required=True)
    read_up_to = fields.Integer(required=True, metadata={
        "description": "The user's watermark now (it never moves back, nor past the newest comment); 0: none"})
    unread = fields.Integer(required=True, metadata={"description": "Comments by others still unread here"})


class CommentSchema(Schema):
    id = fields.Integer(required=True)
    article_id = fields.Integer(required=True)
    paragraph_id = fields.Integer(allow_none=True, required=True)
    author = fields.String(allow_none=True, required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class CommentListSchema(Schema):
    comments = fields.List(fields.Nested(CommentSchema), required=True)


# Entities, links, labels, QA ------------------------------------------------------------

ID_FIELD_RANGE = validate.Range(min=1, max=2**63 - 1)
# A label's name (services/labels.py): no other can name a label.
LABEL_NAME = r"^[A-Z][A-Z0-9_]{0,31}$"


def label_field(**kwargs) -> fields.String:
    return text_field(user_text.NAME, validate=[validate.Regexp(
        LABEL_NAME, error="A label name is 1 to 32 capital letters, digits or _, starting with a letter.")],
        metadata={"pattern": LABEL_NAME, "description": "The name of a label in use, e.g. PER"}, **kwargs)


OFFSET = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=2**31),
                        metadata={"description": "Python str index over the NFC text (or UTF-16 unit with unit=utf16)"})


class EntitySchema(Schema):
    id = fields.Integer(required=True)
    lang = fields.String(required=True, validate=validate.OneOf(["ar", "en"]))
    start = fields.Integer(required=True, metadata={"description": "Python str index over the NFC text"})
    end = fields.Integer(required=True, metadata={"description": "Exclusive"})
    label = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "The span's surface text"})
    flagged = fields.Boolean(required=True, metadata={"description": "An edit changed the span's text: check it"})


class LinkSchema(Schema):
    id = fields.Integer(required=True)
    ar_entity_id = fields.Integer(required=True)
    en_entity_id = fields.Integer(required=True)


class QAFindingSchema(Schema):
    check = fields.String(required=True, metadata={"description": "Machine id of the check, e.g. numbers"})
    severity = fields.String(required=True, validate=validate.OneOf(["error", "warning", "info"]),
                             metadata={"description": "error blocks approval unless overridden with a reason"})
    message = fields.String(required=True)


class EntityCreateSchema(RequestSchema):
    lang = fields.String(required=True, validate=validate.OneOf(["ar", "en"]))
    start = OFFSET
    end = OFFSET
    label = label_field(required=True)
    revision_id = fields.Integer(load_default=None, allow_none=True, validate=ID_FIELD_RANGE,
                                 metadata={"description": "English only: the revision the offsets refer to; 409 if it is no longer current"})
    unit = fields.String(load_default="str", validate=validate.OneOf(["str", "utf16"]),
                         metadata={"description": "str (default): Python str indices; utf16: UTF-16 code units, as JavaScript counts"})
    suggestion = fields.Boolean(load_default=False, metadata={
        "description": "True when this accepts a suggestion: undone as `suggestion.accept` (POST .../undo)"})


class EntityPatchSchema(RequestSchema):
    label = label_field(load_default=None)
    flagged = fields.Boolean(load_default=None, validate=validate.Equal(
        False, error="flagged can only be cleared (false): Mizan sets it when an edit changes a span."),
        metadata={"description": "Only false: clears the 'check' flag"})


class EntityListSchema(Schema):
    entities = fields.List(fields.Nested(EntitySchema), required=True)
    links = fields.List(fields.Nested(LinkSchema), required=True)


class LinkRequestSchema(RequestSchema):
    ar_entity_id = fields.Integer(required=True, strict=True, validate=ID_FIELD_RANGE)
    en_entity_id = fields.Integer(required=True, strict=True, validate=ID_FIELD_RANGE)


class QARequestSchema(RequestSchema):
    ar = fields.String(required=True, validate=validate.Length(max=20_000))
    en = fields.String(required=True, validate=validate.Length(max=20_000))
    machine = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20_000),
                            metadata={"description": "The machine draft, for the unchanged-draft check"})


class QAResultSchema(Schema):
    findings = fields.List(fields.Nested(QAFindingSchema), required=True)


class LabelSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    colour = fields.String(required=True)
    hotkey = fields.String(allow_none=True, required=True)
    retired = fields.Boolean(required=True)


class LabelListSchema(Schema):
    labels = fields.List(fields.Nested(LabelSchema), required=True)


class SuggestionSchema(Schema):
    paragraph_id = fields.Integer(required=True)
    lang = fields.String(required=True, validate=validate.OneOf(["ar", "en"]))
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    label = fields.String(required=True)
    text = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(["glossary", "approved"]))
    link_to = fields.Dict(allow_none=True, required=True, metadata={
        "description": "English suggestions: {ar_entity_id} of an existing Arabic entity, or {lang, start, end} "
                       "of an Arabic suggestion; accept by creating the entity, then the link"})


class SuggestionListSchema(Schema):
    suggestions = fields.List(fields.Nested(SuggestionSchema), required=True)


class SuggestionRejectSchema(RequestSchema):
    lang = fields.String(required=True, validate=validate.OneOf(["ar", "en"]))
    start = OFFSET
    end = OFFSET
    label = label_field(required=True)


class ExportArgsSchema(RequestSchema):
    """Which paragraphs an export holds (the same filters as `flask --app wsgi export`)."""

    article = fields.List(fields.Integer(strict=False, validate=validate.Range(min=1, max=MAX_ID)),
                          load_default=list, metadata={"description": "Only these articles (repeat the parameter)"})
    status = fields.String(load_default="approved", validate=validate.OneOf(EXPORT_STATUSES),
                           metadata={"description": "approved: approved paragraphs and their approved English; "
                                                    "any: every translated paragraph with its current English"})
    kind = fields.String(load_default="text", validate=validate.OneOf(tuple(EXPORT_KINDS)),
                         metadata={"description": "text: titles and body paragraphs; all: also captions and credits"})
    published_from = fields.Date(metadata={"description": "Articles published on or after (YYYY-MM-DD)"})
    published_to = fields.Date(metadata={"description": "Articles published on or before"})
    approved_from = fields.Date(metadata={"description": "English approved on or after (UTC day)"})
    approved_to = fields.Date(metadata={"description": "English approved on or before (UTC day)"})
    reviewer = text_field(user_text.NAME, validate=[validate.Length(min=1, max=64)],
                             metadata={"description": "Only articles assigned to this username"})
    labels = fields.String(validate=validate.Length(max=1000),
                           metadata={"description": "Only entities with these labels, comma-separated: PER,LOC"})
    side = fields.String(validate=validate.OneOf(["ar", "en", "mt"]),
                         metadata={"description": "moses: ar, en or mt (machine drafts); conll: ar or en. "
                                                "Without it, moses and conll give a zip of the ar and en files"})
    split_clitics = fields.Boolean(load_default=False,
                                   metadata={"description": "CoNLL: split proclitics و ف ب ل ك before ال"})


class ReleaseArgsSchema(ExportArgsSchema):
    """A corpus release: the export's filters (no side: a release holds every file) and the release's options,
    as `flask --app wsgi release`."""

    class Meta:
        exclude = ("side",)

    split = fields.String(load_default="80/10/10", validate=validate.Regexp(
        r"^\d{1,3}/\d{1,3}/\d{1,3}$", error="The split must be three whole percentages for train/dev/test adding up to "
                                            "100, e.g. 80/10/10."),
                          metadata={"description": "Percentages of paragraphs for train/dev/test, split by article; "
                                                   "they must add up to 100"})
    seed = fields.Integer(load_default=0, strict=False, validate=validate.Range(min=0, max=2**63 - 1),
                          metadata={"description": "Seed of the article shuffle: the same seed, the same split"})
    name = fields.String(load_default="mizan-corpus", validate=validate.Regexp(
        release.NAME.pattern, error="The name must be 1-64 letters, digits, dots, hyphens or underscores, starting with "
                                    "a letter or digit."),
                         metadata={"description": "The release's name (letters, digits, . - _)"})
    version = fields.String(load_default="1.0.0", validate=validate.Regexp(
        release.VERSION.pattern, error="The version must be 1-40 letters, digits, dots, plus signs, hyphens or "
                                       "underscores, starting with a letter or digit (e.g. 1.0.0)."),
                            metadata={"description": "The release's version (letters, digits, . + - _)"})


# Notifications ---------------------------------------------------------------------------------------

class NotificationArgsSchema(RequestSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100),
                           metadata={"description": "At most this many, newest first"})
    before = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**63 - 1),
                            metadata={"description": "Only notifications older than this id: the next page"})
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread notifications"})


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(NOTIFICATION_KINDS))
    article_id = fields.Integer(required=True)
    article_title = fields.String(required=True)
    actor = fields.String(allow_none=True, required=True, metadata={"description": "Username of who did it, or null"})
    comment_id = fields.Integer(allow_none=True, required=True, metadata={"description": "The comment of a mention"})
    created_at = fields.DateTime(required=True)
    read = fields.Boolean(required=True)


class NotificationListSchema(Schema):
    notifications = fields.List(fields.Nested(NotificationSchema), required=True)
    unread = fields.Integer(required=True, metadata={"description": "How many of the user's notifications are unread"})


class JsonBoolean(fields.Boolean):
    """true or false in a JSON body, nothing else (a plain Boolean also takes 0, 1, "yes"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class NotificationReadSchema(RequestSchema):
    ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=2**63 - 1)),
                      validate=validate.Length(max=500),
                      metadata={"description": "Mark these read (ids of anyone else's notifications are ignored)"})
    all = JsonBoolean(metadata={"description": "true: mark every notification read (with or without ids)"})


class UnreadSchema(Schema):
    unread = fields.Integer(required=True)


def _document_storable_text(schema: type[Schema]) -> None:
    """Give every free-text string field of the request schemas the STORABLE_PATTERN in the document
    (a field with its own pattern or a fixed set of values keeps it)."""
    for subclass in schema.__subclasses__():
        for field in subclass._declared_fields.values():
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, fields.String) and not any(
                    isinstance(v, (validate.OneOf, validate.Regexp)) for v in inner.validators):
                # A field's metadata is a dict; marshmallow declares it a Mapping.
                cast(dict, inner.metadata).setdefault("pattern", STORABLE_PATTERN)
        _document_storable_text(subclass)


_document_storable_text(RequestSchema)


# Translation memory (services/translation_memory.py) ------------------------------------------------------

class MatchArgsSchema(RequestSchema):
    min_score = fields.Float(load_default=0.5, validate=validate.Range(min=0, max=1,
                                                                       error="min_score must be from 0 to 1."),
                             metadata={"description": "Only units scoring at least this (0 to 1; 1: identical after normalisation)"})
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=200,
                                                                   error="limit must be from 1 to 200."),
                           metadata={"description": "At most this many, best first"})


class MatchSchema(Schema):
    score = fields.Float(required=True, metadata={"description": "0 to 1; 1: identical after normalisation"})
    scope = fields.String(required=True, validate=validate.OneOf(["paragraph", "sentence"]))
    ar_start = fields.Integer(required=True, metadata={"description": "The part of this paragraph matched (str offsets over its NFC Arabic)"})
    ar_end = fields.Integer(required=True)
    ar = fields.String(required=True)
    en = fields.String(required=True)
    origin = fields.String(required=True, validate=validate.OneOf(["approved", "tm"]))
    paragraph_id = fields.Integer(allow_none=True, required=True, metadata={"description": "Approved units: their paragraph"})
    tm_name = fields.String(allow_none=True, required=True, metadata={"description": "Imported units: their memory"})


class MatchListSchema(Schema):
    matches = fields.List(fields.Nested(MatchSchema), required=True)


class ExactMatchesSchema(Schema):
    paragraph_ids = fields.List(fields.Integer(), required=True, metadata={
        "description": "The article's paragraphs whose whole Arabic has a 100% match in the translation memory "
                       "(score 1: identical after normalisation), other than the paragraph itself"})


class ConcordanceArgsSchema(RequestSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=500, error="q must hold 1 to 500 characters."),
                      metadata={"description": "The words to look for", "pattern": STORABLE_PATTERN})
    lang = fields.String(load_default="ar", validate=validate.OneOf(["ar", "en"], error="lang must be 'ar' or 'en'."))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200, error="limit must be from 1 to 200."))


class ConcordanceHitSchema(Schema):
    ar = fields.String(required=True)
    en = fields.String(required=True)
    origin = fields.String(required=True, validate=validate.OneOf(["approved", "tm"]))
    paragraph_id = fields.Integer(allow_none=True, required=True)
    tm_name = fields.String(allow_none=True, required=True)
    spans = fields.List(fields.List(fields.Integer()), required=True,
                        metadata={"description": "[start, end) of each occurrence in the side searched (str offsets)"})


class ConcordanceSchema(Schema):
    hits = fields.List(fields.Nested(ConcordanceHitSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "Units holding q, of which `hits` are the newest"})
    total_exact = fields.Boolean(required=True, metadata={
        "description": "false when more than 500 units hold every word of q: `total` then also counts the "
                       "units beyond the first 500 that hold every word, not necessarily side by side"})


# --- agreement (services/article_agreement.py; docs/architecture.md, "Agreement") --------------------------

def _figure(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


class LabelAgreementSchema(Schema):
    f1 = _figure("F1 of this label's entities (exact span and label); null when neither annotator used it")
    a = fields.Integer(required=True, metadata={"description": "Entities of this label annotator a made"})
    b = fields.Integer(required=True, metadata={"description": "Entities of this label annotator b made"})
    both = fields.Integer(required=True, metadata={"description": "Entities of this label both made exactly alike"})


class SideAgreementSchema(Schema):
    f1 = _figure("Entity F1, exact match of (start, end, label), micro-averaged; null without entities")
    precision = _figure("both / b (a is the reference); null when b made none")
    recall = _figure("both / a; null when a made none")
    kappa = _figure("Cohen's κ over word tokens, each labelled by the entity covering it (O outside); null "
                    "without tokens or with one category only")
    by_label = fields.Dict(keys=fields.String(), values=fields.Nested(LabelAgreementSchema), required=True)


class EntitiesAgreementSchema(Schema):
    ar = fields.Nested(SideAgreementSchema, required=True)
    en = fields.Nested(SideAgreementSchema, required=True)


class LinksAgreementSchema(Schema):
    f1 = _figure("Links matched by their two spans; null without links")


class TranslationAgreementSchema(Schema):
    chrf = _figure("sacrebleu corpus chrF (0-100) of b's English against a's; null without English")
    ter = _figure("sacrebleu corpus TER (0-100) of b's English against a's; null without English")


class ParagraphAgreementSchema(Schema):
    id = fields.Integer(required=True)
    entities_f1 = _figure("Entity F1 of the paragraph, both sides pooled")
    translation_chrf = _figure("sacrebleu sentence chrF of the paragraph; null when both English texts are blank")


class AgreementSchema(Schema):
    annotators = fields.List(fields.String(), required=True, metadata={
        "description": "[a, b]: the reviewer (the reference) and the independent annotator"})
    entities = fields.Nested(EntitiesAgreementSchema, required=True)
    links = fields.Nested(LinksAgreementSchema, required=True)
    translation = fields.Nested(TranslationAgreementSchema, required=True)
    paragraphs = fields.List(fields.Nested(ParagraphAgreementSchema), required=True)
# --- adjudication (services/adjudication.py) ---------------------------------------------------------------

class AdjudicationEnglishSchema(RequestSchema):
    from_ = fields.String(data_key="from", validate=validate.OneOf(["a", "b"]), metadata={
        "description": "Take annotator a's (the reviewer's) or b's (the independent annotator's) English"})
    text = text_field(
        user_text.ENGLISH,
        validate=[validate.Length(max=20_000, error="The English can be at most 20,000 characters."),
                  validate.Regexp(rf"[\s\S]*{NOT_BLANK}", error="The English cannot be empty.")],
        metadata={"description": "Or the curator's own English, 1 to 20,000 characters, not blank",
                  "pattern": f"^{NO_BOM}*[^\\W_]{NO_BOM}*$"})

    @validates_schema
    def _one_of_them(self, data, **kwargs):
        if ("from_" in data) == ("text" in data):
            raise ValidationError('Give either "from" ("a" or "b") or "text".', "_schema")


class AcceptedEntitiesSchema(RequestSchema):
    accept = fields.List(fields.Integer(strict=True, validate=ID_FIELD_RANGE), load_default=list,
                         validate=validate.Length(max=10_000),
                         metadata={"description": "Ids of entities of either annotator's layer of this paragraph"})


class AcceptedLinksSchema(RequestSchema):
    accept = fields.List(fields.Raw(metadata={"oneOf": [
        {"type": "integer", "minimum": 1}, {"type": "array", "items": {"type": "integer", "minimum": 1},
                                            "minItems": 2, "maxItems": 2}]}),
        load_default=list, validate=validate.Length(max=10_000), metadata={
            "description": "Links of either layer of this paragraph: link ids, or [Arabic entity id, English entity id]"})


class AdjudicateSchema(RequestSchema):
    # Exactly one of "from" and "text" (the schema below allows no other key): said to the document's readers
    # and generators as the object's size, checked by AdjudicationEnglishSchema.
    translation = fields.Nested(AdjudicationEnglishSchema, required=True,
                                metadata={"minProperties": 1, "maxProperties": 1})
    entities = fields.Nested(AcceptedEntitiesSchema, load_default=lambda: {"accept": []})
    links = fields.Nested(AcceptedLinksSchema, load_default=lambda: {"accept": []})


class AdjudicatedAgreementSchema(Schema):
    entities_f1 = fields.Float(allow_none=True, required=True)
    translation_chrf = fields.Float(allow_none=True, required=True)


class AdjudicationSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PARAGRAPH_STATUSES))
    approved_revision_id = fields.Integer(required=True)
    english_from = fields.String(required=True, validate=validate.OneOf(["a", "b", "text"]))
    entities = fields.Integer(required=True, metadata={"description": "Entities in the gold"})
    links = fields.Integer(required=True, metadata={"description": "Links in the gold"})
    adjudicated_by = fields.String(required=True)
    agreement = fields.Nested(AdjudicatedAgreementSchema, required=True, metadata={
        "description": "The two layers' agreement on this paragraph (docs/architecture.md, Agreement)"})
    article_status = fields.String(required=True, validate=validate.OneOf(ARTICLE_STATUSES))
    article_adjudicated = fields.Boolean(required=True, metadata={
        "description": "Every paragraph is adjudicated: the article went to its second reviewer, or is approved"})
    remaining = fields.Integer(required=True, metadata={"description": "Paragraphs not adjudicated yet"})
