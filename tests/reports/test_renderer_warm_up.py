"""The PDF renderer is warmed when a Celery pool process starts, not by its first job."""

from celery.signals import worker_process_init

from reports import pdf
from studygroup.celery import warm_up_report_renderer


def test_warm_up_runs_when_a_worker_process_starts():
    assert warm_up_report_renderer in worker_process_init._live_receivers(None)


def test_worker_start_handler_reads_the_fonts_character_sets_and_renders(monkeypatch):
    # Called directly, not through the signal: its other handler caps this process's memory.
    pdf._printable_codepoints.cache_clear()
    renders = []
    real_render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html: renders.append(real_render(html)))

    warm_up_report_renderer()

    assert pdf._printable_codepoints.cache_info().currsize == 1
    assert pdf._printable_codepoints() is not None
    assert len(renders) == 1 and renders[0].startswith(b"%PDF")


def test_warm_up_document_uses_the_report_stylesheet_and_cjk_text(monkeypatch):
    seen = []
    monkeypatch.setattr(pdf, "render_pdf", seen.append)
    pdf.renderer_warm_up()
    (html,) = seen
    assert "reports/pdf.css" in html and "理论学习中心组" in html
