"""``POST /api/v1/auth/token`` (OAuth 2), ``GET /api/v1/auth/me`` and the JWKS."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response

from services.gateway.api.deps import ClientAddress, Issuer
from services.gateway.db import me as me_queries
from services.gateway.db import repository
from services.gateway.domain.organizations import OrganizationType
from services.gateway.domain.passwords import MAX_LENGTH
from services.gateway.errors import InvalidClient, InvalidRequest, OAuthProblem
from services.gateway.errors.oauth import TokenEndpointRoute, documented_responses
from services.gateway.schemas.auth import (
    JsonWebKeySet,
    Me,
    OrganizationSummary,
    TokenResponse,
)
from services.gateway.service.passwords import require_strong_password
from shared.auth import CurrentPrincipal, PrincipalKind
from shared.auth.headers import credentials
from shared.db import DbSession
from shared.errors import TooManyRequests

router = APIRouter(tags=["auth"])
# Its own router for its own route class: every error in RFC 6749 §5.2's form.
token_router = APIRouter(tags=["auth"], route_class=TokenEndpointRoute)

GrantType = Literal["password", "client_credentials", "refresh_token"]
FormText = Annotated[str | None, Form(max_length=4096)]


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    encoded = credentials(request.headers.get("authorization"), "basic")
    if encoded is None:
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise InvalidClient("Malformed Basic credentials.") from error
    return client_id, secret


@token_router.post(
    "/api/v1/auth/token",
    response_model=TokenResponse,
    responses=documented_responses(),
    summary="Get an access token (OAuth 2: password, client_credentials, refresh_token)",
    openapi_extra={
        "security": [],  # the credentials are in the form (or HTTP Basic for clients)
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "examples": {
                        "client_credentials": {
                            "summary": "A partner system",
                            "value": {
                                "grant_type": "client_credentials",
                                "client_id": "pc_3Jx9yQ2mV1aB",
                                "client_secret": "<the secret shown when the client was created>",
                            },
                        },
                        "password": {
                            "summary": "A person using an app",
                            "value": {
                                "grant_type": "password",
                                "username": "operatore@cpi-roma-est.example",
                                "password": "<password>",
                            },
                        },
                        "first_sign_in": {
                            "summary": "A first sign-in: replace the password an admin set",
                            "value": {
                                "grant_type": "password",
                                "username": "operatore@cpi-roma-est.example",
                                "password": "<the password your admin gave you>",
                                "new_password": "<a long phrase of your own>",
                            },
                        },
                        "refresh_token": {
                            "summary": "Renew (each refresh token works once)",
                            "value": {"grant_type": "refresh_token", "refresh_token": "<token>"},
                        },
                    }
                }
            }
        },
    },
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
    new_password: Annotated[
        str | None,
        Form(
            max_length=MAX_LENGTH,
            description="grant_type=password only: replaces the password with one of your own "
            "(required while the password is one an admin set: the answer says "
            "password_change_required)",
        ),
    ] = None,
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
            if new_password is not None:
                require_strong_password(
                    new_password, username, current=password, field="body.new_password"
                )
            return await issuer.password_grant(
                session,
                email=username,
                password=password,
                address=address,
                new_password=new_password,
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
        await repository.commit(session)
        raise


@router.get("/api/v1/auth/me", response_model=Me, summary="Who the token belongs to")
async def me(principal: CurrentPrincipal, request: Request) -> Me:
    client = principal.kind == PrincipalKind.CLIENT
    row = await me_queries.caller_row(
        request.app.state.engine, client, _uuid(principal.subject), principal.organization_id
    )
    return Me(
        subject=principal.subject,
        kind=principal.kind,
        roles=sorted(principal.roles),
        organization=OrganizationSummary(id=row[0], name=row[1], type=OrganizationType(row[2]))
        if row
        else None,
        email=None if client or row is None else row[3],
        full_name=None if client or row is None else row[4],
        client_name=row[3] if client and row is not None else None,
        beneficiary_id=principal.beneficiary_id,
        token_expires_at=datetime.fromtimestamp(principal.expires_at, UTC),
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@router.get(
    "/.well-known/jwks.json",
    response_model=JsonWebKeySet,
    response_model_exclude_none=True,  # each key has its type's members only (RFC 7518 6)
    summary="Public keys that verify Ponte's tokens",
    openapi_extra={"security": []},
)
async def jwks(request: Request, response: Response) -> JsonWebKeySet:
    response.headers["Cache-Control"] = "public, max-age=60"
    keys = request.app.state.keys
    return JsonWebKeySet.model_validate(await keys.jwks())
