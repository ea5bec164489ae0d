"""The workflow diagram, drawn as SVG on the server from the same procedure the engine runs the dossier on.

States are laid out in rows by their distance from the draft; every step is an arrow. No script is
needed, so the page works offline and under a strict Content-Security-Policy.
"""
from __future__ import annotations

from collections import deque
from xml.sax.saxutils import escape

from markupsafe import Markup

from workflow.procedure import Procedure

BOX_W, BOX_H = 150, 40
GAP_X, GAP_Y = 30, 44
MARGIN = 12


def _layers(procedure: Procedure) -> list[list[str]]:
    depth = {procedure.initial: 0}
    queue = deque([procedure.initial])
    while queue:
        state = queue.popleft()
        for step in procedure.steps:
            if step.source == state and step.dest not in depth:
                depth[step.dest] = depth[state] + 1
                queue.append(step.dest)
    rows: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for state in procedure.states:
        rows[depth[state]].append(state)
    return rows


def _positions(rows: list[list[str]]) -> tuple[dict[str, tuple[float, float]], float]:
    widest = max(len(row) for row in rows)
    width = 2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X
    positions = {}
    for index, row in enumerate(rows):
        row_width = len(row) * BOX_W + (len(row) - 1) * GAP_X
        left = (width - row_width) / 2
        for column, state in enumerate(row):
            positions[state] = (left + column * (BOX_W + GAP_X), MARGIN + index * (BOX_H + GAP_Y))
    return positions, width


def _edge(source: tuple[float, float], dest: tuple[float, float]) -> str:
    (sx, sy), (dx, dy) = source, dest
    if dy > sy:
        x1, y1, x2, y2 = sx + BOX_W / 2, sy + BOX_H, dx + BOX_W / 2, dy
        return f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2 - 2:.0f}"
    if dy < sy:
        x1, y1, x2, y2 = sx + BOX_W * 0.8, sy, dx + BOX_W * 0.8, dy + BOX_H
        bend = max(x1, x2) + GAP_X * 0.6
        return f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1 - 20:.0f} {bend:.0f},{y2 + 20:.0f} {x2:.0f},{y2 + 2:.0f}"
    if dx > sx:
        return f"M{sx + BOX_W:.0f},{sy + BOX_H / 2:.0f} L{dx - 2:.0f},{dy + BOX_H / 2:.0f}"
    return f"M{sx:.0f},{sy + BOX_H / 2:.0f} L{dx + BOX_W + 2:.0f},{dy + BOX_H / 2:.0f}"


def workflow_svg(procedure: Procedure, current: str | None, state_label, step_label, title: str) -> Markup:
    """The diagram of `procedure` with `current` marked; labels come from the caller's translations:
    `state_label(state, procedure)` and `step_label(procedure, step)`."""
    rows = _layers(procedure)
    positions, width = _positions(rows)
    height = 2 * MARGIN + len(rows) * BOX_H + (len(rows) - 1) * GAP_Y
    parts = [f'<svg class="workflow-diagram" role="img" aria-labelledby="wf-title" viewBox="0 0 {width:.0f} '
             f'{height:.0f}" xmlns="http://www.w3.org/2000/svg"><title id="wf-title">{escape(title)}</title>',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#55606e"/></marker></defs>']
    seen = set()
    # The steps as text, after the drawing: its equivalent for screen readers.
    steps_text = []
    for step in procedure.steps:
        if (step.source, step.dest) in seen:
            continue
        seen.add((step.source, step.dest))
        label = escape(f"{state_label(step.source, procedure)} → {state_label(step.dest, procedure)}: "
                       f"{step_label(procedure, step)}")
        steps_text.append(f"<li>{label}</li>")
        parts.append(f'<path class="edge" d="{_edge(positions[step.source], positions[step.dest])}" fill="none" '
                     f'stroke="#55606e" stroke-width="1.4" marker-end="url(#arrow)"><title>{label}</title></path>')
    for state, (x, y) in positions.items():
        final = state in procedure.final_states
        classes = ["state"] + (["final"] if final else []) + (["current"] if state == current else [])
        fill, color = ("#b3261e", "#ffffff") if state == current else ("#f4f6f8", "#1b1f24")
        stroke_width = 3 if final else 1.2
        parts.append(
            f'<g class="{" ".join(classes)}"><rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="8" '
            f'fill="{fill}" stroke="#55606e" stroke-width="{stroke_width}"/>'
            f'<text x="{x + BOX_W / 2:.0f}" y="{y + BOX_H / 2 + 4:.0f}" text-anchor="middle" font-size="12" '
            f'font-weight="{"bold" if state == current else "normal"}" fill="{color}">'
            f'{escape(state_label(state, procedure))}</text></g>')
    parts.append(f'</svg><ul class="visually-hidden">{"".join(steps_text)}</ul>')
    return Markup("".join(parts))
