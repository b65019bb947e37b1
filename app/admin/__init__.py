"""The admin's side: articles and their assignments, imports, user accounts."""
from __future__ import annotations

import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..errors import flash_refusals
from ..extensions import db
from ..models import ARTICLE_STATUSES, ID_IN_URL, Article, AuditEvent, TranslationJob, User
from ..services import ServiceError, article_agreement, article_lists
from ..services import assignment as assignment_service
from ..services import layers as layer_service
from ..services import effort, importing, mt, mt_packages
from ..services import users as user_service
from .forms import AssignForm, BulkForm, ConfirmForm, ImportForm, ModelUploadForm, PasswordResetForm, UserCreateForm

bp = Blueprint("admin", __name__)

ARTICLES_PER_PAGE = 50


@bp.before_request
def require_admin():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)


@bp.route("/")
def articles():
    """All articles: filtered, sorted and paged in SQL (services/article_lists.py); the filters, the order and
    the page are the query string, so every link and the bulk form keep them. A bad value is named (400)."""
    query, problems = article_lists.parse_list_query(request.args, article_lists.ADMIN_SORTS)
    page = article_lists.admin_list(query)
    return render_template(
        "admin/articles.html",
        confirm_form=ConfirmForm(),
        bulk_form=_bulk_form(),
        model=mt_packages.find_package(current_app.instance_path),
        page=page,
        query=query,
        problems=problems,
        statuses=ARTICLE_STATUSES,
        users=user_service.list_users(),
        sources=article_lists.sources(),
    ), 400 if problems else 200


def _reviewer_choices() -> list[SelectChoice]:
    return [SelectChoice(u.username, f"{u.display_name} ({u.username})")
            for u in user_service.list_users() if u.active and u.may_review]


def _bulk_form() -> BulkForm:
    form = BulkForm()
    choices = _reviewer_choices()
    form.reviewer.choices = [SelectChoice("", "— choose —")] + choices
    form.second_reviewer.choices = [SelectChoice("", "— keep each article's —")] + choices
    return form


@bp.route("/articles/bulk", methods=["POST"])
def bulk_articles():
    """The admin list's bulk actions on the selected articles: assign, or translate; one summary message.
    Back to the list as it was (its query string rides on this form's action)."""
    form = _bulk_form()
    back = redirect(url_for("admin.articles", **request.args.to_dict()))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return back
    with flash_refusals() as attempt:
        if form.action.data == "assign":
            if not form.reviewer.data:
                raise ServiceError("Choose a reviewer to assign. Nothing was assigned.")
            reviewer = user_service.require_user(form.reviewer.data)
            second = user_service.require_user(form.second_reviewer.data) if form.second_reviewer.data else None
            outcome = article_lists.bulk_assign(form.articles.data, reviewer, second, actor=current_user,
                                                due=form.due.data)
            verb = "Assigned"
        else:
            outcome = article_lists.bulk_translate(form.articles.data, current_app.instance_path,
                                                   actor=current_user)
            verb = "Queued translation of"
    if attempt.ok:
        flash(outcome.summary(verb), "success" if outcome.done and not outcome.refused
              else "info" if outcome.done else "error")
    return back


def _assign_form(article: Article) -> AssignForm:
    form = AssignForm()
    choices = _reviewer_choices()
    form.reviewer.choices = [SelectChoice("", "— choose —")] + choices
    form.second_reviewer.choices = [SelectChoice("", "— none —")] + choices
    form.independent.choices = [SelectChoice("", "— none —")] + choices
    if request.method == "GET":
        current = assignment_service.assignments_of(article)
        if "reviewer" in current:
            form.reviewer.data = current["reviewer"].user.username
            form.due.data = current["reviewer"].due
        if "second_reviewer" in current:
            form.second_reviewer.data = current["second_reviewer"].user.username
        if "independent" in current:
            form.independent.data = current["independent"].user.username
    return form


