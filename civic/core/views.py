"""Site-wide pages: home, language switch, city choice, health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from civic.accounts.auth import safe_next
from civic.accounts.services import set_locale
from civic.core.i18n import LANGUAGES
from civic.extensions import db
from civic.territories.models import City, Neighbourhood
from civic.territories.services import cities_by_role, city_by_slug

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    counts = {
        "cities": db.session.scalar(select(func.count()).select_from(City)),
        "neighbourhoods": db.session.scalar(select(func.count()).select_from(Neighbourhood)),
    }
    return render_template("core/home.html", cities_by_role=cities_by_role(), counts=counts)


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; remembered in the session and, when logged in, the account."""
    locale = request.form.get("locale", "")
    if locale in LANGUAGES:
        session["locale"] = locale
        session.permanent = True  # kept across browser restarts, not only for this visit
        if current_user.is_authenticated:
            set_locale(current_user, locale)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.route("/city")
def choose_city():
    """The header's city selector: a plain GET form, so it works without JavaScript."""
    city = city_by_slug(request.args.get("city", ""))
    if city is None:
        return redirect(url_for("territories.index"))
    session["city"] = city.slug
    return redirect(url_for("territories.city", slug=city.slug))


@bp.route("/healthz")
def health():
    """For load balancers: answers 200 while the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
