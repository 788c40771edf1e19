"""What the API and the open data exports publish of needs, ideas, calls, co-design processes,
organisations and funded projects: public fields only, under the visibility rules of the models (`visible_post`, `visible_process`).

Never emails, private notes or moderation details; the author by display name and profile address.
A page costs a fixed number of queries: many-to-one relations are joined in, collections (themes) are
read with one selectinload.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from civic.calls.models import Call, CallStatus
from civic.codesign.models import CodesignProcess, ProcessStatus, visible_process
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.posts.models import Idea, Need, Post, PostStatus, visible_post
from civic.projects.models import FundedProject, ProjectPartner, ProjectStatus
from civic.territories import filters
from civic.territories.filters import FilterError
from civic.territories.models import Neighbourhood, Theme
from civic.urls import site_url

MODELS: dict[str, type[Post]] = {"needs": Need, "ideas": Idea}


def public_posts(model: type[Post]) -> Select:
    """Every public post of a kind, with what its public record shows, newest id first."""
    return (select(model).where(visible_post())
            .options(joinedload(model.author), joinedload(model.city), joinedload(model.neighbourhood),
                     joinedload(model.theme))
            .order_by(model.id.desc()))


def apply_filters(query: Select, model: type[Post], args) -> Select:
    """city, neighbourhood, theme (slugs) and status; anything unknown is refused."""
    city = None
    if slug := args.get("city"):
        city = filters.city(slug)
        query = query.where(model.city_id == city.id)
    if slug := args.get("neighbourhood"):
        # Neighbourhoods of this name in any city (a name is a city's own: with the city filter, that
        # city's, and none when it has no such neighbourhood: the filters combine).
        named = dict(db.session.execute(select(Neighbourhood.id, Neighbourhood.city_id)
                                        .where(Neighbourhood.slug == slug[:filters.SHOWN_MAX])).all())
        if not named:
            raise FilterError(_l("Unknown neighbourhood: %(value)s.", value=slug[:filters.SHOWN_MAX]))
        query = query.where(model.neighbourhood_id.in_(
            [ident for ident, city_id in named.items() if city is None or city_id == city.id]))
    if slug := args.get("theme"):
        theme = filters.theme(slug)
        query = query.where(model.theme_id == theme.id)
    if status := args.get("status"):
        if status not in {s.value for s in PostStatus}:
            raise FilterError(_l("Unknown status: %(value)s.", value=status))
        query = query.where(model.status == status)
    return query


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else None


def post_record(post: Post) -> dict:
    """The public record of a need or an idea (the API item; the exports flatten it)."""
    record = {
        "id": post.id,
        "kind": post.kind,
        "title": post.title,
        "status": post.status,
        "city": {"slug": post.city.slug, "name": post.city.name},
        "neighbourhood": ({"slug": post.neighbourhood.slug, "name": post.neighbourhood.name}
                          if post.neighbourhood else None),
        "theme": {"slug": post.theme.slug, "name": post.theme.name_it},
        # A deleted account has no profile, and its name is the same words for everyone.
        "author": {"display_name": post.author.display_name,
                   "profile_url": (None if post.author.is_deleted
                                   else site_url("accounts.profile", user_id=post.author_id))},
        "body": post.body_markdown,
        "body_html": post.body_html,
        "vote_count": post.vote_count,
        "comment_count": post.comment_count,
        "created_at": _iso(post.created_at),
        "url": site_url(f"posts.{post.kind}", post_id=post.id, slug=post.slug),
    }
    if isinstance(post, Need):
        record["location_text"] = post.location_text
    if isinstance(post, Idea):
        record["summary"] = post.summary
        record["beneficiaries"] = post.beneficiaries
        record["estimated_cost"] = str(post.estimated_cost) if post.estimated_cost is not None else None
    return record


# --- calls and organisations ---------------------------------------------------------------------

def public_calls() -> Select:
    """Published calls only: a draft call never appears."""
    return (select(Call).where(Call.status == CallStatus.PUBLISHED)
            .options(joinedload(Call.city), joinedload(Call.programme), joinedload(Call.objective),
                     selectinload(Call.themes))
            .order_by(Call.id.desc()))


def public_organisations() -> Select:
    return (select(Organisation).options(joinedload(Organisation.city), selectinload(Organisation.themes))
            .order_by(Organisation.id.desc()))


def _city_and_theme(query: Select, model, args) -> Select:
    if slug := args.get("city"):
        city = filters.city(slug)
        query = query.where(model.city_id == city.id)
    if slug := args.get("theme"):
        theme = filters.theme(slug)
        query = query.where(model.themes.any(Theme.id == theme.id))
    return query


def _themes(rows) -> list[dict]:
    return [{"slug": t.slug, "name": t.name_it} for t in rows]


def call_record(call: Call) -> dict:
    """A published call: never its evaluations (scores, private notes) nor who wrote it."""
    return {
        "id": call.id,
        "title": call.title,
        "city": {"slug": call.city.slug, "name": call.city.name},
        "programme": {"code": call.programme.code, "name": call.programme.name},
        "objective": {"code": call.objective.code, "name": call.objective.name_it},
        "themes": _themes(call.themes),
        "budget_eur": str(call.budget_eur),
        "description": call.description_markdown,
        "description_html": call.description_html,
        "published_at": _iso(call.published_at),
        "results_published_at": _iso(call.results_published_at),
        "url": site_url("calls.show", call_id=call.id, slug=call.slug),
    }


def organisation_record(org: Organisation) -> dict:
    """An organisation's public profile, without its contacts (email, telephone) or who verified it."""
    return {
        "id": org.id,
        "name": org.name,
        "legal_form": org.legal_form,
        "runts_section": org.runts_section,
        "codice_fiscale": org.codice_fiscale,
        "city": {"slug": org.city.slug, "name": org.city.name},
        "themes": _themes(org.themes),
        "description": org.description_markdown,
        "website": org.website,
        "verified": org.verified_at is not None,
        "member_count": org.member_count,
        "created_at": _iso(org.created_at),
        "url": site_url("orgs.show", org_id=org.id, org_slug=org.slug),
    }


