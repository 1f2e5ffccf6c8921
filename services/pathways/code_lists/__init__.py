"""The labels of the pathways service's codes (stages, action types and statuses, outcomes, the
employment ladder, the rights checklist, ...), served as code lists like intake's.

The codes come from the enums themselves (``domain/``), the labels from ``labels.json``; a list
whose enum gains a value without labels in all five languages fails to load, and so the tests.
Need domains are intake's list ``need-domains``, which pathways' ``PRIORITY_ORDER`` follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final, get_args

from services.pathways.domain import (
    actions,
    appointments,
    attention,
    employment,
    funds,
    loop,
    needs,
    rights,
    tasks,
)
from shared.code_lists import Catalogue, CodeList
from shared.code_lists.enums import EnumList, enum_code_list, read_document
from shared.contracts.classifications import NaceSection


def _rank(code: str) -> Mapping[str, Any]:
    return {"rank": employment.LADDER_RANK[employment.EmploymentStatus(code)]}


def _rights_item(code: str) -> Mapping[str, Any]:
    item = rights.ITEMS_BY_CODE[code]
    return {
        "forced_labour": item.forced_labour,
        "indicator": item.indicator,
        "escalation": [target.value for target in item.targets],
    }


# In the order the index shows them: the loop, the plan, the outcomes, the rights check, the
# appointments.
LISTS: Final[dict[str, EnumList]] = {
    "pathway-stages": EnumList(lambda: loop.Step),
    "pathway-statuses": EnumList(lambda: loop.PathwayStatus),
    "pathway-attention-reasons": EnumList(lambda: attention.Attention),
    "need-severities": EnumList(lambda: get_args(needs.Severity)),
    "action-types": EnumList(lambda: actions.ActionType),
    "action-statuses": EnumList(lambda: actions.ActionStatus),
    "recognition-steps": EnumList(lambda: actions.RECOGNITION_STEPS),
    "recognition-decisions": EnumList(lambda: actions.RecognitionDecision),
    "recognition-procedures": EnumList(lambda: actions.RecognitionProcedure),
    "employment-statuses": EnumList(lambda: employment.EmploymentStatus, _rank),
    "contract-types": EnumList(lambda: employment.ContractType),
    "nace-sections": EnumList(lambda: NaceSection),
    "pathway-outcomes": EnumList(lambda: employment.Outcome),
    "rights-check-items": EnumList(
        lambda: (item.code for item in rights.RIGHTS_ITEMS), _rights_item
    ),
    "rights-check-answers": EnumList(lambda: get_args(rights.Answer)),
    "escalation-targets": EnumList(lambda: rights.EscalationTarget),
    "appointment-attendances": EnumList(lambda: appointments.Attendance),
    "appointment-attendance-reasons": EnumList(lambda: appointments.AttendanceReason),
    "task-kinds": EnumList(lambda: tasks.TaskKind),
    "task-statuses": EnumList(lambda: tasks.TaskStatus),
    "funds": EnumList(lambda: funds.Fund),
    "eligibility-evidence": EnumList(lambda: funds.Evidence),
    "integration-answers": EnumList(lambda: funds.HelpedIntegration),
    "feedback-sources": EnumList(lambda: funds.FeedbackSource),
    "business-milestones": EnumList(lambda: actions.BUSINESS_MILESTONES),
    "ladder-directions": EnumList(lambda: employment.Direction),
    "internship-outcomes": EnumList(lambda: employment.Conversion),
}


@cache
def get_code_list(name: str) -> CodeList:
    return enum_code_list(name, _document(), LISTS[name])


@cache
def _document() -> dict[str, Any]:
    return read_document(__name__)


CATALOGUE: Final = Catalogue("pathways", tuple(LISTS), get_code_list)
