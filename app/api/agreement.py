"""GET /api/v1/articles/<id>/agreement: the inter-annotator agreement of a double-annotated article
(services/article_agreement.py; docs/architecture.md, "Agreement served")."""
from __future__ import annotations

import orjson
from flask import Response
from flask_login import current_user

from ..models import ID_IN_URL
from ..services import Forbidden
from ..services import article_agreement as agreement_service
from . import bp, visible_article_or_404
from .schemas import AgreementSchema, ErrorSchema


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/agreement")
@bp.response(200, AgreementSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Not an admin: until adjudication the annotators' work stays "
                 "independent, so neither annotator sees the figures (which would tell them of the other's work)")
@bp.alt_response(404, schema=ErrorSchema, description="No such article, or not assigned to you")
@bp.alt_response(409, schema=ErrorSchema, description="The article is not double-annotated (no independent annotator)")
def article_agreement(article_id: int):
    """Agreement between the two independent annotators of an article: a is its reviewer (the reference of
    precision, recall, chrF and TER), b its independent annotator. Entity F1, precision, recall, Cohen's κ and
    per label counts on each side, links F1, chrF and TER of the English, and per paragraph entity F1 and chrF;
    computed from each annotator's current work (approved where approved), so it may be asked for at any time.
    Admins only."""
    article = visible_article_or_404(article_id)
    if not current_user.is_admin:
        raise Forbidden("Only admins see the agreement figures: until adjudication each annotator's work stays "
                        "their own, and the figures would tell them of the other's.")
    figures = agreement_service.agreement_of_article(article.id)
    # Serialised here rather than by the schema (which documents it): a long article has thousands of numbers.
    return Response(orjson.dumps(figures), mimetype="application/json")
