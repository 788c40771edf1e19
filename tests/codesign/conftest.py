"""Fixtures of the co-design tests: the posts and calls fixtures, people with their roles, an idea
selected for co-design (its process opened by the lifecycle hook), and file builders."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from PIL import Image

from civic.accounts.models import User
from civic.codesign import participation, services
from civic.codesign.models import StageKind
from civic.codesign.participation import InterestData
from civic.codesign.services import StageData
from civic.extensions import db
from civic.orgs import services as org_services
from civic.posts import lifecycle
from tests.calls.conftest import (  # noqa: F401 - fixtures shared with the calls tests
    ADMIN,
    MODERATOR,
    OTHER_MODERATOR,
    days,
    new_call,
    objectives,
    people,
    programme,
)
from tests.orgs.conftest import CF_A, CF_B, new_org  # noqa: F401 - the organisations' builder
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
    _shared_template_cache,
    add_comment,
    add_vote,
    anna,
    bruno,
    client,
    new_idea,
    new_need,
    palermo,
    themes,
    torino,
)

RESIDENT = "anna@example.it"


def user(email: str) -> User:
    return db.session.query(User).filter_by(email=email).one()


def select_for_codesign(moderator: User, idea) -> None:
    for action in ("review", "shortlist", "select"):
        lifecycle.perform(moderator, idea, action, f"Risposta pubblica: {action}")
    db.session.commit()


# Where today falls: `running` is the stage of today.
SCHEDULES = {
    "before": {"public_notice": (3, 10), "expressions_of_interest": (11, 20), "assessment": (21, 30),
               "codesign_table": (31, 60), "final_project": (61, 70), "agreement": (71, None)},
    "codesign_table": {"public_notice": (-60, -50), "expressions_of_interest": (-49, -30), "assessment": (-29, -10),
                       "codesign_table": (-9, 20), "final_project": (21, 30), "agreement": (31, None)},
    "agreement": {"public_notice": (-90, -80), "expressions_of_interest": (-79, -60), "assessment": (-59, -40),
                  "codesign_table": (-39, -20), "final_project": (-19, -5), "agreement": (-4, None)},
}


def stage_plan(when: str) -> list[StageData]:
    return [StageData(kind, days(start), days(end) if end is not None else None, f"Cosa succede: {kind}")
            for kind, (start, end) in SCHEDULES[when].items()]


@pytest.fixture
def idea(people, anna, torino, new_idea):
    return new_idea(anna, torino, title="Portierato sociale alle Vallette")


@pytest.fixture
def process(idea):
    """The process of an idea selected for co-design, opened by the lifecycle hook."""
    select_for_codesign(user(MODERATOR), idea)
    found = services.process_for_idea(idea)
    assert found is not None
    return found


@pytest.fixture
def planned(process):
    """The process with its stages; today is in the co-design table."""
    def plan(when: str = "codesign_table"):
        services.update_process(user(MODERATOR), process, services.ProcessData(
            title=process.title, summary=process.summary_markdown, stages=stage_plan(when)))
        db.session.commit()
        return process

    return plan


@pytest.fixture
def meeting(process):
    def make(hours_from_now: float = 48, capacity=None, title="Primo tavolo di co-progettazione"):
        from civic.core.timeutil import utcnow

        start = utcnow().astimezone(services.ZoneInfo("Europe/Rome")).replace(tzinfo=None, second=0, microsecond=0)
        start += timedelta(hours=hours_from_now)
        made = services.add_meeting(user(MODERATOR), process, services.MeetingData(
            title=title, starts_at=start, ends_at=start + timedelta(hours=2), place="Via Sansovino 1, Torino",
            agenda="1. Presentazioni\n2. Bisogni", capacity=capacity))
        db.session.commit()
        return made

    return make


# --- files, built in memory -------------------------------------------------------------------

def pdf_bytes(text: str = "Convenzione") -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n" + text.encode())


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def odf_bytes(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def ooxml_bytes(kind: str = "docx") -> bytes:
    folder, main = {"docx": ("word", "wordprocessingml.document.main+xml"),
                    "xlsx": ("xl", "spreadsheetml.sheet.main+xml")}[kind]
    part = "document.xml" if kind == "docx" else "workbook.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types><Override PartName="/' + folder + '/' + part + '" '
                         'ContentType="application/vnd.openxmlformats-officedocument.' + main + '"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{folder}/{part}", "<document/>")
    return buffer.getvalue()


VALID_FILES = {
    "pdf": (pdf_bytes, "convenzione.pdf", "application/pdf"),
    "png": (png_bytes, "mappa.png", "image/png"),
    "jpeg": (jpeg_bytes, "foto.jpeg", "image/jpeg"),
    "odt": (odf_bytes, "verbale.odt", "application/vnd.oasis.opendocument.text"),
    "ods": (lambda: odf_bytes("application/vnd.oasis.opendocument.spreadsheet"), "budget.ods",
            "application/vnd.oasis.opendocument.spreadsheet"),
    "docx": (ooxml_bytes, "progetto.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (lambda: ooxml_bytes("xlsx"), "piano.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def upload(data: bytes, name: str):
    """A file for a test client's form."""
    return (io.BytesIO(data), name)


