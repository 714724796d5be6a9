"""Report views: pages.py for the HTML pages (the PDF views live beside it)."""
