"""Scholarly citation of essays: one CSL item per essay (csl.py), written out as BibTeX, RIS and CSL-JSON
(formats.py), formatted in APA and Chicago by citeproc-py (styles.py), served beside the essay (views.py).

Everything starts from the CSL item, so the page's meta tags, its Cite box and the downloads say the same.
"""
