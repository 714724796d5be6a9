"""Reading what users upload: what a file is, its text, its 字数.

Pure functions over bytes and Django's UploadedFile: nothing here touches the database, the
models or storage (tests/intake/test_boundary.py holds it to that). A check either returns what
may be stored or raises a ValidationError meant for the form's file field, so a refused file
leaves no row and no stored file behind; the services in sessions_app do the storing.
"""