@bp.route(f"/articles/<{ID_IN_URL}:article_id>", methods=["GET", "POST"])
def article(article_id: int):
    article = db.get_or_404(Article, article_id)
    form = _assign_form(article)
    if form.validate_on_submit():
        with flash_refusals() as attempt:
            reviewer = user_service.require_user(form.reviewer.data)
            second = user_service.require_user(form.second_reviewer.data) if form.second_reviewer.data else None
            independent = user_service.require_user(form.independent.data) if form.independent.data else None
            assignment_service.assign_reviewers(article, reviewer, second, actor=current_user, due=form.due.data,
                                                independent=independent)
        if attempt.ok:
            flash("Assignment saved.", "success")
            return redirect(url_for("admin.article", article_id=article.id))
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "article", AuditEvent.object_id == article.id)
        .order_by(AuditEvent.id.desc())
        .limit(50)
    )
    return render_template(
        "admin/article.html",
        article=article,
        form=form,
        confirm_form=ConfirmForm(),
        model=mt_packages.find_package(current_app.instance_path),
        jobs=db.session.scalars(
            select(TranslationJob).where(TranslationJob.article_id == article.id)
            .order_by(TranslationJob.id.desc()).limit(5)
        ).all(),
        assignments=assignment_service.assignments_of(article),
        layer_names=layer_service.annotator_names(article.id) if "independent" in assignment_service.assignments_of(
            article) else {},
        events=list(events),
        effort=effort.article_effort(article.id),
        paragraph_effort=effort.paragraph_effort(article.id),
    ), 422 if form.errors else 200


@bp.route("/dashboard")
def dashboard():
    """Articles by status, reviewers' daily approvals and post-editing effort, overdue assignments, and the
    agreement of double-annotated articles per annotator pair and label."""
    return render_template("admin/dashboard.html", board=effort.dashboard(), statuses=ARTICLE_STATUSES,
                           agreement=_agreement_scopes(article_agreement.project_agreement()))


def _agreement_scopes(project: dict) -> list[dict]:
    """The dashboard's agreement charts: each annotator pair, then all pairs together when there are several;
    per label (of either side) its Arabic and English figures (None where that side never used the label)."""
    scopes = [{"title": f"{pair['annotators'][0]} and {pair['annotators'][1]}", **pair} for pair in project["pairs"]]
    if len(scopes) > 1:
        scopes.append({"title": "All pairs", **project["all"]})
    for scope in scopes:
        sides = scope["entities"]
        names = sorted(sides["ar"]["by_label"].keys() | sides["en"]["by_label"].keys())
        scope["labels"] = [{"label": label, "ar": sides["ar"]["by_label"].get(label),
                            "en": sides["en"]["by_label"].get(label)} for label in names]
    return scopes


@bp.route("/import", methods=["GET", "POST"])
def import_articles():
    form = ImportForm()
    outcomes = []
    if form.validate_on_submit():
        max_bytes = current_app.config["IMPORT_MAX_BYTES"]
        uploads = [(upload.filename or "upload.txt", upload.stream.read(max_bytes + 1)) for upload in form.files.data]
        outcomes = importing.import_uploads(uploads, max_bytes=max_bytes, actor=current_user)
        imported = sum(o.status == importing.IMPORTED for o in outcomes)
        flash(f"{imported} of {len(outcomes)} files imported.", "success" if imported else "info")
    status = 422 if form.errors else 200
    return render_template("admin/import.html", form=form, outcomes=outcomes), status


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserCreateForm()
    valid = form.validate_on_submit()
    if _every_new_user_problem_on_its_field(form) and valid:
        with flash_refusals() as attempt:
            user = user_service.create_user(
                form.username.data, form.password.data, form.role.data,
                display_name=form.display_name.data or "", actor=current_user,
            )
        if attempt.ok:
            flash(f"User {user.username} created.", "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/users.html", form=form, users=user_service.list_users()), status


