"""The whole domain model (docs/architecture.md, Domain model), one module per aggregate."""
from .annotations import DEFAULT_LABELS, Entity, EntityLink, GlossaryTerm, Label, SuggestionRejection
from .articles import ARTICLE_STATUSES, PARAGRAPH_KINDS, PARAGRAPH_STATUSES, Article, Paragraph
from .audit import AuditEvent
from .base import ID_IN_URL, MAX_ID, utcnow
from .jobs import ACTIVE_JOB_STATUSES, JOB_STATUSES, TranslationJob
from .translations import Translation
from .users import ROLES, ApiToken, LoginThrottle, User
from .workflow import ASSIGNMENT_ROLES, Assignment, Comment, CommentRead, ParagraphApproval

__all__ = [
    "ACTIVE_JOB_STATUSES", "ARTICLE_STATUSES", "ASSIGNMENT_ROLES", "ID_IN_URL", "MAX_ID", "DEFAULT_LABELS", "JOB_STATUSES", "PARAGRAPH_KINDS", "PARAGRAPH_STATUSES", "ROLES",
    "ApiToken", "Article", "Assignment", "AuditEvent", "Comment", "CommentRead", "Entity", "EntityLink", "GlossaryTerm",
    "Label", "LoginThrottle", "Paragraph", "ParagraphApproval", "SuggestionRejection", "Translation", "TranslationJob", "User", "utcnow",
]
