"""REST API under /api/v1 (flask-smorest, marshmallow): the directories and lists, with the UI's permissions.

Authenticated by the session (then CSRF applies to writes) or by a personal token: `Authorization: Bearer aet_…`.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import Flask, jsonify, request, session
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from app.access import PUBLIC, SIGNED_IN
from app.auth import tokens
from app.auth.roles import Role
from app.directories.services import records
from app.directories.services.specs import SPECS, ListSpec
from app.draws.services import draws
from app.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import csrf, db


class _Api(Api):
    """flask-smorest's Api without its app-wide HTTP error handler: `app.error_pages` answers JSON under /api/."""

    def _register_error_handlers(self) -> None:
        return None


bp = Blueprint("api_v1", __name__, url_prefix="/api/v1", description="名录与清单 · directories and lists")

_FIELD_TYPES = {"date": fields.Date, "int": fields.Integer, "tier": fields.Integer, "object": fields.Integer}


def _record_schema(spec: ListSpec) -> type[Schema]:
    attrs: dict[str, Any] = {"id": fields.Integer(dump_only=True), "active": fields.Boolean(dump_only=True)}
    for column in spec.columns:
        field_type = _FIELD_TYPES.get(column.kind, fields.String)
        attrs[column.key] = field_type(metadata={"description": f"{column.header} / {column.header_en}"})
    return Schema.from_dict(attrs, name=f"{spec.model.__name__}")


def _input_schema(spec: ListSpec) -> type[Schema]:
    attrs: dict[str, Any] = {}
    for column in spec.columns:
        description = f"{column.header} / {column.header_en}"
        if column.kind == "tier":
            description += " — tier name or id"
        if column.kind == "object":
            description += " — the unit's unified social credit code"
        if column.choices:
            description += " — one of " + ", ".join(code for code, _label in column.choices)
        attrs[column.key] = fields.String(required=column.required, metadata={"description": description})
    return Schema.from_dict(attrs, name=f"{spec.model.__name__}Input")


class ListArgs(Schema):
    """Query parameters of list endpoints."""

    q = fields.String(load_default="", metadata={"description": "search text"})
    active = fields.String(load_default="yes", validate=validate.OneOf(["yes", "no", "all"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def _page_schema(spec: ListSpec, item: type[Schema]) -> type[Schema]:
    return Schema.from_dict({"items": fields.List(fields.Nested(item)), "total": fields.Integer(),
                             "page": fields.Integer(), "per_page": fields.Integer()},
                            name=f"{spec.model.__name__}Page")


def _as_raw(data: dict[str, Any]) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in data.items()}


def _resources(spec: ListSpec) -> None:
    item, payload = _record_schema(spec), _input_schema(spec)
    page = _page_schema(spec, item)
    name = spec.kind.replace("-", "_")

    class Collection(MethodView):
        access_rule = SIGNED_IN

        @bp.arguments(ListArgs, location="query")
        @bp.response(200, page)
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            """List records (paginated, searchable)."""
            query = records.Query(q=args["q"], active=args["active"], page=args["page"], per_page=args["per_page"])
            rows, total = records.search(spec, query)
            return {"items": rows, "total": total, "page": args["page"], "per_page": args["per_page"]}

        @bp.arguments(payload)
        @bp.response(201, item)
        def post(self, data: dict[str, Any]) -> Any:
            """Create a record (editors of this list only)."""
            record = records.create(current_user, spec, _as_raw(data))
            db.session.commit()
            return record

    class Item(MethodView):
        access_rule = SIGNED_IN

        @bp.response(200, item)
        def get(self, record_id: int) -> Any:
            """One record."""
            return records.get(spec, record_id)

        @bp.arguments(payload)
        @bp.response(200, item)
        def put(self, data: dict[str, Any], record_id: int) -> Any:
            """Replace a record's values (editors only); audited old → new."""
            record = records.get(spec, record_id)
            records.update(current_user, spec, record, _as_raw(data))
            db.session.commit()
            return record

    Collection.__name__ = f"{name}_collection"
    Item.__name__ = f"{name}_item"
    bp.route(f"/{spec.kind}", endpoint=f"{name}_collection")(Collection)
    bp.route(f"/{spec.kind}/<int:record_id>", endpoint=f"{name}_item")(Item)


for _spec in SPECS.values():
    _resources(_spec)


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) time written as RFC 3339 with its offset, as the OpenAPI `date-time` format says."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


DRAW_VIEWERS = frozenset({Role.SUPERVISION, Role.DISCIPLINE, Role.LEADER, Role.LEGAL, Role.AUDITOR, Role.ADMIN})


class DrawSummary(Schema):
    """A draw in lists."""

    id = fields.Integer()
    year = fields.Integer()
    status = fields.String()
    algorithm_version = fields.String()
    record_hash = fields.String(allow_none=True)
    prepared_at = UtcDateTime()
    drawn_at = UtcDateTime(allow_none=True)
    confirmed_at = UtcDateTime(allow_none=True)
    redraw_of_id = fields.Integer(allow_none=True)


class DrawRecord(DrawSummary):
    """The whole draw record (抽取记录); the nonce appears only after the draw."""

    params = fields.Dict()
    pool_hashes = fields.Dict()
    exclusions = fields.List(fields.Dict())
    nonce_hash = fields.String()
    nonce = fields.Method("revealed_nonce")
    witness_entropy = fields.String(allow_none=True)
    seed = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)
    schedule = fields.List(fields.Dict(), allow_none=True)

    def revealed_nonce(self, draw: Any) -> str | None:
        """The server's secret stays secret until the witness has entered entropy."""
        return None if draw.status == "prepared" else draw.nonce


