"""Moving in and out: import of Jekyll and Hugo sites, export back to the same Markdown and front matter."""
