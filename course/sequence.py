"""The lesson texts' sequence diagrams as SVG on the lesson pages.

`python manage.py diagrams` writes each diagram as a Mermaid `sequenceDiagram`
block (GitHub draws those itself). The lesson page (course/render.py) draws
the same few kinds of line the command writes, server-side, as one small SVG:
a column per participant, an arrow or a note per step, like the live "server
side" panel.
"""

import re
from html import escape

PARTICIPANT = re.compile(r"^participant (\w+) as (.+)$")
ARROW = re.compile(r"^(\w+)->>(\w+): (.*)$")
NOTE = re.compile(r"^Note over (\w+): (.*)$")
COLUMN, ROW = 110, 24


def svg(mermaid: str) -> str:
    """One diagram's HTML: its caption, the participants' names, and a row per step."""
    lanes: dict[str, str] = {}
    steps: list[tuple[str, str, str]] = []
    caption = ""
    for line in (line.strip() for line in mermaid.splitlines()):
        if line.startswith("%%"):
            caption = line[2:].strip()
        elif match := PARTICIPANT.match(line):
            lanes[match.group(1)] = match.group(2)
        elif match := ARROW.match(line):
            steps.append(match.groups())
        elif match := NOTE.match(line):
            steps.append((match.group(1), match.group(1), match.group(2)))
    x = {lane: COLUMN // 2 + COLUMN * index for index, lane in enumerate(lanes)}
    width, height = COLUMN * len(lanes), ROW * (len(steps) + 1)
    parts = [f'<line class="lane" x1="{x[lane]}" x2="{x[lane]}" y1="{ROW - 6}" y2="{height}"/>' for lane in lanes]
    parts += [
        f'<text class="name" x="{x[lane]}" y="14" text-anchor="middle">{escape(name)}</text>'
        for lane, name in lanes.items()
    ]
    for index, (source, target, label) in enumerate(steps, start=1):
        y, text = ROW * index + 16, escape(label)
        if source == target:
            parts.append(f'<text class="note" x="{x[source] - 6}" y="{y}" text-anchor="end">{text}</text>')
            continue
        middle = min(max((x[source] + x[target]) / 2, len(label) * 3.3 + 2), width - len(label) * 3.3 - 2)
        parts.append(
            f'<line class="arrow" x1="{x[source]}" x2="{x[target]}" y1="{y}" y2="{y}" marker-end="url(#sequence-head)"/>'
        )
        parts.append(f'<text x="{middle}" y="{y - 4}" text-anchor="middle">{text}</text>')
    head = '<defs><marker id="sequence-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
    drawing = (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(caption)}">{head}{"".join(parts)}</svg>'
    )
    return f'<figure class="sequence">{drawing}<figcaption>{escape(caption)}</figcaption></figure>\n'
