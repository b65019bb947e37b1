"""Admin pages for the entity label set."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..errors import flash_refusals
from ..models import ID_IN_URL
from ..services import NotFound
from ..services import labels as label_service
from . import bp
from .forms import ConfirmForm, LabelForm


@bp.route("/labels", methods=["GET", "POST"])
def labels():
    form = LabelForm()
    if form.validate_on_submit():
        with flash_refusals() as attempt:
            label = label_service.create_label(form.name.data, form.colour.data, form.hotkey.data, actor=current_user)
        if attempt.ok:
            flash(f"Label {label.name} created.", "success")
            return redirect(url_for("admin.labels"))
    return render_template("admin/labels.html", labels=label_service.list_labels(), usage=label_service.usage_counts(),
                           form=form, confirm_form=ConfirmForm())


@bp.route(f"/labels/<{ID_IN_URL}:label_id>", methods=["GET", "POST"])
def label(label_id: int):
    current = label_service._get(label_id)  # a NotFound is a 404 page, by app/errors.py
    form = LabelForm(obj=current)
    if form.validate_on_submit():
        with flash_refusals(let_through=(NotFound,)) as attempt:
            label_service.update_label(label_id, form.name.data, form.colour.data, form.hotkey.data, actor=current_user)
        if attempt.ok:
            flash("Label saved.", "success")
            return redirect(url_for("admin.labels"))
    return render_template("admin/label.html", label=current, form=form, confirm_form=ConfirmForm(),
                           used=label_service.usage_counts().get(label_id, 0))


@bp.route(f"/labels/<{ID_IN_URL}:label_id>/<any(retire, restore, delete):action>", methods=["POST"])
def label_action(label_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; nothing changed.", "error")
        return redirect(url_for("admin.labels"))
    with flash_refusals(let_through=(NotFound,)) as attempt:
        if action == "delete":
            label_service.delete_label(label_id, actor=current_user)
        else:
            label_service.set_retired(label_id, action == "retire", actor=current_user)
    if attempt.ok:
        flash({"delete": "Label deleted.", "retire": "Label retired.", "restore": "Label back in use."}[action], "success")
    return redirect(url_for("admin.labels"))