# --- organisations and their expressions of interest (test_interests.py, test_interest_views.py) ------

CONTRIBUTION = "Due operatrici e venti volontari per la spesa e i farmaci a domicilio."
EXPERIENCE = "Dal 2015 gestiamo il portierato sociale di Barriera di Milano."

# Where today falls, for the expressions of interest: (first day, last day) from today.
INTEREST_SCHEDULES = {
    "before": {"public_notice": (-5, 5), "expressions_of_interest": (6, 20), "assessment": (21, 30)},
    "during": {"public_notice": (-20, -11), "expressions_of_interest": (-10, 10), "assessment": (11, 20)},
    "after": {"public_notice": (-40, -31), "expressions_of_interest": (-30, -11), "assessment": (-10, 10)},
    "agreement": {"public_notice": (-90, -80), "expressions_of_interest": (-79, -60), "assessment": (-59, -40),
                  "codesign_table": (-39, -20), "final_project": (-19, -5), "agreement": (-4, None)},
}


def plan(process, when: str):
    services.update_process(user(MODERATOR), process, services.ProcessData(
        title=process.title, summary=process.summary_markdown,
        stages=[StageData(kind, days(a), days(b) if b is not None else None)
                for kind, (a, b) in INTEREST_SCHEDULES[when].items()]))
    db.session.commit()
    return process


@pytest.fixture
def orgs(people, make_user, new_org, torino):  # noqa: F811
    """Two organisations: A (verified, admin Ada, member Mino) and B (not verified, admin Bea)."""
    ada = make_user(email="ada@example.it", name="Ada Capofila")
    mino = make_user(email="mino@example.it", name="Mino Socio")
    bea = make_user(email="bea@example.it", name="Bea Partner")
    a = new_org(ada, name="Barriera Aperta Cooperativa", codice_fiscale=CF_A, members=[mino])
    b = new_org(bea, name="Ponte Vallette APS", codice_fiscale=CF_B)
    org_services.verify(user(MODERATOR), a)
    db.session.commit()
    return {"a": a, "b": b, "ada": ada, "mino": mino, "bea": bea}


def interest_data(org, role="partner", **overrides) -> InterestData:
    values = dict(organisation_id=org.id, role=role, contribution=CONTRIBUTION, experience=EXPERIENCE)
    values.update(overrides)
    return InterestData(**values)


def express(process, who, org, role="partner", **overrides):
    """`who` expresses the interest of `org` (committed)."""
    interest = participation.express_interest(who, process, interest_data(org, role, **overrides))
    db.session.commit()
    return interest


__all__ = ["StageKind"]