def public_processes() -> Select:
    """Co-design processes whose idea or need is not hidden (`visible_process`, civic/codesign/models.py)."""
    return (select(CodesignProcess).where(visible_process()).options(joinedload(CodesignProcess.city))
            .order_by(CodesignProcess.id.desc()))


def _process_filters(query: Select, args) -> Select:
    if slug := args.get("city"):
        city = filters.city(slug)
        query = query.where(CodesignProcess.city_id == city.id)
    if status := args.get("status"):
        if status not in {s.value for s in ProcessStatus}:
            raise FilterError(_l("Unknown status: %(value)s.", value=status))
        query = query.where(CodesignProcess.status == status)
    return query


def process_record(process: CodesignProcess) -> dict:
    """A co-design process's public record: never its participants-only documents or expressions of interest."""
    return {
        "id": process.id,
        "title": process.title,
        "status": process.status,
        "city": {"slug": process.city.slug, "name": process.city.name},
        "summary": process.summary_markdown,
        "idea_id": process.idea_id,
        "need_id": process.need_id,
        "call_id": process.call_id,
        "opened_at": _iso(process.opened_at),
        "closed_at": _iso(process.closed_at),
        "outcome": process.outcome_markdown,
        "url": site_url("codesign.show", process_id=process.id, slug=process.slug),
    }


# --- funded projects -----------------------------------------------------------------------------

def public_projects() -> Select:
    """Every funded project: a project stays public when the idea it came from is hidden (its record
    then never shows that idea: display_title, display_summary, no idea_id). Many-to-one relations are
    joined, collections read with one selectinload each (also per batch of an export's yield_per)."""
    return (select(FundedProject)
            .options(joinedload(FundedProject.city), joinedload(FundedProject.programme),
                     joinedload(FundedProject.priority), joinedload(FundedProject.objective),
                     joinedload(FundedProject.theme), joinedload(FundedProject.idea),
                     selectinload(FundedProject.neighbourhoods),
                     selectinload(FundedProject.partners).joinedload(ProjectPartner.organisation),
                     selectinload(FundedProject.milestones), selectinload(FundedProject.indicators))
            .order_by(FundedProject.id.desc()))


