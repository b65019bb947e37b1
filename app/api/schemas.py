"""Marshmallow schemas: they validate requests and generate the OpenAPI document."""
from marshmallow import Schema, fields, validate

from ..models import ARTICLE_STATUSES, ASSIGNMENT_ROLES, JOB_STATUSES, PARAGRAPH_KINDS, PARAGRAPH_STATUSES

MAX_PAGE = 1_000_000


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Machine-readable error code, e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    details = fields.Dict(metadata={"description": "Per-field validation errors, when there are any"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class PageArgsSchema(Schema):
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


class MachineDraftSchema(Schema):
    text = fields.String(required=True)
    model_id = fields.String(required=True, metadata={"description": "Package name@version+sha256 prefix"})


class CurrentTranslationSchema(Schema):
    text = fields.String(required=True)
    revision_id = fields.Integer(required=True)
    origin = fields.String(required=True, validate=validate.OneOf(["machine", "human"]))


class ParagraphDetailSchema(ParagraphSchema):
    machine = fields.Nested(MachineDraftSchema, allow_none=True, required=True,
                            metadata={"description": "The newest machine draft, or null"})
    translation = fields.Nested(CurrentTranslationSchema, allow_none=True, required=True,
                                metadata={"description": "The current English, or null"})


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


class ArticleListSchema(Schema):
    articles = fields.List(fields.Nested(ArticleSummarySchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class AssignmentRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
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
