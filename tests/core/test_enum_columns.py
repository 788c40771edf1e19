"""Status columns hold StrEnum members (civic/core/models.py, EnumText): written as their values, the
database's CHECK constraints unchanged, read back as members."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from civic.extensions import db
from civic.privacy.models import DataExport, ExportStatus


def test_a_status_is_read_back_as_its_member_and_stored_as_its_value(app, make_user):
    export = DataExport(user_id=make_user().id)
    db.session.add(export)
    db.session.flush()
    db.session.expire(export)
    assert export.status is ExportStatus.PENDING
    stored = db.session.scalar(text("SELECT status FROM data_export WHERE id = :id"), {"id": export.id})
    assert type(stored) is str and stored == "pending"
    assert db.session.scalar(select(DataExport.id).where(DataExport.status == "pending")) == export.id
    assert db.session.scalar(select(DataExport.id).where(DataExport.status == ExportStatus.PENDING)) == export.id
    with pytest.raises(IntegrityError):  # the CHECK constraint still refuses an unknown status
        db.session.execute(text("UPDATE data_export SET status = 'archived' WHERE id = :id"), {"id": export.id})
    db.session.rollback()
