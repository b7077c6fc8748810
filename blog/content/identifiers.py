"""Scholarly identifiers an essay or author may carry: ORCID iDs and DOIs, checked before they are stored.

A reference manager or Google Scholar trusts what the page says, so a mistyped iD would credit someone
else's record: ORCID's own check digit (ISO 7064 MOD 11-2) catches most typos.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
# The DOI Handbook's syntax: the "10." directory, a registrant code, a slash and a suffix of printable characters.
# Braces are refused too: no registration agency issues them, and in a BibTeX file they would end the field.
DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/[^\s{}\x00-\x1f\x7f-\x9f]+\Z")


def orcid_checksum_holds(orcid):
    digits = orcid.replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def is_orcid(value):
    return bool(ORCID.match(value or "")) and orcid_checksum_holds(value)


def validate_orcid(value):
    if not ORCID.match(value):
        raise ValidationError(
            _(
                "Write the 16-character ORCID iD in groups of four, like 0000-0002-1825-0097, without https://orcid.org/."
            ),
            code="invalid",
        )
    if not orcid_checksum_holds(value):
        raise ValidationError(
            _("This ORCID iD's last character does not match the others: please check it for a typo."), code="checksum"
        )


def is_doi(value):
    return bool(DOI.match(value or ""))


def validate_doi(value):
    if not is_doi(value):
        raise ValidationError(
            _("Write the DOI itself, like 10.5281/zenodo.1234567, without https://doi.org/."), code="invalid"
        )


def orcid_url(orcid):
    """The iD's https address, or "" for a missing or malformed one (stored before it was validated)."""
    return f"https://orcid.org/{orcid}" if is_orcid(orcid) else ""


def doi_url(doi):
    return f"https://doi.org/{doi}" if is_doi(doi) else ""
