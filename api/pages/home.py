"""The home page: what needs the signed-in user's action now."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("home", __name__, url_prefix="/web")


@bp.get("/")
@login_required
def home():
    return render_template("pages/home/home.html")
