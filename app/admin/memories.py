"""Admin page of the translation memory (issue 17): the imported memories, a TMX import, a removal.

The same service functions as `flask tm import / list / remove` (services/translation_memory.py); a file
that is not TMX changes nothing and says why.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from ..errors import flash_refusals
from ..services import translation_memory as tm_service
from . import bp
from .forms import MemoryRemoveForm, TmxUploadForm


def report_lines(report: tm_service.TmxReport, file_name: str) -> list[str]:
    """The import's outcome in sentences, as the CLI says it."""
    lines = [f"{file_name} into memory {report.name}: {report.read} units read, {report.added} added, "
             f"{report.duplicates} skipped as duplicates, {report.refused_count} refused."]
    for why, numbers in report.refused.items():
        shown = ", ".join(map(str, numbers[:10])) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
        lines.append(f"Refused {len(numbers)}: {why} (unit {shown}).")
    return lines


@bp.route("/memories", methods=["GET", "POST"])
def memories():
    form = TmxUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.tmx.data
        file_name = upload.filename or "upload.tmx"
        max_bytes = current_app.config["IMPORT_UPLOAD_MAX_BYTES"]
        data = upload.stream.read(max_bytes + 1)
        name = (form.name.data or "").strip() or file_name.rsplit("/", 1)[-1].removesuffix(".tmx")
        with flash_refusals(prefix=f"{file_name}: ") as attempt:
            report = tm_service.import_tmx(data, name=name, file_name=file_name)
        if attempt.ok:
            for line in report_lines(report, file_name):
                flash(line, "success" if report.added else "info")
            return redirect(url_for("admin.memories"))
        flash("Nothing was imported.", "error")
        status = 422
    elif form.errors:
        status = 422
    return render_template("admin/memories.html", form=form, remove_form=MemoryRemoveForm(),
                           memories=tm_service.list_memories()), status


@bp.route("/memories/remove", methods=["POST"])
def remove_memory():
    form = MemoryRemoveForm()
    if form.validate_on_submit():
        with flash_refusals() as attempt:
            removed = tm_service.remove_memory(form.name.data)
        if attempt.ok:
            flash(f"Removed memory {form.name.data} and its {removed} units.", "success")
    else:
        flash("Not removed: the form had expired; try again.", "error")
    return redirect(url_for("admin.memories"))
