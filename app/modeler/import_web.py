"""Importing diagrams drawn elsewhere into a new draft (an upload form; works without JavaScript)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.roles import Role
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.modeler.drafts_web import problem_json
from app.modeler.services import drafts, importing
from app.web_helpers import translate
from app.workflow.services import definitions

bp = Blueprint("importing", __name__, url_prefix="/processes")
MAX_FILES = 20


def _processes() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for d in definitions.list_definitions():
        seen.setdefault(d.process_id, d.name)
    return sorted(seen.items(), key=lambda item: item[1])


def _render(status: int = 200, **extra: Any) -> Any:
    context = {"processes": _processes(), "reason": request.form.get("reason", ""),
               "target": request.form.get("target", ""), "auto_layout": request.method == "GET"
               or bool(request.form.get("auto_layout")), "problems": [], "field_errors": {},
               "limit_kb": current_app.config["DIAGRAM_MAX_KB"]}
    context.update(extra)
    return render_template("modeler/import.html", **context), status


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.LEGAL)
def upload() -> Any:
    """Upload .bpmn/.dmn files; they become a new draft (or nothing, with every problem named)."""
    if request.method == "GET":
        return _render()
    limit = current_app.config["DIAGRAM_MAX_KB"] * 1024
    uploads = [importing.Upload(f.filename or "", f.stream.read(limit + 1))
               for f in request.files.getlist("files")[:MAX_FILES] if f and f.filename]
    try:
        result = importing.import_files(current_user, uploads, reason=request.form.get("reason", ""),
                                        target_process=request.form.get("target", ""),
                                        auto_layout=bool(request.form.get("auto_layout")), max_bytes=limit)
    except importing.ImportRefused as exc:
        db.session.rollback()
        return _render(422, problems=[problem_json(p) for p in exc.problems], error=translate(exc))
    except drafts.DraftRejected as exc:
        db.session.rollback()
        return _render(422, problems=[problem_json(p) for p in exc.problems], error=translate(exc))
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(422, field_errors={k: [_(m) for m in v] for k, v in exc.errors.items()})
    except drafts.DraftExists as exc:
        db.session.rollback()
        return _render(409, error=translate(exc), existing=exc.draft)
    except DomainError as exc:
        db.session.rollback()
        return _render(409, error=translate(exc))
    db.session.commit()
    flash(_("已导入为草稿（第 %(version)s 版）：请检查后发布。", version=result.draft.version), "success")
    if result.laid_out:
        flash(_("以下流程图原来没有布局，已自动排布：%(files)s", files="、".join(result.laid_out)), "info")
    for warning in result.warnings:
        flash(problem_json(warning)["message"], "warning")
    return redirect(url_for("processes.show", definition_id=result.draft.id))
