"""The term bulletin as a .docx 公文, laid out as the reports' Word files are (reports.word):
A4, GB/T 9704 margins, the title in 小标宋, headings in 黑体, body in 仿宋, page numbers, and
the 落款 and 成文日期 of an approved bulletin."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from oversight.selectors.bulletin import BulletinDocument
from reports.word import (
    STYLE_LEVEL1,
    add_paragraph,
    add_table,
    add_text_block,
    add_title,
    chinese_date,
    closing_docx,
    document_bytes,
    new_document,
)


def _percent(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def bulletin_docx(doc: BulletinDocument) -> bytes:
    """The bulletin's .docx: the same sections and figures as templates/oversight/
    _bulletin_body.html, in the active language (the caller sets Chinese)."""
    document = new_document()
    add_title(document, [doc.title])
    words = doc.bulletin
    if words and words.preamble:
        add_text_block(document, words.preamble)
    add_paragraph(document, pgettext("bulletin", "1. Overall"), STYLE_LEVEL1)
    add_paragraph(
        document,
        pgettext(
            "bulletin",
            "This term the %(groups)s groups held %(sessions)s sessions of concentrated study, "
            "with an attendance rate of %(rate)s and %(per)s essays per member; members were on "
            "leave or absent %(away)s times and made up %(made_up)s. Inspectors sat in on "
            "%(sat)s sessions and filed %(evaluations)s evaluations.",
        )
        % {
            "groups": doc.groups,
            "sessions": doc.sessions,
            "rate": _percent(doc.attendance_rate),
            "per": doc.essays_per_member if doc.essays_per_member is not None else "—",
            "away": doc.away,
            "made_up": doc.made_up,
            "sat": doc.sat_in,
            "evaluations": doc.evaluations,
        },
    )
    rows = [r for r in doc.table.rows if r.term is not None]
    add_table(
        document,
        [
            _("Study group"),
            _("Sessions held / planned"),
            _("Attendance rate"),
            _("Essays per member"),
            _("Made up / on leave or absent"),
            _("Rules"),
        ],
        [
            [
                r.group.name,
                f"{r.sessions_held} / {r.sessions_planned}",
                _percent(r.attendance_rate),
                "—" if r.essays_per_member is None else str(r.essays_per_member),
                f"{r.made_up} / {r.leave_or_absent}",
                str(r.state.label) if r.state else "—",
            ]
            for r in rows
        ],
        widths=[50, 22, 18, 18, 24, 24],
    )
    none = pgettext("bulletin", "None this term.")
    add_paragraph(document, pgettext("bulletin", "2. Groups that met every rule"), STYLE_LEVEL1)
    add_paragraph(document, "、".join(r.group.name for r in doc.met_all) or none)
    add_paragraph(document, pgettext("bulletin", "3. Groups that fell short"), STYLE_LEVEL1)
    colon = pgettext("bulletin", ": ")
    for row, rules in doc.short:
        add_paragraph(
            document,
            row.group.name + colon + "、".join(rules) + pgettext("bulletin", " not met or behind."),
        )
    if not doc.short:
        add_paragraph(document, none)
    add_paragraph(document, pgettext("bulletin", "4. What inspectors found"), STYLE_LEVEL1)
    for f in doc.findings:
        add_paragraph(
            document, f"{f.group}（{chinese_date(f.date)}，{f.topic}）{colon}{f.problems}"
        )
    if words and words.findings:
        add_text_block(document, words.findings)
    elif not doc.findings:
        add_paragraph(document, none)
    add_paragraph(document, pgettext("bulletin", "5. Requirements"), STYLE_LEVEL1)
    add_text_block(document, words.requirements if words and words.requirements else "—")
    if words and words.is_approved:
        closing_docx(
            document, name=doc.table.organisation.name, on=timezone.localdate(words.approved_at)
        )
    return document_bytes(document, title=doc.title)
