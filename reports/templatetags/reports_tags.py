"""Numbering and figures in the report bodies, in the active (report) language."""

from decimal import Decimal

from django import template
from django.utils.html import format_html_join

from reports.selectors import wording

register = template.Library()


@register.simple_tag
def section_number(n: int) -> str:
    """一、 in Chinese, '1. ' otherwise."""
    return wording.section_number(int(n))


@register.simple_tag
def paragraph_number(n: int) -> str:
    """（一） in Chinese, '(1) ' otherwise."""
    return wording.paragraph_number(int(n))


@register.simple_tag
def attachment_mark(n: int) -> str:
    """附件1 in Chinese, 'Appendix 1' otherwise."""
    return wording.attachment_mark(int(n))


@register.simple_tag
def attachment_number(n: int) -> str:
    """1． in Chinese, '1. ' otherwise."""
    return wording.attachment_number(int(n))


@register.filter
def percent(value: Decimal | None) -> str:
    """A rate as 93.5%; an em dash when there is nothing to count."""
    if value is None:
        return "—"
    return f"{Decimal(value):.1f}%"


@register.filter
def coord(value: float) -> str:
    """An SVG coordinate, never localised (a comma would break the attribute)."""
    return f"{float(value):.1f}"


@register.filter
def paragraphs(text: str) -> str:
    """One escaped <p> per non-blank line, so each paragraph gets its first-line indent."""
    lines = (line.strip() for line in (text or "").splitlines())
    return format_html_join("", "<p>{}</p>", ((line,) for line in lines if line))
