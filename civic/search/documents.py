"""What search finds: one document per public need, idea, call, co-design process, funded project
and organisation, built from the database with the same visibility rules as every page.

Hidden posts, merged ideas (their page sends to the idea they were merged into), draft calls and
processes whose idea or need is hidden have no document. Both engines index these documents, and the
results page loads its rows again through `fetch`, so a result is checked against the database
before it is shown.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from civic.calls.models import Call, CallStatus
from civic.codesign.models import CodesignProcess, visible_process
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.posts.models import Idea, Need, PostStatus, visible_post
from civic.projects.models import FundedProject, ProjectStatus
from civic.search.text import START, STOP, language_of, plain
from civic.urls import call_url, org_url, post_url, process_url, project_url

BATCH = 500


@dataclass(frozen=True)
class Document:
    kind: str
    id: int
    city_id: int
    title: str
    body: str
    status: str
    created_at: datetime
    neighbourhood_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()
    language: str = "it"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def split_key(key: str) -> tuple[str, int]:
    kind, _, ident = key.partition(":")
    return kind, int(ident)


@dataclass(frozen=True)
class Kind:
    name: str
    label: object          # lazy string, plural: the facet's label
    one: object            # lazy string, singular: a result's label
    query: object          # () -> Select of the public rows, with what the document and the result need
    model: object          # () -> the mapped class (its id column filters the query)
    document: object       # row -> Document
    url: object            # row -> str
    status_label: object   # status value -> str
    extra: dict = field(default_factory=dict)


def _doc(kind: str, row, title: str, parts: Iterable[str | None], status: str, created_at, neighbourhoods=(),
         themes=()) -> Document:
    body = " ".join(plain(p) for p in parts if p)
    title = title.replace(START, "").replace(STOP, "")
    return Document(kind=kind, id=row.id, city_id=row.city_id, title=title, body=body, status=status,
                    created_at=created_at, neighbourhood_ids=tuple(neighbourhoods), theme_ids=tuple(themes),
                    language=language_of(f"{title} {body}"))


# --- needs and ideas ---------------------------------------------------------------------------

def _posts(model_name: str) -> Select:
    model = Need if model_name == "need" else Idea
    query = (select(model).where(visible_post())
             .options(joinedload(model.city), joinedload(model.neighbourhood), joinedload(model.theme)))
    if model is Idea:
        query = query.where(Idea.status != PostStatus.MERGED)
    return query


def _post_doc(post) -> Document:
    parts = [getattr(post, "summary", None), post.body_markdown, getattr(post, "location_text", None),
             getattr(post, "beneficiaries", None)]
    return _doc(post.kind, post, post.title, parts, post.status, post.created_at,
                [post.neighbourhood_id] if post.neighbourhood_id else [], [post.theme_id])


def _post_status(value: str) -> str:
    return PostStatus(value).label


# --- calls -------------------------------------------------------------------------------------

def _calls() -> Select:
    return (select(Call).where(Call.status == CallStatus.PUBLISHED)
            .options(joinedload(Call.city), selectinload(Call.themes)))


def _call_doc(call) -> Document:
    return _doc("call", call, call.title, [call.description_markdown, call.eligibility_markdown], call.status,
                call.published_at or call.created_at, (), [t.id for t in call.themes])


# --- co-design processes -----------------------------------------------------------------------

def _processes() -> Select:
    return select(CodesignProcess).where(visible_process()).options(joinedload(CodesignProcess.city))


def _process_doc(process) -> Document:
    return _doc("process", process, process.title, [process.summary_markdown, process.outcome_markdown],
                process.status, process.opened_at)


def _process_status(value: str) -> str:
    return str(_l("Open") if value == "open" else _l("Closed"))


# --- funded projects ---------------------------------------------------------------------------

def _projects() -> Select:
    return (select(FundedProject)
            .options(joinedload(FundedProject.city), joinedload(FundedProject.idea),
                     selectinload(FundedProject.neighbourhoods)))


def _project_doc(project) -> Document:
    # display_*: the words of a hidden idea never reach the index through its project.
    return _doc("project", project, str(project.display_title),
                [project.display_summary, project.action, project.cup, project.local_code, project.beneficiary_name],
                project.status, project.created_at, [n.id for n in project.neighbourhoods],
                [project.theme_id] if project.theme_id else [])


def _project_status(value: str) -> str:
    return ProjectStatus(value).label


# --- organisations -----------------------------------------------------------------------------

def _organisations() -> Select:
    return select(Organisation).options(joinedload(Organisation.city), selectinload(Organisation.themes))


def _organisation_doc(org) -> Document:
    status = "verified" if org.verified_at is not None else "registered"
    return _doc("organisation", org, org.name, [org.description_markdown, org.legal_form, org.codice_fiscale],
                status, org.created_at, (), [t.id for t in org.themes])


def _organisation_status(value: str) -> str:
    return str(_l("Verified") if value == "verified" else _l("Registered"))


KINDS: dict[str, Kind] = {
    "need": Kind("need", _l("Needs"), _l("Need"), lambda: _posts("need"), lambda: Need,
                 _post_doc, post_url, _post_status),
    "idea": Kind("idea", _l("Ideas"), _l("Idea"), lambda: _posts("idea"), lambda: Idea,
                 _post_doc, post_url, _post_status),
    "call": Kind("call", _l("Calls for ideas"), _l("Call for ideas"), _calls, lambda: Call,
                 _call_doc, call_url, lambda value: str(_l("Published"))),
    "process": Kind("process", _l("Co-design processes"), _l("Co-design process"), _processes,
                    lambda: CodesignProcess, _process_doc, process_url, _process_status),
    "project": Kind("project", _l("Funded projects"), _l("Funded project"), _projects,
                    lambda: FundedProject, _project_doc, project_url, _project_status),
    "organisation": Kind("organisation", _l("Organisations"), _l("Organisation"), _organisations,
                         lambda: Organisation, _organisation_doc, org_url,
                         _organisation_status),
}


def all_documents() -> Iterator[Document]:
    """Every public document, one batch of rows in memory at a time."""
    for kind in KINDS.values():
        query = kind.query().order_by(kind.model().id).execution_options(yield_per=BATCH)
        for row in db.session.scalars(query):
            yield kind.document(row)


def count_rows() -> int:
    from sqlalchemy import func

    return sum(db.session.scalar(select(func.count()).select_from(kind.query().subquery())) or 0
               for kind in KINDS.values())


def fetch(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], object]:
    """The public rows of these (kind, id) keys, one query per kind; a key whose row is not public
    (hidden, merged, draft, deleted) is absent from the answer."""
    wanted: dict[str, set[int]] = {}
    for kind, ident in keys:
        if kind in KINDS:
            wanted.setdefault(kind, set()).add(ident)
    rows = {}
    for kind, ids in wanted.items():
        spec = KINDS[kind]
        for row in db.session.scalars(spec.query().where(spec.model().id.in_(ids))):
            rows[(kind, row.id)] = row
    return rows


def documents_for(keys: Iterable[tuple[str, int]]) -> tuple[list[Document], list[str]]:
    """The documents of these keys, and the keys that have none (to remove from the index)."""
    keys = set(keys)
    rows = fetch(keys)
    docs = [KINDS[kind].document(row) for (kind, _ident), row in rows.items()]
    gone = [f"{kind}:{ident}" for kind, ident in keys if (kind, ident) not in rows]
    return docs, gone
