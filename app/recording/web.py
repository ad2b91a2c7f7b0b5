"""The 音像记录事项清单 pages: the list (everyone signed in reads it; the legal section edits it) and its public
page `/public/recording` (no sign-in)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import public, roles, signed_in
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.services import tree
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.recording import services
from app.recording.models import METHODS, RecordingItem
from app.web_helpers import translate

bp = Blueprint("recording", __name__, url_prefix="/recording")
public_bp = Blueprint("public_recording", __name__, url_prefix="/public/recording")


@bp.route("/")
@signed_in
def index() -> Any:
    """The bureau's list, in order (inactive entries shown to the legal section)."""
    may_edit = Role.LEGAL in current_user.role_set
    items = services.list_items(active_only=not may_edit)
    return render_template("recording/index.html", items=items, may_edit=may_edit, form=ConfirmForm(),
                           method_labels=services.METHOD_LABELS)


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@roles(Role.LEGAL)
def edit(entry_id: int | None = None) -> Any:
    """Add or change an entry (the step chosen from the procedures in use)."""
    item = db.session.get(RecordingItem, entry_id) if entry_id else None
    if entry_id and item is None:
        abort(404)
    keys = ("step", "method", "recorder", "note", "position")
    form = ConfirmForm()
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.validate_on_submit():
        values = {k: request.form.get(k, "") for k in keys}
        process_id, _sep, element_id = values["step"].partition(":")
        try:
            services.save_item(current_user, {**values, "process_id": process_id, "element_id": element_id},
                               entry_id)
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            if isinstance(exc, ValidationFailed):
                errors = {("step" if k in ("element_id", "process_id") else k): [_(m) for m in v]
                          for k, v in exc.errors.items()}
        else:
            db.session.commit()
            flash(_("清单已保存。"), "success")
            return redirect(url_for("recording.index"))
    elif item is not None:
        values = {"step": f"{item.process_id}:{item.element_id}", "method": item.method, "recorder": item.recorder,
                  "note": item.note, "position": str(item.position)}
    else:
        values = {"step": "", "method": "audio_video", "recorder": "", "note": "", "position": "0"}
    return render_template("recording/form.html", item=item, values=values, errors=errors, form=form,
                           steps=services.steps(), methods=METHODS, method_labels=services.METHOD_LABELS), \
        400 if errors else 200


@bp.route("/<int:entry_id>/active", methods=["POST"])
@roles(Role.LEGAL)
def set_active(entry_id: int) -> Any:
    """Take an entry off the list or put it back."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.set_active(current_user, entry_id, request.form.get("active") == "1")
        except NotFound:
            abort(404)
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
        else:
            db.session.commit()
            flash(_("清单已更新。"), "success")
    return redirect(url_for("recording.index"))


@public_bp.route("/")
@public
def public_list() -> Any:
    """The published list of every bureau (no sign-in)."""
    items = services.public_list()
    names = {b.id: b.name for b in tree.all_bureaus()}
    grouped: dict[str, list[RecordingItem]] = {}
    for item in items:
        grouped.setdefault(names.get(item.bureau_id, ""), []).append(item)
    return render_template("recording/public.html", grouped=grouped, method_labels=services.METHOD_LABELS)
