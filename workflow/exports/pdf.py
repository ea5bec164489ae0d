"""The honours list as a PDF (WeasyPrint, fonts embedded) from an HTML template."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

from workflow.exports.common import (
    Gettext, Progress, change_lines, document_time, group_heading, group_total, letterhead, no_progress, row_cells,
    sections,
)
from workflow.honours import HonoursList

# fontTools stamps each embedded font subset with the time it was made, unless SOURCE_DATE_EPOCH
# (reproducible-builds.org) fixes it: without this, a finalised list's PDF made later would differ
# from the first one in its fonts' timestamps.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1704067200")
# WeasyPrint reports every layout step at INFO; an export is one line of work, not seven.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(default=True, default_for_string=True))


def honours_list_html(document: HonoursList, gettext: Gettext, language: str = "vi") -> str:
    texts = letterhead(document, gettext)
    groups = [{"heading": group_heading(index, group), "total": group_total(group, gettext),
               "rows": [row_cells(item) for item in group["items"]]}
              for index, group in enumerate(document.data["groups"])]
    return TEMPLATES.get_template("honours_list.html").render(
        texts=texts, groups=groups, sections=sections(document, gettext), changes=change_lines(document, gettext),
        language=language, created=document_time(document).isoformat())


def honours_list_pdf(document: HonoursList, gettext: Gettext, progress: Progress = no_progress,
                     language: str = "vi") -> bytes:
    html = honours_list_html(document, gettext, language)
    progress(document.row_count // 2)
    data = HTML(string=html).write_pdf()
    progress(document.row_count)
    return data
