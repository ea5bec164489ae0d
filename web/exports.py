"""A page for the office to export the honours list and watch a large export's progress.

The page itself holds no data: its script signs in through the API and drives the export endpoints.
"""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

exports_page = Blueprint("exports_page", __name__)


@exports_page.route("/exports/honours-list", methods=["GET"])
def honours_list_exports():
    response = render_template("exports/honours_list.html", language=str(get_locale()))
    return response, 200, {"Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'"}
