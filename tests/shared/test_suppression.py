"""``protect_line``: a breakdown published beside its total never lets a small cell be worked
out, checked by an auditor that knows what a reader knows (the total, the cells shown, and the
rule: "<5" holds 1 to 4 people, or 0 to 4 under a small total; "withheld" holds 5 or more, and
no more than the smallest cell shown, since the rule withholds the smallest shown cell) and
computes, by dynamic programming over the hidden cells, every value each small cell could hold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.suppression import SMALL_CELL, SUPPRESSED, WITHHELD, protect_line, protect_lines


def possible_values(shown: dict[str, int | str], total: int | str) -> dict[str, set[int]]:
    """For each hidden cell, the values it could hold given everything published."""
    if total == WITHHELD:  # no sum to reason from: each cell is anything its marker allows
        return {
            key: set(range(1, SMALL_CELL)) if value == SUPPRESSED else {SMALL_CELL}
            for key, value in shown.items()
            if not isinstance(value, int)
        }
    totals = set(range(SMALL_CELL)) if total == SUPPRESSED else {int(total)}
    known = sum(value for value in shown.values() if isinstance(value, int))
    small_floor = 0 if total == SUPPRESSED else 1
    ranges: dict[str, range] = {}
    for key, value in shown.items():
        if value == SUPPRESSED:
            ranges[key] = range(small_floor, SMALL_CELL)
        elif value == WITHHELD:
            top = max(totals) - known
            smallest_shown = [v for v in shown.values() if isinstance(v, int) and v > 0]
            if smallest_shown:
                top = min(top, min(smallest_shown))
            ranges[key] = range(SMALL_CELL, max(SMALL_CELL, top) + 1)
    hidden_sums = {t - known for t in totals if t - known >= 0}
    result: dict[str, set[int]] = {}
    for key, own in ranges.items():
        reachable = {0}  # the sums the other hidden cells can make
        for other, values in ranges.items():
            if other != key:
                reachable = {r + v for r in reachable for v in values if r + v <= max(hidden_sums)}
        result[key] = {v for v in own if any(h - v in reachable for h in hidden_sums)}
    return result


lines = st.dictionaries(
    st.sampled_from(["female", "male", "other", "unknown", "a", "b", "c"]),
    st.one_of(st.integers(0, 6), st.integers(0, 60)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(lines)
def test_no_small_cell_can_be_worked_out_from_the_total_and_the_cells_shown(
    counts: dict[str, int],
) -> None:
    shown, total = protect_line(counts, sum(counts.values()))
    assert set(shown) == set(counts)
    possible = possible_values(shown, total)
    for key, count in counts.items():
        if 0 < count < SMALL_CELL:
            assert shown[key] == SUPPRESSED
            assert count in possible[key]
            assert len(possible[key]) >= 2, (counts, shown, total)
            if isinstance(total, int):
                assert {1, 2, 3, 4} <= possible[key], (counts, shown, total)
        elif isinstance(shown[key], int):
            assert shown[key] == count  # what is shown is true
    if isinstance(total, int):
        assert total == sum(counts.values())


def test_the_leak_primary_suppression_left_is_closed() -> None:
    # Before: total 43, male 40, female "<5": female = 3 for anyone who subtracts.
    shown, total = protect_line({"male": 40, "female": 3}, 43)
    assert (shown, total) == ({"male": WITHHELD, "female": SUPPRESSED}, 43)


def test_a_withheld_cell_is_no_larger_than_the_cells_shown_and_the_reader_knows_it() -> None:
    """Found by an attack: (4, 5, 6) once published "<5", withheld, 6 of 15; the withheld cell,
    chosen as the smallest shown, was 5 or 6, so the small one was 3 or 4."""
    shown, total = protect_line({"a": 4, "b": 5, "c": 6}, 15)
    assert (shown, total) == ({"a": SUPPRESSED, "b": WITHHELD, "c": WITHHELD}, 15)
    assert possible_values(shown, total)["a"] == {1, 2, 3, 4}


def test_nothing_is_hidden_when_no_cell_is_small() -> None:
    assert protect_line({"a": 7, "b": 0, "c": 12}, 19) == ({"a": 7, "b": 0, "c": 12}, 19)


def test_the_smallest_cells_are_withheld_first() -> None:
    shown, total = protect_line({"a": 2, "b": 50, "c": 9, "d": 30}, 91)
    assert shown == {"a": SUPPRESSED, "b": 50, "c": WITHHELD, "d": 30}
    assert total == 91


def test_cells_that_do_not_add_up_to_the_total_are_refused() -> None:
    with pytest.raises(ValueError, match="add up"):
        protect_line({"a": 2}, 3)


def test_under_a_small_total_the_empty_cells_are_hidden_too() -> None:
    # Four people, one in each of four cells: shown zeros would say each holds exactly one.
    counts = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 0, "f": 0}
    shown, total = protect_line(counts, 4)
    assert total == SUPPRESSED
    assert set(shown.values()) == {SUPPRESSED}
    assert all(len(values) >= 2 for values in possible_values(shown, total).values())


people = st.lists(
    st.tuples(st.sampled_from(["female", "male", "other"]), st.sampled_from(["18-29", "30-39"])),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(people)
def test_several_breakdowns_of_one_total_never_give_back_a_withheld_total(
    group: list[tuple[str, str]],
) -> None:
    """Each line partitions the same people: a line whose cells were all shown would add up to
    a total another line needed withheld, and the small cell would follow by subtraction."""
    by_sex: dict[str, int] = {}
    by_age: dict[str, int] = {}
    for sex, age in group:
        by_sex[sex] = by_sex.get(sex, 0) + 1
        by_age[age] = by_age.get(age, 0) + 1
    lines, total = protect_lines({"sex": by_sex, "age": by_age}, len(group))
    if total == WITHHELD:
        for line in lines.values():  # no number but zeros, no bounded marker: nothing to add up
            assert all(value in (WITHHELD, 0) for value in line.values()), lines
    else:
        assert lines["sex"] == protect_line(by_sex, len(group))[0]
        assert lines["age"] == protect_line(by_age, len(group))[0]


def test_a_line_shown_whole_no_longer_reveals_the_total_another_line_withheld() -> None:
    lines, total = protect_lines({"sex": {"female": 1, "male": 5}, "age": {"30-39": 6}}, 6)
    assert total == WITHHELD
    assert lines == {"sex": {"female": WITHHELD, "male": WITHHELD}, "age": {"30-39": WITHHELD}}
