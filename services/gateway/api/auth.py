"""``POST /api/v1/auth/token`` (OAuth 2), ``GET /api/v1/auth/me`` and the JWKS."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response

from services.gateway.api.deps import ClientAddress, Issuer
from services.gateway.db import repository
from services.gateway.db.models import ApiClient, User
from services.gateway.domain.organizations import OrganizationType
from services.gateway.errors import InvalidClient, InvalidRequest, OAuthProblem
from services.gateway.schemas import Me, OrganizationSummary, TokenResponse
from shared.auth import CurrentPrincipal, PrincipalKind
from shared.db import DbSession
from shared.errors import TooManyRequests
from shared.openapi import problems

router = APIRouter(tags=["auth"])

GrantType = Literal["password", "client_credentials", "refresh_token"]
FormText = Annotated[str | None, Form(max_length=4096)]


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise InvalidClient("Malformed Basic credentials.") from error
    return client_id, secret


@router.post(
    "/api/v1/auth/token",
    response_model=TokenResponse,
    responses=problems(400, 401, 422, 429),
    summary="Get an access token (OAuth 2: password, client_credentials, refresh_token)",
)
async def token(
    request: Request,
    response: Response,
    session: DbSession,
    issuer: Issuer,
    address: ClientAddress,
    grant_type: Annotated[GrantType, Form()],
    username: FormText = None,
    password: FormText = None,
    client_id: FormText = None,
    client_secret: FormText = None,
    refresh_token: FormText = None,
    scope: FormText = None,  # noqa: ARG001 - accepted for OAuth clients that always send it
) -> TokenResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    try:
        if grant_type == "password":
            if not username or not password:
                raise InvalidRequest("username and password are required.")
            return await issuer.password_grant(
                session, email=username, password=password, address=address
            )
        if grant_type == "refresh_token":
            if not refresh_token:
                raise InvalidRequest("refresh_token is required.")
            return await issuer.refresh_grant(session, refresh_token=refresh_token)
        basic = _basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
        if not client_id or not client_secret:
            raise InvalidClient("client_id and client_secret are required.")
        return await issuer.client_credentials_grant(
            session, client_id=client_id, client_secret=client_secret, address=address
        )
    except (OAuthProblem, TooManyRequests):
        # Failed-attempt counters and revoked refresh families must survive the error response.
        await session.commit()
        raise


@router.get("/api/v1/auth/me", response_model=Me, summary="Who the token belongs to")
async def me(principal: CurrentPrincipal, session: DbSession) -> Me:
    organization = (
        await repository.get_organization(session, principal.organization_id)
        if principal.organization_id
        else None
    )
    me = Me(
        subject=principal.subject,
        kind=principal.kind,
        roles=sorted(principal.roles),
        organization=OrganizationSummary(
            id=organization.id,
            name=organization.name,
            type=OrganizationType(organization.type),
        )
        if organization
        else None,
        beneficiary_id=principal.beneficiary_id,
        token_expires_at=datetime.fromtimestamp(principal.expires_at, UTC),
    )
    subject_id = _uuid(principal.subject)
    if subject_id is not None and principal.kind == PrincipalKind.CLIENT:
        client = await session.get(ApiClient, subject_id)
        me.client_name = client.name if client else None
    elif subject_id is not None:
        user = await session.get(User, subject_id)
        if user is not None:
            me.email, me.full_name = user.email, user.full_name
    return me


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@router.get("/.well-known/jwks.json", summary="Public keys that verify Ponte's tokens")
async def jwks(request: Request, response: Response) -> dict[str, object]:
    response.headers["Cache-Control"] = "public, max-age=60"
    keys = request.app.state.keys
    document: dict[str, object] = await keys.jwks()
    return document
