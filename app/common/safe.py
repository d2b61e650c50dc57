"""User-supplied text (file names, header fields, statements read from a file) made safe to show as text.

Streamlit renders most strings as Markdown (links, images, `:material/...:` icons, `$...$` as LaTeX) and plotly
renders a subset of HTML in titles (`<a href>` included): a file name such as `[Open the secure viewer](...)`
would become a link. Every string that came from the user or from a file goes through one of these before it
is placed in Markdown or a plotly title; `st.text`, `st.code` and data frames show text as is.
"""
from __future__ import annotations

import html
import re

#: characters that start Markdown constructs anywhere in a line (links and images need `[`, HTML and autolinks
#: `<`, literal autolinks `https:` and e-mail `@`, emphasis `*` `_` `~`, code, LaTeX `$`, Streamlit's
#: `:material/...:` and `:red[...]`, entities `&`, tables `|`)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~$:&@|#])")
#: constructs that only mean something at the start of the text (lists, quotes, headings, rules) or after `www`
_LEADING = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")
_WWW = re.compile(r"(www)\.", re.IGNORECASE)


def md(value: object) -> str:
    """`value` as Markdown that renders exactly as its text: the characters that start a Markdown construct are
    backslash-escaped (CommonMark allows that for any ASCII punctuation), so no link, autolink, emphasis, HTML
    tag, LaTeX or Streamlit directive can form; line breaks become spaces. Plain words, digits, `.`, `,` and
    brackets stay as they are (so a message stays readable in its Markdown source)."""
    text = " ".join(str(value).split("\n"))
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _WWW.sub(r"\1\\.", text)
    return _LEADING.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2).isdigit() else m.group(2) + "\\"),
                        text)


def plotly(value: object) -> str:
    """`value` for a plotly title or annotation: HTML-escaped, so `<a>`, `<b>`, `<br>` show as typed."""
    return html.escape(" ".join(str(value).split("\n")), quote=False)
