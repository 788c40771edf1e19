"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

tests/api/test_openapi.py validates every endpoint's real answers against these schemas and fails when
a route of the API is missing here.
"""
from __future__ import annotations

from sqlalchemy import select

from civic.codesign.models import ProcessStatus
from civic.extensions import db
from civic.posts.models import PostStatus
from civic.projects.models import ProjectStatus
from civic.territories.models import City, Neighbourhood, Programme, Theme
from civic.urls import site_url

_NULLABLE_STRING = {"type": ["string", "null"]}
_PLACE = {"type": "object", "required": ["slug", "name"], "additionalProperties": False,
          "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}}


def _post_schema(extra: dict, description: str) -> dict:
    properties = {
        "id": {"type": "integer", "minimum": 1},
        "kind": {"type": "string", "enum": ["need", "idea"]},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in PostStatus]},
        "city": {"$ref": "#/components/schemas/Place"},
        "neighbourhood": {"oneOf": [{"$ref": "#/components/schemas/Place"}, {"type": "null"}]},
        "theme": {"$ref": "#/components/schemas/Place"},
        "author": {"$ref": "#/components/schemas/Author"},
        "body": {"type": "string", "description": "The text as written (Markdown)."},
        "body_html": {"type": "string", "description": "The text rendered to sanitised HTML."},
        "vote_count": {"type": "integer", "minimum": 0},
        "comment_count": {"type": "integer", "minimum": 0},
        "created_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "format": "uri", "description": "The public page."},
        **extra,
    }
    return {"type": "object", "description": description, "required": list(properties),
            "additionalProperties": False, "properties": properties}


SCHEMAS = {
    "Place": _PLACE,
    "Author": {"type": "object", "required": ["display_name", "profile_url"], "additionalProperties": False,
               "properties": {"display_name": {"type": "string"},
                              "profile_url": {"type": ["string", "null"], "format": "uri",
                                              "description": "null for a deleted account"}}},
    "Need": _post_schema({"location_text": _NULLABLE_STRING}, "A need reported by a resident."),
    "Idea": _post_schema({"summary": {"type": "string"}, "beneficiaries": {"type": "string"},
                          "estimated_cost": {"type": ["string", "null"], "pattern": r"^\d+(\.\d{1,2})?$",
                                             "description": "Euro, as a decimal string."}},
                         "An idea proposed by a resident or an organisation."),
    "Error": {"type": "object", "required": ["error"], "additionalProperties": False,
              "properties": {"error": {
                  "type": "object", "required": ["status", "message"],
                  "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                                 "message": {"type": "string"}, "request_id": {"type": "string"}}}}},
}


def _list_schema(resource: str) -> dict:
    return {"type": "object", "required": ["data", "next_cursor"], "additionalProperties": False,
            "properties": {"data": {"type": "array", "items": {"$ref": f"#/components/schemas/{resource}"}},
                           "next_cursor": {"type": ["string", "null"],
                                           "description": "Pass it as `cursor` for the next page; null on the "
                                                          "last page."}}}


def _object(description: str, properties: dict) -> dict:
    return {"type": "object", "description": description, "required": list(properties),
            "additionalProperties": False, "properties": properties}


_CODED = {"type": "object", "required": ["code", "name"], "additionalProperties": False,
          "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
_THEMES = {"type": "array", "items": {"$ref": "#/components/schemas/Place"}}
_DATE_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
SCHEMAS["Call"] = _object("A published call for ideas (avviso); drafts never appear.", {
    "id": {"type": "integer", "minimum": 1},
    "title": {"type": "string"},
    "city": {"$ref": "#/components/schemas/Place"},
    "programme": _CODED,
    "objective": _CODED,
    "themes": _THEMES,
    "budget_eur": {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "description": "Euro, as a decimal string."},
    "description": {"type": "string"},
    "description_html": {"type": "string"},
    "published_at": _DATE_TIME_OR_NULL,
    "results_published_at": _DATE_TIME_OR_NULL,
    "url": {"type": "string", "format": "uri"},
})
SCHEMAS["Organisation"] = _object("A Third Sector organisation's public profile (no contacts).", {
    "id": {"type": "integer", "minimum": 1},
    "name": {"type": "string"},
    "legal_form": {"type": "string"},
    "runts_section": {"type": "string", "description": "Section of the RUNTS register (a-g)."},
    "codice_fiscale": {"type": "string"},
    "city": {"$ref": "#/components/schemas/Place"},
    "themes": _THEMES,
    "description": {"type": "string"},
    "website": _NULLABLE_STRING,
    "verified": {"type": "boolean", "description": "Checked against the RUNTS by a moderator."},
    "member_count": {"type": "integer", "minimum": 0},
    "created_at": {"type": "string", "format": "date-time"},
    "url": {"type": "string", "format": "uri"},
})
_ID_OR_NULL = {"type": ["integer", "null"], "minimum": 1}
SCHEMAS["CodesignProcess"] = _object("A co-design process (co-progettazione, Art. 55); its origin is not hidden.", {
    "id": {"type": "integer", "minimum": 1},
    "title": {"type": "string"},
    "status": {"type": "string", "enum": ["open", "closed"]},
    "city": {"$ref": "#/components/schemas/Place"},
    "summary": {"type": "string"},
    "idea_id": _ID_OR_NULL,
    "need_id": _ID_OR_NULL,
    "call_id": _ID_OR_NULL,
    "opened_at": {"type": "string", "format": "date-time"},
    "closed_at": _DATE_TIME_OR_NULL,
    "outcome": {"type": "string"},
    "url": {"type": "string", "format": "uri"},
})
_AMOUNT = {"type": "string", "pattern": r"^\d+\.\d{2}$", "description": "Euro, as a decimal string."}
_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_CODED_OR_NULL = {"oneOf": [_CODED, {"type": "null"}]}
SCHEMAS["FundedProject"] = _object(
    "A funded project. It stays public when the idea it came from is hidden; that idea then never shows "
    "(neutral title, no summary copied from it, idea_id null).", {
        "id": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "summary": {"type": "string", "description": "As written (Markdown)."},
        "summary_html": {"type": "string"},
        "cup": {"type": ["string", "null"], "pattern": r"^[A-Z][0-9]{2}[A-Z][0-9]{11}$",
                "description": "Codice Unico di Progetto; null until obtained."},
        "local_code": {**_NULLABLE_STRING, "description": "Local project code, e.g. TO4.4.11.1.b."},
        "programme": _CODED_OR_NULL,
        "priority": {"oneOf": [{"type": "object", "required": ["code", "name", "fund"], "additionalProperties": False,
                                "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                               "fund": _NULLABLE_STRING}},
                               {"type": "null"}], "description": "Axis or priority of the programme."},
        "objective": _CODED_OR_NULL,
        "theme": {"oneOf": [{"$ref": "#/components/schemas/Place"}, {"type": "null"}],
                  "description": "Theme of the platform (OpenCoesione's OC_TEMA_SINTETICO mapped to it)."},
        "action": {"type": "string"},
        "city": {"$ref": "#/components/schemas/Place"},
        "region": {"type": "string"},
        "neighbourhoods": _THEMES,
        "beneficiary_name": {"type": "string"},
        "beneficiary_tax_code": {**_NULLABLE_STRING, "description": "Codice fiscale of the beneficiary (a public body)."},
        "implementing_organisations": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "role", "url"], "additionalProperties": False,
            "properties": {"id": {"type": "integer", "minimum": 1}, "name": {"type": "string"},
                           "role": {"type": "string", "enum": ["lead", "partner"]},
                           "url": {"type": "string", "format": "uri"}}}},
        "starts_on": _DATE_OR_NULL,
        "planned_end_on": _DATE_OR_NULL,
        "ended_on": _DATE_OR_NULL,
        "status": {"type": "string", "enum": ["not_started", "in_progress", "completed"]},
        "funding_total": {**_AMOUNT, "description": "Total public funding, euro."},
        "eu_share": {**_AMOUNT, "description": "EU share of the funding, euro."},
        "committed_total": {**_AMOUNT, "description": "Sum of the commitments (impegni), euro."},
        "paid_total": {**_AMOUNT, "description": "Sum of the payments, euro."},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100,
                     "description": "Percentage done: the weights of the completed milestones."},
        "people_reached": {"type": "integer", "minimum": 0, "description":
                           "Participants reached: indicator EECO01, or the largest EECO indicator without it."},
        "housing_units": {"type": "integer", "minimum": 0, "description": "Housing units (indicator CO40)."},
        "area_m2": {**_AMOUNT, "description": "Square metres recovered (indicators CO38 and CO39)."},
        "indicators": {"type": "array", "items": {
            "type": "object", "required": ["code", "name", "unit", "target", "achieved"],
            "additionalProperties": False,
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "unit": {"type": "string"},
                           "target": _AMOUNT, "achieved": _AMOUNT}}},
        "idea_id": {**_ID_OR_NULL, "description": "The idea it came from; null when none or hidden."},
        "created_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "format": "uri"},
    })
_COUNT = {"type": "integer", "minimum": 0}
_COUNT_OR_NULL = {"type": ["integer", "null"], "minimum": 0}
_FIGURES = {
    "projects": {**_COUNT, "description": "Funded projects."},
    "people_reached": {**_COUNT, "description": "Sum of the projects' people reached (EECO indicators)."},
    "housing_units": {**_COUNT, "description": "Sum of the projects' housing units (indicator CO40)."},
    "area_m2": {**_AMOUNT, "description": "Sum of the square metres recovered (CO38 and CO39)."},
    "funding_total": {**_AMOUNT, "description": "Euro programmed: sum of the projects' public funding."},
    "committed_total": {**_AMOUNT, "description": "Euro committed (impegni)."},
    "paid_total": {**_AMOUNT, "description": "Euro paid."},
    "ideas": {**_COUNT_OR_NULL, "description": "Public ideas (an idea has the programme of its call)."},
    "needs": {**_COUNT_OR_NULL, "description": "Public needs; null under a programme filter (a need has none)."},
    "codesign_processes": {**_COUNT, "description": "Co-design processes run (opened), whose origin is public."},
    "codesign_completed": {**_COUNT, "description": "Of which closed."},
    "organisations": {**_COUNT, "description": "Distinct organisations that are partners of a project or admitted "
                                               "to a co-design process."},
    "registered_organisations": {**_COUNT_OR_NULL, "description": "Organisations registered on the platform: in "
                                 "the totals and per city only, null elsewhere and under a programme filter."},
}
SCHEMAS["FigureValues"] = _object("The programme figures of a selection or of one group.", _FIGURES)
SCHEMAS["FigureGroup"] = _object("One group of a dimension; key and name null for the projects not assigned.", {
    "key": {**_NULLABLE_STRING, "description": "City slug, programme code, programme code/axis or priority code, "
                                               "objective code or theme slug."},
    "name": _NULLABLE_STRING,
    **_FIGURES,
})
_GROUPS = {"type": "array", "items": {"$ref": "#/components/schemas/FigureGroup"}}
SCHEMAS["Figures"] = _object(
    "The programme figures: totals, the same by dimension, and the figures the programme itself reports "
    "(not computed) beside the ones computed here.", {
        "filters": {"type": "object", "required": ["programme", "city"], "additionalProperties": False,
                    "properties": {"programme": _NULLABLE_STRING, "city": _NULLABLE_STRING}},
        "totals": {"$ref": "#/components/schemas/FigureValues"},
        "groups": {"type": "object", "required": ["city", "programme", "priority", "objective", "theme"],
                   "additionalProperties": False,
                   "properties": {d: _GROUPS for d in ("city", "programme", "priority", "objective", "theme")}},
        "reported_by_programme": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "programme", "priorities", "figure", "value", "approximate", "description", "source",
                         "computed"],
            "properties": {
                "id": {"type": "string"}, "programme": {"type": "string"},
                "priorities": {"type": "array", "items": {"type": "string"}},
                "figure": {"type": "string", "enum": list(_FIGURES)},
                "value": {"type": ["integer", "string"], "description": "As reported by the programme."},
                "approximate": {"type": "boolean"}, "description": {"type": "string"},
                "source": {"type": "string"},
                "computed": {"type": ["integer", "string"],
                             "description": "The same figure computed here (with the filters)."}}}},
    })
for _name in ("Need", "Idea", "Call", "Organisation", "CodesignProcess", "FundedProject"):
    SCHEMAS[f"{_name}List"] = _list_schema(_name)

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_STATUSES = {"post": [s.value for s in PostStatus], "codesign": [s.value for s in ProcessStatus],
             "project": [s.value for s in ProjectStatus]}


def _parameters() -> dict:
    """The query parameters, each filter with the values it accepts: the cities, themes, programmes and
    neighbourhoods as they are in the database when the document is asked for, the statuses of each kind.
    A value outside them is answered 400; each parameter is given once (twice is 400 too)."""
    def values(column) -> list[str]:
        return list(db.session.scalars(select(column).distinct().order_by(column)))

    def choice(name: str, allowed: list[str], description: str) -> dict:
        return {"name": name, "in": "query", "schema": {"type": "string", "enum": allowed},
                "description": description}

    return {
        "city": choice("city", values(City.slug), "City slug, e.g. torino."),
        "neighbourhood": choice("neighbourhood", values(Neighbourhood.slug),
                                "Neighbourhood slug; with `city`, that city's neighbourhood of this name (none "
                                "matches when the city has no such neighbourhood)."),
        "theme": choice("theme", values(Theme.slug), "Theme slug."),
        "status_post": choice("status", _STATUSES["post"], "A status of the lifecycle."),
        "status_codesign": choice("status", _STATUSES["codesign"], "open or closed."),
        "status_project": choice("status", _STATUSES["project"], "not_started, in_progress or completed."),
        "programme": choice("programme", values(Programme.code), "Programme code, e.g. PN-METRO-PLUS."),
        "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"},
                   "description": "The next_cursor of the previous page."},
        "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                             "default": 20}},
        "item_id": {"name": "item_id", "in": "path", "required": True,
                    "schema": {"type": "integer", "minimum": 1}},
    }


def _ok(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": f"#/components/schemas/{schema}"}}}}


_POST_FILTERS = ("city", "neighbourhood", "theme", "status_post")


def _list_path(resource: str, plural: str, filters: tuple[str, ...] = _POST_FILTERS) -> dict:
    return {"get": {
        "operationId": f"list_{plural.replace(' ', '_')}", "summary": f"Public {plural}, newest first (by id)",
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in (*filters, "cursor", "limit")],
        "responses": {"200": _ok(f"{resource}List", f"A page of {plural}"),
                      "400": {"description": "Invalid filter, limit or cursor", "content": _ERROR},
                      "429": {"description": "Too many requests", "content": _ERROR}}}}


def _item_path(resource: str, plural: str) -> dict:
    return {"get": {
        "operationId": f"get_{plural[:-1].replace(' ', '_')}", "summary": f"One public {plural[:-1]}",
        "parameters": [{"$ref": "#/components/parameters/item_id"}],
        "responses": {"200": _ok(resource, f"The {plural[:-1]}"),
                      "404": {"description": "Unknown or not public", "content": _ERROR},
                      "429": {"description": "Too many requests", "content": _ERROR}}}}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Città Inclusive API", "version": "1",
                 "description": "Read-only public data: hidden content never appears.",
                 "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}},
        "servers": [{"url": site_url("api.needs").rsplit("/", 1)[0]}],
        "paths": {
            "/needs": _list_path("Need", "needs"),
            "/needs/{item_id}": _item_path("Need", "needs"),
            "/ideas": _list_path("Idea", "ideas"),
            "/ideas/{item_id}": _item_path("Idea", "ideas"),
            "/calls": _list_path("Call", "calls", ("city", "theme")),
            "/calls/{item_id}": _item_path("Call", "calls"),
            "/codesign": _list_path("CodesignProcess", "codesign processes", ("city", "status_codesign")),
            "/codesign/{item_id}": _item_path("CodesignProcess", "codesign processes"),
            "/organisations": _list_path("Organisation", "organisations", ("city", "theme")),
            "/organisations/{item_id}": _item_path("Organisation", "organisations"),
            "/projects": _list_path("FundedProject", "funded projects", ("city", "programme", "status_project")),
            "/projects/{item_id}": _item_path("FundedProject", "funded projects"),
            "/figures": {"get": {
                "operationId": "get_figures",
                "summary": "Programme figures: totals and groups by city, programme, axis/priority, objective, theme",
                "parameters": [{"$ref": "#/components/parameters/programme"}, {"$ref": "#/components/parameters/city"}],
                "responses": {"200": _ok("Figures", "The figures of the selection"),
                              "400": {"description": "Unknown parameter, programme or city", "content": _ERROR},
                              "429": {"description": "Too many requests", "content": _ERROR}}}},
            "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                      "responses": {"200": {"description": "The OpenAPI document",
                                                            "content": {"application/json": {}}}}}},
        },
        "components": {"schemas": SCHEMAS, "parameters": _parameters()},
    }
