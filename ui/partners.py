"""How a partner looks on screen: its name on its colour, with text that stays readable."""

from __future__ import annotations

from html import escape

from models.palette import text_colour_on
from models.themes import mark_shared


def chip(name: str, colour: str) -> str:
    """An HTML chip for a partner; the name is escaped, so any name prints literally."""
    return (f'<span class="concord-chip" style="background:{escape(colour)};'
            f'color:{text_colour_on(colour)}">{escape(name)}</span>')


def marked(text: str, stems: set[str]) -> str:
    """Escaped HTML of a partner's text with the words other partners also used highlighted."""
    return "".join(f'<mark class="concord-shared">{escape(piece)}</mark>' if shared
                   else escape(piece) for piece, shared in mark_shared(text, stems))
