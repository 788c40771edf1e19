"""`flask projects import FILE [--as EMAIL] [--dry-run]`: the acting user, the progress bar, the exit codes,
the errors on stderr with their line and column, and a dry run that saves nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.extensions import db
from civic.projects.models import Commitment, FundedProject
from tests.conftest import table_counts
from tests.projects.conftest import ADMIN, MODERATOR, RESIDENT
from tests.projects.test_import import BASE, CUP_A, SECOND, csv_file


@pytest.fixture
def setup(people, torino, palermo, programme, objectives, themes):
    return torino


@pytest.fixture
def invoke(runner, tmp_path):
    def call(data: bytes, *options: str):
        path = tmp_path / "progetti.csv"
        path.write_bytes(data)
        result = runner.invoke(args=["projects", "import", str(path), *options])
        db.session.rollback()
        return result

    return call


def projects() -> int:
    return db.session.scalar(select(func.count()).select_from(FundedProject))


def test_an_import_shows_progress_and_the_counts(setup, invoke):
    result = invoke(csv_file(BASE, SECOND), "--as", MODERATOR)
    assert result.exit_code == 0, result.output
    assert "created 2, updated 0, unchanged 0" in result.stdout
    assert "Checking the projects" in result.stderr  # the bar itself draws on a terminal only
    assert projects() == 2
    before = table_counts()
    result = invoke(csv_file(BASE, SECOND), "--as", MODERATOR)
    assert result.exit_code == 0 and "created 0, updated 0, unchanged 2" in result.stdout
    assert table_counts() == before


def test_the_first_admin_acts_by_default(setup, invoke):
    result = invoke(csv_file(BASE))
    assert result.exit_code == 0, result.output
    project = db.session.scalar(select(FundedProject).where(FundedProject.cup == CUP_A))
    from civic.accounts.models import User

    assert db.session.get(User, project.created_by_id).email == ADMIN


def test_errors_are_printed_with_their_line_and_nothing_is_imported(setup, invoke):
    before = table_counts()
    result = invoke(csv_file(SECOND, {**BASE, "CUP": "XX"}, {**BASE, "CUP": "", "FINANZ_UE": "1,2345"}),
                    "--as", MODERATOR)
    assert result.exit_code == 1
    assert "line 3, CUP: " in result.stderr and "line 4, FINANZ_UE: " in result.stderr
    assert "Nothing was imported." in result.stderr and "created" not in result.stdout
    assert table_counts() == before


def test_warnings_are_printed_and_the_import_goes_on(setup, invoke):
    result = invoke(csv_file({**BASE, "OC_TEMA_SINTETICO": "Inclusione sociale"}), "--as", MODERATOR)
    assert result.exit_code == 0
    assert "warning: line 2, OC_TEMA_SINTETICO:" in result.stderr and "(1 warning(s))" in result.stdout


def test_a_dry_run_saves_nothing(setup, invoke):
    before = table_counts()
    result = invoke(csv_file(BASE, SECOND), "--as", MODERATOR, "--dry-run")
    assert result.exit_code == 0 and "would have created 2" in result.stdout
    assert table_counts() == before and db.session.scalar(select(func.count()).select_from(Commitment)) == 0


def test_an_unreadable_file_exits_with_one_error(setup, invoke):
    result = invoke(b"", "--as", MODERATOR)
    assert result.exit_code == 1 and "line 1:" in result.stderr and "Nothing was imported." in result.stderr


@pytest.mark.parametrize("email, message", [
    (RESIDENT, "is not an active moderator or administrator"),
    ("nobody@example.it", "No account with the email"),
])
def test_only_a_moderator_or_an_admin_imports(setup, invoke, make_user, email, message):
    make_user(email=RESIDENT)
    result = invoke(csv_file(BASE), "--as", email)
    assert result.exit_code != 0 and message in result.output and projects() == 0


def test_without_an_admin_the_command_asks_for_one(invoke, torino, make_user):
    make_user("moderator", email=MODERATOR, cities=[torino])
    result = invoke(csv_file(BASE))
    assert result.exit_code != 0 and "There is no active administrator" in result.output


def test_a_moderator_of_another_city_gets_row_errors(setup, invoke):
    from tests.projects.conftest import OTHER_MODERATOR

    result = invoke(csv_file(BASE), "--as", OTHER_MODERATOR)
    assert result.exit_code == 1 and "line 2, DEN_COMUNE: " in result.stderr and projects() == 0


def test_the_progress_advances_once_per_row(setup):
    from civic.projects import importer
    from tests.projects.conftest import user

    steps = []
    parsed = importer.read_rows(csv_file(BASE, SECOND, {**BASE, "CUP": "XX"}))
    report = importer.import_rows(user(MODERATOR), parsed, progress=steps.append)
    assert steps == [1, 1, 1] and len(report.errors) == 1
