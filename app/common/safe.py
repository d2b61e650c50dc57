"""User-supplied text (file names, header fields, statements read from a file) made safe to show as text.

Streamlit renders most strings as Markdown (links, images, `:material/...:` icons, `$...$` as LaTeX) and plotly
renders a subset of HTML in titles (`<a href>` included): a file name such as `[Open the secure viewer](...)`
would become a link. Every string that came from the user or from a file goes through one of these before it
is placed in Markdown or a plotly title; `st.text`, `st.code` and data frames show text as is.
"""
from __future__ import annotations

import html
import re

#: the characters Markdown (CommonMark + GFM + Streamlit's directives and LaTeX) gives a meaning to
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^])")


def md(value: object) -> str:
    """`value` as Markdown that renders exactly as its text: every character Markdown gives a meaning to is
    backslash-escaped (CommonMark allows that for any ASCII punctuation), so no link, autolink (`:` and `.`
    escaped), emphasis, HTML tag, LaTeX or Streamlit directive (`:material/...:`, `:red[...]`) can form;
    line breaks become spaces."""
    text = " ".join(str(value).split("\n"))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plotly(value: object) -> str:
    """`value` for a plotly title or annotation: HTML-escaped, so `<a>`, `<b>`, `<br>` show as typed."""
    return html.escape(" ".join(str(value).split("\n")), quote=False)
