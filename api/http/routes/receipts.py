"""/public receipts and the transparency log: a decree's receipt, the latest signed tree head, consistency
proofs between sizes, and witnesses' cosignatures. Open to anyone: verifying needs no account, and
nothing here carries personal data beyond a decree's masked NIP."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.deps import Application
from api.http.problems import RequestRefused, documented
from api.http.routes.common import GUARDED
from application.audit.tlog.issue import make_receipt
from application.audit.tlog.log import latest_head
from application.audit.tlog.store import TreeStore
from application.audit.tlog.witnessing import CosignatureRefused, add_cosignature

router = APIRouter(prefix="/public", tags=["public"], dependencies=GUARDED)
STATIC = Path(__file__).resolve().parents[1] / "static" / "verify"


class ReceiptOut(BaseModel):
    """A decree's receipt (`mutasi-receipt/1`): check it with `mutasi audit verify-receipt` or /public/verify."""

    format: str
    code: str = Field(description="printed on the decree: XXXX-XXXX-XXXX-XXXX")
    statement: dict[str, Any] = Field(description="the decree's identity and its event, signed by the log")
    statement_signature: str
    leaf_index: int
    tree_size: int
    inclusion: list[str] = Field(description="RFC 9162 inclusion proof, base64 hashes")
    checkpoint: str = Field(description="the signed tree head (C2SP checkpoint) with cosignatures")


class ConsistencyOut(BaseModel):
    """RFC 9162 consistency proof between two tree sizes."""

    old: int
    new: int
    proof: list[str] = Field(description="base64 hashes")


class CosignatureIn(BaseModel):
    """A witness's cosignature/v1 line on the tree head of `size`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "size": 1042,
                    "cosignature": "\u2014 bpk.example/witness kz1S7wAAAABnQ2xY3bZ9u5c2k1r0O2vJQ2wq8r0dO1X7yQ==",
                }
            ]
        }
    )
    size: int = Field(ge=1)
    cosignature: str = Field(description="the note signature line: — <witness name> <base64>")


class CosignatureOut(BaseModel):
    """The tree head as now kept, with every cosignature."""

    checkpoint: str


class NoTreeHead(RequestRefused):
    """No tree head has been signed yet."""

    status, code, title = 404, "no-tree-head", "No signed tree head yet"


class BadCosignature(RequestRefused):
    """The cosignature is not a configured witness's valid cosignature of that tree head."""

    status, code, title = 422, "bad-cosignature", "Cosignature refused"


@router.get(
    "/receipts/{code}",
    name="public.receipt",
    summary="The receipt of a decree",
    response_model=ReceiptOut,
    responses=documented(401, 404, 422, 503),
)
def receipt(code: str, app: Application) -> dict[str, Any]:
    """The decree's receipt: its identity, its event, the inclusion proof and the signed tree head."""
    return make_receipt(app, code)


@router.get(
    "/log/checkpoint",
    name="public.log_checkpoint",
    summary="The latest signed tree head",
    response_class=PlainTextResponse,
    responses=documented(401, 404, 503),
)
def checkpoint(app: Application) -> PlainTextResponse:
    """The latest signed tree head as a C2SP checkpoint (text/plain), with its cosignatures."""
    head = latest_head(TreeStore(app.stores))
    if head is None:
        raise NoTreeHead("no tree head has been signed yet: run `mutasi audit checkpoint`")
    return PlainTextResponse(head.note.text())


@router.get(
    "/log/consistency",
    name="public.log_consistency",
    summary="A consistency proof",
    response_model=ConsistencyOut,
    responses=documented(401, 404, 422, 503),
)
def consistency(app: Application, old: Annotated[int, Query(ge=0)], new: Annotated[int, Query(ge=0)]) -> ConsistencyOut:
    """The proof that the tree of `new` events extends the tree of `old` events."""
    store = TreeStore(app.stores)
    size, _ = store.size()
    if old > new or new > size:
        raise NoTreeHead(f"no consistency proof from {old} to {new}: the tree has {size} events")
    return ConsistencyOut(old=old, new=new, proof=[base64.b64encode(h).decode() for h in store.consistency(old, new)])


@router.post(
    "/log/cosignatures",
    name="public.log_cosign",
    summary="Post a witness cosignature",
    response_model=CosignatureOut,
    responses=documented(401, 404, 422, 503),
)
def cosign(body: CosignatureIn, app: Application) -> CosignatureOut:
    """Keep a configured witness's cosignature of the tree head of `size` (checked before it is kept)."""
    try:
        return CosignatureOut(checkpoint=add_cosignature(app.stores, body.size, body.cosignature))
    except CosignatureRefused as error:
        raise BadCosignature(str(error)) from None


@router.get(
    "/verify",
    name="public.verify_page",
    summary="Check a decree's receipt in the browser",
    response_class=HTMLResponse,
    responses=documented(401, 503),
)
def verify_page(app: Application) -> HTMLResponse:
    """A page where anyone checks a receipt code with the JavaScript verifier (WebCrypto, in the browser)."""
    settings = app.settings
    policy = json.dumps({"keys": settings.audit_witness_keys, "quorum": settings.audit_witness_quorum})
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("__WITNESSES__", policy.replace("<", "\\u003c")))


@router.get(
    "/verify/verify.js",
    name="public.verify_script",
    summary="The JavaScript receipt verifier",
    response_class=Response,
    responses={
        **documented(401, 503),
        200: {"content": {"text/javascript": {"schema": {"type": "string"}}}, "description": "the module"},
    },
)
def verify_script() -> Response:
    """The verifier as an ES module: no framework, WebCrypto only; the same checks as the Python one."""
    return Response((STATIC / "verify.js").read_bytes(), media_type="text/javascript")
