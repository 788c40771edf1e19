from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from civic.core.forms import PlainLine


class NeighbourhoodForm(FlaskForm):
    name = StringField(
        _l("Name of the neighbourhood"),
        validators=[DataRequired(_l("Enter the name of the neighbourhood.")), PlainLine(2, 120)],
        render_kw={"maxlength": 120},
    )