def _project_filters(query: Select, args) -> Select:
    """city (slug), programme (code) and status (not_started, in_progress, completed)."""
    if slug := args.get("city"):
        city = filters.city(slug)
        query = query.where(FundedProject.city_id == city.id)
    if code := args.get("programme"):
        programme = filters.programme(code)
        query = query.where(FundedProject.programme_id == programme.id)
    if status := args.get("status"):
        if status not in {s.value for s in ProjectStatus}:
            raise FilterError(_l("Unknown status: %(value)s.", value=status))
        query = query.where(FundedProject.status == status)
    return query


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _amount(value) -> str:
    return f"{value:.2f}"


def project_record(project: FundedProject) -> dict:
    """A funded project's public record: never who created it, its exceptions' reasons or, when the idea
    it came from is hidden, that idea (its title, its summary, its id)."""
    hidden = project.origin_hidden
    return {
        "id": project.id,
        "title": str(project.display_title),
        "summary": project.display_summary,
        "summary_html": project.display_summary_html,
        "cup": project.cup,
        "local_code": project.local_code,
        "programme": ({"code": project.programme.code, "name": project.programme.name}
                      if project.programme else None),
        "priority": ({"code": project.priority.code, "name": project.priority.name_it,
                      "fund": project.priority.fund} if project.priority else None),
        "objective": ({"code": project.objective.code, "name": project.objective.name_it}
                      if project.objective else None),
        "theme": {"slug": project.theme.slug, "name": project.theme.name_it} if project.theme else None,
        "action": project.action,
        "city": {"slug": project.city.slug, "name": project.city.name},
        "region": project.city.region,
        "neighbourhoods": [{"slug": n.slug, "name": n.name} for n in project.neighbourhoods],
        "beneficiary_name": project.beneficiary_name,
        "beneficiary_tax_code": project.beneficiary_tax_code,
        "implementing_organisations": [
            {"id": p.organisation.id, "name": p.organisation.name, "role": p.role,
             "url": site_url("orgs.show", org_id=p.organisation.id, org_slug=p.organisation.slug)}
            for p in project.partners],
        "starts_on": _date(project.starts_on),
        "planned_end_on": _date(project.planned_end_on),
        "ended_on": _date(project.ended_on),
        "status": project.status,
        "funding_total": _amount(project.funding_total),
        "eu_share": _amount(project.eu_share),
        "committed_total": _amount(project.committed_total),
        "paid_total": _amount(project.paid_total),
        "progress": project.progress,
        "people_reached": project.people_reached,
        "housing_units": project.housing_units,
        "area_m2": _amount(project.area_m2),
        "indicators": [{"code": i.code, "name": i.name, "unit": i.unit, "target": _amount(i.target),
                        "achieved": _amount(i.achieved)} for i in project.indicators],
        "idea_id": None if hidden else project.idea_id,
        "created_at": _iso(project.created_at),
        "url": site_url("projects.show", project_id=project.id, slug=project.display_slug),
    }


@dataclass(frozen=True)
class Resource:
    """One kind of public record: its rows, its filters, its record."""

    model: type
    query: Callable[[], Select]
    filter: Callable[[Select, object], Select]
    record: Callable[[object], dict]
    filters: frozenset[str]


def _post_resource(model: type[Post]) -> Resource:
    return Resource(model, lambda: public_posts(model), lambda q, args: apply_filters(q, model, args), post_record,
                    frozenset({"city", "neighbourhood", "theme", "status"}))


RESOURCES: dict[str, Resource] = {
    "needs": _post_resource(Need),
    "ideas": _post_resource(Idea),
    "calls": Resource(Call, public_calls, lambda q, args: _city_and_theme(q, Call, args), call_record,
                      frozenset({"city", "theme"})),
    "codesign": Resource(CodesignProcess, public_processes, _process_filters, process_record,
                         frozenset({"city", "status"})),
    "organisations": Resource(Organisation, public_organisations,
                              lambda q, args: _city_and_theme(q, Organisation, args), organisation_record,
                              frozenset({"city", "theme"})),
    "projects": Resource(FundedProject, public_projects, _project_filters, project_record,
                         frozenset({"city", "programme", "status"})),
}
