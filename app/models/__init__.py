"""The whole domain model (docs/architecture.md, Domain model), one module per aggregate."""
from .annotation_actions import ANNOTATION_ACTIONS, AnnotationAction
from .annotations import DEFAULT_LABELS, Entity, EntityLink, GlossaryTerm, Label, SuggestionRejection
from .articles import ARTICLE_STATUSES, PARAGRAPH_KINDS, PARAGRAPH_STATUSES, Article, Paragraph
from .audit import AuditEvent
from .base import ID_IN_URL, MAX_ID, utcnow
from .memory import TmUnit, TranslationMemory
from .layers import ArticleAgreement, ParagraphAgreement, ParagraphLayer
from .jobs import ACTIVE_JOB_STATUSES, JOB_STATUSES, TranslationJob
from .notifications import NOTIFICATION_KINDS, Notification
from .translations import Translation
from .users import ROLES, ApiToken, LoginThrottle, User
from .workflow import ASSIGNMENT_ROLES, Assignment, Comment, CommentRead, ParagraphAdjudication, ParagraphApproval

__all__ = [
    "ACTIVE_JOB_STATUSES", "ANNOTATION_ACTIONS", "ARTICLE_STATUSES", "ASSIGNMENT_ROLES", "ID_IN_URL", "MAX_ID", "DEFAULT_LABELS", "JOB_STATUSES", "NOTIFICATION_KINDS", "PARAGRAPH_KINDS", "PARAGRAPH_STATUSES", "ROLES",
    "AnnotationAction", "ApiToken", "Article", "ArticleAgreement", "Assignment", "AuditEvent", "Comment", "CommentRead", "Entity", "EntityLink", "GlossaryTerm",
    "Label", "LoginThrottle", "Notification", "Paragraph", "ParagraphAdjudication", "ParagraphAgreement", "ParagraphApproval", "ParagraphLayer", "SuggestionRejection", "TmUnit", "Translation", "TranslationMemory", "TranslationJob", "User", "utcnow",
]
