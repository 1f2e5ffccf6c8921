"""``POST /api/v1/auth/activate``: the self-service app turns an invitation code into tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.gateway.api.deps import ClientAddress, Issuer
from services.gateway.domain.passwords import MAX_LENGTH
from services.gateway.errors import OAuthProblem
from services.gateway.schemas.auth import TokenResponse
from services.gateway.service import activation
from services.gateway.service.passwords import require_strong_password
from shared.db import DbSession
from shared.errors import TooManyRequests
from shared.openapi import problems

router = APIRouter(tags=["auth"])


class Activation(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "7KQ3M-XH9RT", "password": "my own long phrase"}]},
    )

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = (
        Field(description="the one-time code from the invitation (case, spaces, dashes ignored)")
    )
    password: Annotated[str, StringConstraints(max_length=MAX_LENGTH)] | None = Field(
        default=None,
        description="optional: lets the person sign in again with `username` and this password "
        "(grant_type=password); without it, the refresh token keeps the app signed in and a lost "
        "phone needs a new invitation",
    )


class Activated(TokenResponse):
    username: str | None = Field(
        default=None,
        description="the sign-in name for the password grant (when a password was set)",
    )


@router.post(
    "/api/v1/auth/activate",
    response_model=Activated,
    responses=problems(400, 422, 429, 503),
    summary="Activate the self-service app with an invitation code (role beneficiary)",
    openapi_extra={"security": []},  # the invitation code is the credential
    description='Answers an access token (roles `["beneficiary"]`, the person\'s id in `bid`) and '
    "a refresh token. A code works once; activating again with a new code signs the old phone out.",
)
async def activate(
    body: Activation,
    request: Request,
    response: Response,
    session: DbSession,
    issuer: Issuer,
    address: ClientAddress,
) -> Activated:
    response.headers["Cache-Control"] = "no-store"
    if body.password is not None:
        require_strong_password(body.password, email="")
    try:
        user, tokens = await activation.activate(
            session,
            issuer,
            request.app.state.http,
            code=body.code,
            password=body.password,
            address=address,
        )
    except (OAuthProblem, TooManyRequests):
        await session.commit()  # the failure counter must survive the error response
        raise
    return Activated(
        **tokens.model_dump(), username=user.email if body.password is not None else None
    )
