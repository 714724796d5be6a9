"""Template filters for quoting text: {% load text_tags %}, then {{ essay.title|booktitle }}."""

from django import template

from sessions_app.text import book_title

register = template.Library()


@register.filter
def booktitle(title: str) -> str:
    """The title quoted in the active language: 《…》 with inner marks nested in Chinese
    (sessions_app.text.book_title), “…” otherwise. Escaped like any other text."""
    return book_title(str(title) if title is not None else "")
