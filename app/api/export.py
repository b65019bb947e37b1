"""GET /api/v1/export/<format>: the reviewed corpus, streamed as it is read (never built in memory)."""
from __future__ import annotations

from flask import Response, current_app, stream_with_context
from flask_login import current_user
from flask_smorest import abort

from ..services import export as export_service
from . import bp
from .schemas import ErrorSchema, ExportArgsSchema, ReleaseArgsSchema



def release_response(args: dict) -> Response:
    """A release's zip as a download (shared by this route and the Export page's release form)."""
    options = export_service.release_options(
        split=args.get("split"), seed=args.get("seed"), name=args.get("name"), version=args.get("version"),
        split_clitics=args.get("split_clitics"), license=current_app.config["RELEASE_LICENSE"])
    chunks, name = export_service.stream_release(export_service.selection_from(args), options)
    return Response(
        chunks, mimetype=export_service.ZIP_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"},
    )


@bp.route("/export/release")
@bp.arguments(ReleaseArgsSchema, location="query")
@bp.doc(responses={"200": {
    "description": "The release as a zip, the bytes `flask --app wsgi release` writes to FOLDER.zip: data/ (JSONL per "
                   "split), tmx/, moses/, conll/, spacy/, README.md (a Hugging Face dataset card) and manifest.json, "
                   "under NAME-VERSION/ (docs/exports.md, Releases).",
    "content": {export_service.ZIP_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}})
@bp.alt_response(403, schema=ErrorSchema, description="Releasing needs an admin or corpus-user account")
@bp.alt_response(422, schema=ErrorSchema, description="A bad filter, split, seed, name or version")
def export_release(args: dict):
    """A corpus release: train/dev/test split by article, in every format, with a dataset card and a manifest.

    Built from one snapshot, then sent; the same data, filters and seed give the same bytes.
    """
    if not current_user.may_export:
        abort(403, message="Releasing the corpus needs export rights (an admin or corpus-user account).")
    return release_response(args)


FORMAT_IN_URL = f"any({', '.join(export_service.FORMATS)})"
MEDIA_TYPES = sorted({export_service.media_type(fmt).split(";")[0] for fmt in export_service.FORMATS}
                     | {export_service.ZIP_MEDIA_TYPE})


@bp.route(f"/export/<{FORMAT_IN_URL}:fmt>")
@bp.arguments(ExportArgsSchema, location="query")
@bp.doc(responses={"200": {
    "description": "The export file, streamed: tmx (TMX 1.4), xliff2, xliff12, jsonl (a record a line, "
                   "see docs/exports.md), conll (IOB2) and moses: with `side`, that language's file; without, a zip "
                   "of the Arabic and English files, each byte for byte its side's download.",
    "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES},
}})
@bp.alt_response(403, schema=ErrorSchema, description="Exporting needs an admin or corpus-user account")
@bp.alt_response(422, schema=ErrorSchema, description="A filter names an unknown user or label, or a range is reversed")
def export_corpus(args: dict, fmt: str):
    """Export the approved corpus (or, with status=any, every translated paragraph) in one format.

    An empty selection gives a valid empty file. Moses and CoNLL are one file
    per language: without `side`, both (ar and en) come in one zip, each file exactly its side's
    download; with `side`, that file alone (moses also has `mt`, the machine drafts).
    """
    if not current_user.may_export:
        abort(403, message="Exporting the corpus needs export rights (an admin or corpus-user account).")
    if export_service.sides_of(fmt) != ("",) and not args.get("side"):
        # Moses or CoNLL with no side: the Arabic and English files together, in one zip.
        chunks = export_service.stream_both_sides(fmt, export_service.selection_from(args),
                                                  split_clitics=args["split_clitics"])
        name, mimetype = export_service.zip_download_name(fmt), export_service.ZIP_MEDIA_TYPE
    else:
        chunks = export_service.stream_export(  # a SelectionError is a 422, by app/errors.py
            fmt, export_service.selection_from(args), side=args.get("side"), split_clitics=args["split_clitics"],
            helper_min_paragraphs=current_app.config["EXPORT_HELPER_MIN_PARAGRAPHS"]
            if current_app.config["EXPORT_HELPER"] else None,
        )
        name = export_service.download_name(fmt, args.get("side") or "")
        mimetype = export_service.media_type(fmt).split(";")[0]
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"},
    )
