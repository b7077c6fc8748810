"""What an essay's text is, apart from storage and pages: plain text and excerpts, translation drift and the
paragraph diff it reads, identifier and control-character rules. Plain functions over strings and rows, so the
models, the editing side, the reading side and the importer share one definition of each.
"""