def _every_new_user_problem_on_its_field(form: UserCreateForm) -> bool:
    """On a submitted form, every reason the account would be refused goes beside its field, all at once
    (a bad username is not held back until the password is right); a field the form already refused keeps
    its own message. True when there is none."""
    if not form.is_submitted():
        return False
    problems = user_service.new_user_problems(form.username.data or "", form.password.data or "",
                                              form.role.data or "", form.display_name.data or "")
    for name, message in problems.items():
        field = form[name]
        if not field.errors:
            field.errors = [message]
    return not problems


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route(f"/users/<{ID_IN_URL}:user_id>")
def user(user_id: int):
    return render_template(
        "admin/user.html", user=_user_or_404(user_id), password_form=PasswordResetForm(), confirm_form=ConfirmForm()
    )


@bp.route(f"/users/<{ID_IN_URL}:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        with flash_refusals() as attempt:
            user_service.set_password(user, form.password.data, actor=current_user)
        if attempt.ok:
            flash(f"Password of {user.username} changed; their open sessions were ended and their API tokens "
                  "revoked.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return render_template("admin/user.html", user=user, password_form=form, confirm_form=ConfirmForm()), 422


@bp.route(f"/users/<{ID_IN_URL}:user_id>/<any(activate, deactivate):action>", methods=["POST"])
def set_active(user_id: int, action: str):
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with flash_refusals() as attempt:
        user_service.set_active(user, action == "activate", actor=current_user)
    if attempt.ok:
        flash(f"User {user.username} {'activated' if user.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route(f"/articles/<{ID_IN_URL}:article_id>/translate", methods=["POST"])
def translate_article(article_id: int):
    article = db.get_or_404(Article, article_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with flash_refusals() as attempt:
        request = mt.queue_article_translation(article, current_app.instance_path, actor=current_user)
    if attempt.ok:
        flash(f"Translation queued (job {request.job.id})." if request.created
              else f"This article is already being translated (job {request.job.id}, {request.job.status}).",
              "success" if request.created else "info")
    return redirect(url_for("admin.article", article_id=article.id))


@bp.route("/translate-untranslated", methods=["POST"])
def translate_untranslated():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with flash_refusals() as attempt:
        package = mt.require_package(current_app.instance_path)
    if not attempt.ok:
        return redirect(url_for("admin.articles"))
    article_ids = mt.untranslated_article_ids(package.model_id)
    for article_id in article_ids:
        mt.queue_article_translation(db.session.get(Article, article_id), current_app.instance_path,
                                     actor=current_user, model=package.model_id)
    flash(f"Translation queued for {len(article_ids)} article(s).", "success" if article_ids else "info")
    return redirect(url_for("admin.articles"))


@bp.route("/models", methods=["GET", "POST"])
def models():
    form = ModelUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.package.data
        staging = Path(current_app.instance_path) / f".upload-{uuid.uuid4().hex}.argosmodel"
        try:
            with flash_refusals(prefix=f"{upload.filename}: ") as attempt:
                upload.save(staging)
                package = mt_packages.install_package(staging, current_app.instance_path)
        finally:
            staging.unlink(missing_ok=True)
        if attempt.ok:
            flash(f"Installed {package.model_id}.", "success")
            return redirect(url_for("admin.models"))
        status = 422
    elif form.errors:
        status = 422
    return render_template(
        "admin/models.html", form=form, confirm_form=ConfirmForm(),
        packages=mt_packages.list_packages(current_app.instance_path),
    ), status


@bp.route("/models/<path:name>/remove", methods=["POST"])
def remove_model(name: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with flash_refusals() as attempt:
        package = mt_packages.remove_package(current_app.instance_path, name)
    if attempt.ok:
        flash(f"Removed {package.model_id}; the drafts it made stay.", "success")
    return redirect(url_for("admin.models"))

from . import glossary, labels, memories  # noqa: E402,F401  (their pages register on bp)
