"""Bureau administration pages and the per-request bureau context (set here, in the web layer, for every request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import roles
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.scoping import forget_unreadable
from app.bureaus.services import tree
from app.errors import N_, DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.web_helpers import translate

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("bureaus", __name__, url_prefix="/admin/bureaus")

LEVEL_LABELS = {"province": _l("省级"), "city": _l("市级"), "county": _l("县（区）级")}


def reaches_down(*reach_roles: Role, on_post: bool = False) -> Callable[[F], F]:
    """Mark a page on which a higher bureau's users with these roles (default: supervision, leaders, auditors)
    also read the bureaus below theirs — on GET only unless `on_post`; writes still go to their own bureau only."""
    chosen = frozenset(reach_roles) or tree.UPWARD_ROLES

    def decorate(view: F) -> F:
        view.bureau_reach = chosen  # type: ignore[attr-defined]
        view.bureau_reach_on_post = on_post  # type: ignore[attr-defined]
        return view
    return decorate


def _reach_of(endpoint: str) -> frozenset[Role]:
    view = current_app.view_functions.get(endpoint)
    holder = view if hasattr(view, "bureau_reach") else getattr(view, "view_class", None)
    reach = getattr(holder, "bureau_reach", None) or frozenset()
    if request.method not in ("GET", "HEAD") and not getattr(holder, "bureau_reach_on_post", False):
        return frozenset()
    return reach


def apply_request_scope() -> None:
    """before_request (after the access check): the signed-in user's bureau context for this request."""
    if request.endpoint is None:
        scope = context.NOTHING
    elif not current_user.is_authenticated:  # only public pages get this far (the access check ran first)
        scope = context.PUBLIC
    else:
        scope = tree.scope_for_user(current_user, _reach_of(request.endpoint))
    g.bureau_scope_token = context.set_scope(scope)
    forget_unreadable(db.session())


def clear_request_scope(_exc: BaseException | None) -> None:
    """teardown_request: restore the scope in force before the request."""
    token = g.pop("bureau_scope_token", None)
    if token is not None:
        try:
            context.reset(token)
        except ValueError:  # a different context ran the teardown: drop to nothing rather than keep the user's
            context.set_scope(context.NOTHING)


def init_app(app: Flask) -> None:
    """Register the scope hooks and the template helper naming the user's bureau."""
    app.before_request(apply_request_scope)
    app.teardown_request(clear_request_scope)

    @app.context_processor
    def _bureau_context() -> dict[str, object]:
        bureau = None
        if current_user and current_user.is_authenticated:
            bureau = db.session.get(tree.Bureau, current_user.bureau_id)
        return {"current_bureau": bureau}


def _bureau_or_404(bureau_id: int) -> Any:
    try:
        bureau = tree.get_bureau(bureau_id)
        tree.require_readable(bureau.id)
    except NotFound:
        abort(404)
    return bureau


@bp.route("/")
@roles(Role.ADMIN)
@reaches_down(Role.ADMIN)
def index() -> Any:
    """The bureaus this administrator manages: their own and those below it."""
    rows = [b for b in tree.all_bureaus() if tree.can_read(b.id)]
    return render_template("bureaus/index.html", bureaus=rows, level_labels=LEVEL_LABELS)


def _field_errors(exc: DomainError) -> dict[str, list[str]]:
    """Field messages to show beside the inputs (everything typed stays in the form)."""
    flash(translate(exc), "danger")
    if isinstance(exc, ValidationFailed):
        return {field: [_(m) for m in messages] for field, messages in exc.errors.items()}
    return {"_form": [translate(exc)]}


def _form_values() -> dict[str, str]:
    return {k: (request.form.get(k) or "").strip() for k in ("name", "short_name", "level", "parent_id")}


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reaches_down(Role.ADMIN)
def create() -> Any:
    """A new bureau below one this administrator manages (gets the three default tiers)."""
    parents = [b for b in tree.all_bureaus() if tree.can_read(b.id)]
    values = _form_values() if request.method == "POST" else {"level": "county",
                                                               "parent_id": str(current_user.bureau_id)}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            parent_id = int(values["parent_id"]) if values["parent_id"].isdigit() else None
            if parent_id is None:
                raise ValidationFailed({"parent_id": [N_("请选择上级档案局。")]})
            bureau = tree.create_bureau(current_user, name=values["name"], short_name=values["short_name"],
                                        level=values["level"], parent_id=parent_id)
        except DomainError as exc:
            db.session.rollback()
            errors = _field_errors(exc)
        else:
            db.session.commit()
            flash(_("已设立 %(name)s。", name=bureau.name), "success")
            return redirect(url_for("bureaus.index"))
    return render_template("bureaus/form.html", bureau=None, values=values, errors=errors, parents=parents,
                           level_labels=LEVEL_LABELS), 400 if errors else 200


@bp.route("/<int:bureau_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
@reaches_down(Role.ADMIN)
def edit(bureau_id: int) -> Any:
    """Change a bureau's full and short names (the short name starts its document numbers)."""
    bureau = _bureau_or_404(bureau_id)
    values = _form_values() if request.method == "POST" else {"name": bureau.name, "short_name": bureau.short_name}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            tree.update_bureau(current_user, bureau, name=values["name"], short_name=values["short_name"])
        except DomainError as exc:
            db.session.rollback()
            errors = _field_errors(exc)
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("bureaus.index"))
    return render_template("bureaus/form.html", bureau=bureau, values=values, errors=errors, parents=[],
                           level_labels=LEVEL_LABELS), 400 if errors else 200
