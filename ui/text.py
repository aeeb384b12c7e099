"""User text shown through Markdown prints literally: no headings, links, images or maths."""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~])")


def plain(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)
