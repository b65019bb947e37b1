"""Admin pages for the glossary: Arabic form, English form, label (also learned from approved links)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..errors import flash_refusals
from ..extensions import db
from ..forms import page_number_arg
from ..models import ID_IN_URL, GlossaryTerm
from ..services import glossary as glossary_service
from . import bp
from .forms import ConfirmForm, GlossaryTermForm

GLOSSARY_PER_PAGE = 50


def _glossary_form(term=None) -> GlossaryTermForm:
    form = GlossaryTermForm(prefix="term")
    form.label.choices = [SelectChoice(name) for name in glossary_service.label_names()]
    if term is not None and request.method == "GET":
        form.ar.data, form.en.data = term.ar, term.en
        form.label.data = glossary_service.label_name_of(term)
    return form


def _glossary_page(form: GlossaryTermForm, term=None, status: int = 200):
    page_number = page_number_arg()
    search = (request.args.get("q") or "").strip()
    page = glossary_service.list_terms(search=search or None, page=page_number, per_page=GLOSSARY_PER_PAGE)
    label_names = {t.id: glossary_service.label_name_of(t) for t in page.terms}
    return render_template(
        "admin/glossary.html", page=page, search=search, form=form, term=term, label_names=label_names,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/glossary", methods=["GET", "POST"])
def glossary():
    form = _glossary_form()
    if form.validate_on_submit():
        with flash_refusals() as attempt:
            term = glossary_service.create_term(form.ar.data, form.en.data, form.label.data, actor=current_user)
        if attempt.ok:
            flash(f"Added {term.ar} → {term.en}.", "success")
            return redirect(url_for("admin.glossary"))
    return _glossary_page(form, status=422 if request.method == "POST" else 200)


@bp.route(f"/glossary/<{ID_IN_URL}:term_id>", methods=["GET", "POST"])
def glossary_term(term_id: int):
    term = db.get_or_404(GlossaryTerm, term_id)
    form = _glossary_form(term)
    if form.validate_on_submit():
        with flash_refusals() as attempt:
            glossary_service.update_term(term_id, ar=form.ar.data, en=form.en.data, label=form.label.data,
                                         actor=current_user)
        if attempt.ok:
            flash("Term saved.", "success")
            return redirect(url_for("admin.glossary"))
    return _glossary_page(form, term=term, status=422 if request.method == "POST" else 200)


@bp.route(f"/glossary/<{ID_IN_URL}:term_id>/delete", methods=["POST"])
def delete_glossary_term(term_id: int):
    term = db.get_or_404(GlossaryTerm, term_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ar, en = term.ar, term.en
    glossary_service.delete_term(term_id, actor=current_user)
    flash(f"Deleted {ar} → {en}.", "success")
    return redirect(url_for("admin.glossary", q=request.args.get("q") or None))
