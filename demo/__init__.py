"""Demo and bulk data: `manage.py seed_demo` and `manage.py seed_bulk`, and the records they write.

Not part of the product: sessions_app, reports, audit and studygroup never import it
(tests/demo/test_boundary.py checks). It writes through the product's models and services.
"""
