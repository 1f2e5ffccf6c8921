"""Who reads and writes a person's case notes, and which section a note goes in. Pure rules.

Reading follows the record (``access.view_of``): the registering organisation reads every note;
an organisation the person shared with reads the notes of the sections it was granted (an
emergency access: the sections its legal basis opened); a provider, a beneficiary, a cluster
coordinator and the platform admin read none (they have no view of the record). Writing follows
the record's changes (``access.may_change``): only the registering organisation's case roles
write; a grant opens sections to read, never to write.
"""

from __future__ import annotations

from services.intake.domain.access import View
from services.intake.domain.enums import Section


class SectionMissing(ValueError):
    """A note that corrects nothing names its section."""


class SectionDiffers(ValueError):
    """A correction stays in the section of the note it corrects."""


def section_of(asked: Section | None, corrected: Section | None) -> Section:
    """The note's section: the one asked; a correction's is the corrected note's (so whoever
    reads one reads the other, and ``corrects`` / ``corrected_by`` never name a hidden note)."""
    if corrected is None:
        if asked is None:
            raise SectionMissing
        return asked
    if asked is not None and asked != corrected:
        raise SectionDiffers
    return corrected


def readable_sections(view: View) -> list[str]:
    return sorted(section.value for section in view.sections)
