from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from civic.comments.services import COMMENT_MAX
from civic.core.forms import optional_id, unix_newlines
from civic.orgs.permissions import organisations_of


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write something before sending.")),
                    Length(max=COMMENT_MAX, message=_l("Enter at most %(max)d characters.", max=COMMENT_MAX))],
        filters=[unix_newlines],
        render_kw={"rows": 4},
    )
    parent_id = HiddenField(filters=[optional_id])
    organisation = SelectField(_l("On behalf of"), coerce=optional_id, validate_choice=False,
                               description=_l("Comment as yourself, or on behalf of an organisation you are a "
                                              "member of: its name is shown beside yours."))

    def fill_organisations(self, user) -> None:
        """The organisations the user is a member of (one query); the templates hide the field
        when there is none. The service checks the one chosen."""
        organisations = organisations_of(user)
        self.organisation.choices = ([("", str(_l("Only myself")))] + [(str(o.id), o.name) for o in organisations]
                                     if organisations else [])
