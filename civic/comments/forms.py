from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from civic.comments.services import COMMENT_MAX
from civic.core.forms import optional_id, unix_newlines


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write something before sending.")),
                    Length(max=COMMENT_MAX, message=_l("Enter at most %(max)d characters.", max=COMMENT_MAX))],
        filters=[unix_newlines],
        render_kw={"rows": 4},
    )
    parent_id = HiddenField(filters=[optional_id])
