"""The self-service routes' caller: a person signed in to their own record (role ``beneficiary``,
token claim ``bid``). Those routes never take a person's id from the path: it comes from here."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import CurrentPrincipal
from shared.auth.principal import Role
from shared.errors import Forbidden


async def the_person(principal: CurrentPrincipal) -> uuid.UUID:
    # Exactly the role beneficiary: a person's account is never staff, and no token is both.
    if principal.roles != {Role.BENEFICIARY} or principal.beneficiary_id is None:
        raise Forbidden("These routes are for a person signed in to the self-service app.")
    return principal.beneficiary_id


CurrentPerson = Annotated[uuid.UUID, Depends(the_person)]