@bp.route("/draws", endpoint="draws_collection")
class DrawCollection(MethodView):
    """Draws."""

    access_rule = DRAW_VIEWERS

    @bp.response(200, DrawSummary(many=True))
    def get(self) -> Any:
        """Every draw, newest first."""
        return draws.list_draws()


@bp.route("/draws/<int:draw_id>", endpoint="draws_item")
class DrawItem(MethodView):
    """One draw record."""

    access_rule = DRAW_VIEWERS

    @bp.response(200, DrawRecord)
    def get(self, draw_id: int) -> Any:
        """The draw record with every intermediate result."""
        return draws.get_draw(draw_id)


def _bearer_token(req: Any) -> str | None:
    """The token of an `Authorization: Bearer …` header (scheme case-insensitive), else None."""
    scheme, _space, token = req.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token and " " not in token else None


@bp.before_request
def _csrf_for_sessions() -> None:
    # A request signed in by its bearer token carries no usable cookie, so CSRF cannot reach it. Any request
    # signed in by the session cookie must show the CSRF token, whatever other headers it sends.
    if "_user_id" in session or _bearer_token(request) is None:
        csrf.protect()


def load_token_user(req: Any) -> Any:
    """Flask-Login request loader: a bearer token, for API paths only."""
    if not req.path.startswith("/api/"):
        return None
    token = _bearer_token(req)
    return tokens.user_for_token(token) if token else None


def _error(status: int, message: str, errors: dict[str, list[str]] | None = None) -> Any:
    body: dict[str, Any] = {"code": status, "message": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def init_app(app: Flask) -> None:
    """Bind the API, its OpenAPI document (public) and token sign-in."""
    app.config.setdefault("API_TITLE", "档案行政执法监督平台 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = _Api(app)  # one per app: the OpenAPI document belongs to the app
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    csrf.exempt(bp)
    serve_spec = app.view_functions["api-docs.openapi_json"]

    def openapi_json() -> Any:
        """The OpenAPI description (public: it describes, it reveals no data)."""
        return serve_spec()

    openapi_json.access_rule = PUBLIC  # type: ignore[attr-defined]
    app.view_functions["api-docs.openapi_json"] = openapi_json


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Any:
    from app.web_helpers import translate

    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        return _error(422, translate(exc), {k: [translate(DomainError(m)) for m in v] for k, v in exc.errors.items()})
    if isinstance(exc, PermissionDenied):
        return _error(403, translate(exc))
    if isinstance(exc, NotFound):
        return _error(404, translate(exc))
    return _error(409, translate(exc))
