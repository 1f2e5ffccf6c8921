"""Statistical classifications more than one service codes its data with."""

from __future__ import annotations

from enum import StrEnum


class NaceSection(StrEnum):
    """The sections of NACE Rev. 2, the EU's classification of economic activities: the sector of
    a job (the employer's main activity, in pathways), of an offer (matching), and the sectors a
    person wants to work in (intake's migration project)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the section's official letter
    J = "J"
    K = "K"
    L = "L"
    M = "M"
    N = "N"
    O = "O"  # noqa: E741 - the section's official letter
    P = "P"
    Q = "Q"
    R = "R"
    S = "S"
    T = "T"
    U = "U"
