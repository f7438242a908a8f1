"""Runs the shared vectors of tests/vectors/ (or of $IMEDIT_VECTORS) against the installed wheel,
exactly as tests/vectors.rs does against the Rust API."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar, Union

import pytest

import imedit
from imedit import (
    AppToken,
    Credentials,
    Endpoint,
    ExtMode,
    HttpRequest,
    HttpResponse,
    ImeditError,
    ModifyMessage,
    Scheme,
    Settings,
    SignableRequest,
    Signer,
    SigningParams,
    TimeUnit,
    TokenPolicy,
)

Json = Any
T = TypeVar("T")


class Mismatch(Exception):
    """A vector whose result differs from the expected one."""


def root() -> Path:
    env = os.environ.get("IMEDIT_VECTORS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "tests" / "vectors"


# ---- reading vectors ----------------------------------------------------------------------------------


def field(v: Json, key: str) -> Json:
    if not isinstance(v, dict) or key not in v:
        raise Mismatch(f"missing `{key}`")
    return v[key]


def text(v: Json, key: str) -> str:
    value = field(v, key)
    if not isinstance(value, str):
        raise Mismatch(f"`{key}` is not a string")
    return value


def opt_text(v: Json, key: str) -> Optional[str]:
    value = v.get(key) if isinstance(v, dict) else None
    return value if isinstance(value, str) else None


def as_u64(v: Json) -> Optional[int]:
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**64:
        return v
    return None


def pairs(v: Json) -> list[tuple[str, str]]:
    if isinstance(v, dict):
        out = []
        for k, value in v.items():
            if not isinstance(value, str):
                raise Mismatch(f"`{k}` is not a string")
            out.append((k, value))
        return out
    if isinstance(v, list):
        out = []
        for p in v:
            if not (isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)):
                raise Mismatch(f"not a [name, value] pair: {p!r}")
            out.append((p[0], p[1]))
        return out
    raise Mismatch(f"not a map: {v!r}")


def opt_pairs(v: Json, key: str) -> Optional[list[tuple[str, str]]]:
    value = v.get(key)
    return None if value is None else pairs(value)


def data_error(why: str) -> ImeditError:
    """A vector whose data is not what the format says (as the Rust runner's `Error::transport`)."""
    return ImeditError.Transport(reason=why)


def eq(what: str, got: object, want: object) -> None:
    if got != want:
        raise Mismatch(f"{what}:\n   got {got!r}\n  want {want!r}")


def dumps(v: Json) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def same_json(what: str, got: Json, want: Json) -> None:
    """JSON equality that also checks key order (ext maps and objects are ordered)."""
    eq(what, dumps(got), dumps(want))


def request_json(r: HttpRequest) -> Json:
    body = r.body_text()
    return {
        "method": r.method,
        "url": r.url,
        "headers": [[h.name, h.value] for h in r.headers],
        "body": body if body is not None else "<not utf-8>",
    }


def attempt(fn: Callable[[], T]) -> Union[T, ImeditError]:
    try:
        return fn()
    except ImeditError as e:
        return e


def built(expected: Json, result: Union[HttpRequest, ImeditError]) -> None:
    """Compares a build result with `expected.request` or `expected.error`."""
    want_request, want_error = expected.get("request"), expected.get("error")
    if want_request is not None and isinstance(result, HttpRequest):
        same_json("request", request_json(result), want_request)
    elif want_error is not None and isinstance(result, ImeditError):
        refusal(want_error, result)
    elif want_request is not None:
        raise Mismatch(f"expected a request, got the error {result!r}")
    elif want_error is not None:
        raise Mismatch(f"expected the error {want_error!r}, got the request {result!r}")
    else:
        raise Mismatch("`expected` has neither `request` nor `error`")


def refusal(want: Json, got: ImeditError) -> None:
    eq("error code", got.code(), text(want, "code"))
    wanted_field = opt_text(want, "field")
    if wanted_field is not None:
        if not isinstance(got, ImeditError.InvalidInput):
            raise Mismatch(f"expected field {wanted_field}, got {got!r}")
        eq("error field", got.field, wanted_field)


def parsed_error(want: Json, got: ImeditError) -> None:
    """Every field listed in `expected.error` must match."""
    api = got if isinstance(got, ImeditError.Api) else None
    actual = {
        "code": got.code(),
        "retry": got.retry_advice().as_str(),
        "status": got.http_status(),
        "vendor_code": api.vendor_code if api else None,
        "vendor_code_n": api.vendor_code_n if api else None,
        "exception": api.exception if api else None,
        "message": api.vendor_message if api else None,
        "request_id": api.request_id if api else None,
        "timestamp": api.timestamp if api else None,
        "duration": api.duration if api else None,
    }
    if not isinstance(want, dict):
        raise Mismatch("`error` is not an object")
    for key, value in want.items():
        if key not in actual:
            raise Mismatch(f"unknown error field `{key}`")
        eq(f"error.{key}", actual[key], value)


def response(input: Json) -> HttpResponse:
    status = as_u64(field(input, "status"))
    if status is None:
        raise Mismatch("status")
    headers = input.get("headers")
    return imedit.response(status & 0xFFFF, [] if headers is None else pairs(headers), text(input, "body").encode())


def parsed(expected: Json, result: Union[T, ImeditError], to_json: Callable[[T], Json]) -> None:
    want_ok, want_error = expected.get("ok"), expected.get("error")
    if want_ok is not None and not isinstance(result, ImeditError):
        same_json("ok", to_json(result), want_ok)
    elif want_error is not None and isinstance(result, ImeditError):
        parsed_error(want_error, result)
    elif want_ok is not None:
        raise Mismatch(f"expected success, got {result!r}")
    elif want_error is not None:
        assert not isinstance(result, ImeditError)
        raise Mismatch(f"expected the error {want_error!r}, got {to_json(result)!r}")
    else:
        raise Mismatch("`expected` has neither `ok` nor `error`")


def volc_credentials(input: Json) -> Credentials:
    ak = opt_text(input, "access_key_id") or ""
    sk = opt_text(input, "secret_access_key") or ""
    token = opt_text(input, "session_token")
    return Credentials(ak, sk) if token is None else Credentials.with_session_token(ak, sk, token)


# ---- volcengine ---------------------------------------------------------------------------------


def check_sign(case: Json) -> None:
    input, expected = field(case, "input"), field(case, "expected")
    request = SignableRequest(
        method=text(input, "method"),
        scheme=Scheme.HTTPS,
        host=text(input, "host"),
        path=text(input, "path"),
        query=imedit.key_values(pairs(field(input, "query"))),
        headers=imedit.key_values(pairs(field(input, "headers"))),
        body=text(input, "body").encode(),
    )
    time = as_u64(field(input, "time"))
    if time is None:
        raise Mismatch("time")
    signed_headers = input.get("signed_headers")
    if signed_headers is not None and not isinstance(signed_headers, list):
        raise Mismatch(f"signed_headers: {signed_headers!r}")
    params = SigningParams(
        region=text(input, "region"),
        service=text(input, "service"),
        time=time,
        signed_headers=None if signed_headers is None else [s for s in signed_headers if isinstance(s, str)],
    )
    try:
        creds = volc_credentials(input)
        cold = imedit.sign(creds, request, params)
    except ImeditError as e:
        raise Mismatch(str(e)) from e
    # Both entry points must agree: the one-shot signer and the caching signer (twice, so the
    # second call uses the cached key).
    signer = Signer(creds)
    for signed in (cold, signer.sign(request, params), signer.sign(request, params)):
        s = signed.stages()
        req = signed.request()
        eq("canonical_request", s.canonical_request(), text(expected, "canonical_request"))
        eq("string_to_sign", s.string_to_sign(), text(expected, "string_to_sign"))
        key = opt_text(expected, "signing_key")
        if key is not None:
            eq("signing_key", s.signing_key_hex(), key)
        eq("signature", s.signature(), text(expected, "signature"))
        eq("authorization", s.authorization(), text(expected, "authorization"))
        eq("Authorization header", req.header("Authorization"), s.authorization())
        for name, value in pairs(field(expected, "headers")):
            eq(f"header {name}", req.header(name), value)
        # The URL carries exactly the canonical query that was signed.
        lines = s.canonical_request().split("\n")
        query_line = lines[2] if len(lines) > 2 else ""
        url_query = req.url.split("?", 1)[1] if "?" in req.url else ""
        eq("URL query", url_query, query_line)


def check_modify_message(case: Json) -> None:
    input, expected = field(case, "input"), field(case, "expected")

    def build() -> HttpRequest:
        params = input.get("params")
        if params is None:
            raise data_error("missing `params`")

        def ident(key: str) -> int:
            return imedit.parse_id(key, opt_text(params, key) or "")

        try:
            ext = opt_pairs(params, "ext") or []
        except Mismatch as e:
            raise data_error(str(e)) from e
        edit = ModifyMessage(
            app_id=ident("app_id"),
            conversation_short_id=ident("conversation_short_id"),
            message_id=ident("message_id"),
            ext=imedit.key_values(ext),
            content=opt_text(params, "content"),
        )
        endpoint = Endpoint(opt_text(input, "region") or "", opt_text(input, "host"))
        creds = volc_credentials(input)
        time = as_u64(input.get("time")) or 0
        signer = Signer(creds)
        # The three entry points agree, refusals included: the one-shot builder, the caching
        # signer, and `modify_message_request` (the faster Python conversion, when active).
        results = [
            attempt(lambda: imedit.build_modify_message_request(creds, endpoint, edit, time).request()),
            attempt(lambda: signer.modify_message(endpoint, edit, time).request()),
            attempt(lambda: signer.modify_message_request(endpoint, edit, time)),
        ]
        generated = getattr(Signer, "_generated_modify_message_request", None)
        if generated is not None:
            results.append(attempt(lambda: generated(signer, endpoint, edit, time)))
        for other in results[1:]:
            same = repr(other) == repr(results[0]) if isinstance(other, ImeditError) else other == results[0]
            if not same:
                raise Mismatch(f"entry points disagree: {results!r}")
        if isinstance(results[0], ImeditError):
            raise results[0]
        return results[0]

    built(expected, attempt(build))


def metadata_json(m: imedit.ResponseMetadata) -> Json:
    return {"request_id": m.request_id, "action": m.action, "version": m.version, "service": m.service, "region": m.region}


def openapi_json(r: imedit.OpenApiResponse) -> Json:
    out = metadata_json(r.metadata)
    out["result"] = r.result
    return out


def check_volcengine_response(case: Json) -> None:
    input, expected = field(case, "input"), field(case, "expected")
    reply = response(input)
    operation = text(input, "operation")
    if operation == "modify_message":
        parsed(expected, attempt(lambda: imedit.parse_modify_message_response(reply)), metadata_json)
    elif operation == "openapi":
        parsed(expected, attempt(lambda: imedit.parse_openapi_response(reply)), openapi_json)
    else:
        raise Mismatch(f"unknown operation {operation}")


# ---- easemob ------------------------------------------------------------------------------------


def settings(input: Json) -> Settings:
    return Settings.with_options(
        opt_text(input, "base_url") or "",
        org_name=opt_text(input, "org_name") or "",
        app_name=opt_text(input, "app_name") or "",
        app_key=opt_text(input, "app_key"),
        allow_http=input.get("allow_http") is True,
    )


def unit(input: Json) -> TimeUnit:
    name = opt_text(input, "unit")
    if name is None or name == "seconds":
        return TimeUnit.SECONDS
    if name == "milliseconds":
        return TimeUnit.MILLISECONDS
    raise Mismatch(f"unknown unit {name}")


def check_easemob_token(case: Json) -> None:
    input, expected = field(case, "input"), field(case, "expected")
    policy = TokenPolicy(ttl=as_u64(input.get("ttl")), unit=unit(input), refresh_margin=300)

    def build() -> HttpRequest:
        s = settings(input)
        if opt_text(input, "grant") == "agora":
            return imedit.build_agora_token_exchange_request(s, opt_text(input, "agora_token") or "")
        creds = imedit.ClientCredentials(opt_text(input, "client_id") or "", opt_text(input, "client_secret") or "")
        return imedit.build_token_request(s, creds, policy)

    built(expected, attempt(build))


def check_easemob_rewrite(case: Json) -> None:
    input, expected = field(case, "input"), field(case, "expected")
    edit = field(input, "edit")

    def build() -> HttpRequest:
        s = settings(input)
        kind = imedit.message_kind_from_name(opt_text(edit, "type") or "")
        try:
            custom_exts, new_ext = opt_pairs(edit, "custom_exts"), opt_pairs(edit, "new_ext")
        except Mismatch as e:
            raise data_error(str(e)) from e
        rewrite = imedit.RewriteMessage(
            message_id=opt_text(input, "message_id") or "",
            kind=kind,
            msg=opt_text(edit, "msg"),
            custom_event=opt_text(edit, "custom_event"),
            custom_exts=None if custom_exts is None else imedit.key_values(custom_exts),
            new_ext=None if new_ext is None else imedit.key_values(new_ext),
            ext_mode=ExtMode.REPLACE if opt_text(edit, "ext_mode") == "replace" else ExtMode.MERGE,
            user=opt_text(edit, "user"),
        )
        return imedit.build_rewrite_request(s, AppToken(opt_text(input, "token") or "", 0), rewrite)

    built(expected, attempt(build))


def token_json(t: AppToken) -> Json:
    return {
        "token": t.value(),
        "issued_at": t.issued_at(),
        "expires_at": t.expires_at(),
        "refresh_at": t.refresh_at(),
        "application": t.application(),
    }


def outcome_json(o: imedit.RewriteOutcome) -> Json:
    return {
        "path": o.path,
        "uri": o.uri,
        "timestamp": o.timestamp,
        "organization": o.organization,
        "application": o.application,
        "application_name": o.application_name,
        "action": o.action,
        "duration": o.duration,
    }


def check_easemob_response(case: Json) -> None:
    input, expected = field(case, "input"), field(case, "expected")
    reply = response(input)
    now = as_u64(input.get("now")) or 0
    margin = as_u64(input.get("refresh_margin"))
    policy = TokenPolicy(ttl=None, unit=unit(input), refresh_margin=300 if margin is None else margin)
    operation = text(input, "operation")
    if operation == "rewrite_message":
        parsed(expected, attempt(lambda: imedit.parse_rewrite_response(reply)), outcome_json)
    elif operation == "token":
        parsed(expected, attempt(lambda: imedit.parse_token_response(reply, now, policy)), token_json)
    elif operation == "agora_token_exchange":
        parsed(expected, attempt(lambda: imedit.parse_agora_token_exchange_response(reply, now, policy)), token_json)
    else:
        raise Mismatch(f"unknown operation {operation}")


# ---- ext ----------------------------------------------------------------------------------------


def check_ext_merge(case: Json) -> None:
    input = field(case, "input")
    name = text(input, "mode")
    modes = {"merge": ExtMode.MERGE, "replace": ExtMode.REPLACE}
    if name not in modes:
        raise Mismatch(f"unknown mode {name}")
    result = imedit.merge_ext(pairs(field(input, "current")), pairs(field(input, "patch")), modes[name])
    same_json("result", result, field(field(case, "expected"), "result"))


# ---- the runner ---------------------------------------------------------------------------------

#: Every operation folder a runner knows, and its checker.
OPERATIONS: dict[str, Callable[[Json], None]] = {
    "volcengine/sign": check_sign,
    "volcengine/modify_message": check_modify_message,
    "volcengine/response": check_volcengine_response,
    "easemob/token": check_easemob_token,
    "easemob/rewrite_message": check_easemob_rewrite,
    "easemob/response": check_easemob_response,
    "ext/merge": check_ext_merge,
}


def check_layout(base: Path, failures: list[str]) -> None:
    """Unknown folders or files are failures (README files are welcome)."""
    for api in sorted(base.iterdir()):
        if not api.is_dir() or api.name == "generate":
            continue
        for op in sorted(api.iterdir()):
            rel = f"{api.name}/{op.name}"
            if op.is_dir() and rel not in OPERATIONS:
                failures.append(f"{rel}: unknown operation folder")
            elif op.is_dir():
                for f in op.iterdir():
                    if f.suffix != ".json" and f.name != "README.md":
                        failures.append(f"{f}: unknown file")


def test_shared_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    base = root()
    failures: list[str] = []
    total = 0
    check_layout(base, failures)
    lines = []
    for operation, check in OPERATIONS.items():
        folder = base / operation
        if not folder.is_dir():
            lines.append(f"{operation}: folder absent, skipped")
            continue
        files = sorted(p for p in folder.iterdir() if p.suffix == ".json")
        if not files:
            failures.append(f"{operation}: no vector files")
        for file in files:
            name = file.relative_to(base)
            try:
                check(json.loads(file.read_text(encoding="utf-8")))
            except Mismatch as e:
                failures.append(f"{name}: {e}")
            except Exception as e:  # an unexpected error fails this vector, not the whole run
                failures.append(f"{name}: {type(e).__name__}: {e!r}")
        lines.append(f"{operation}: {len(files)} vector files checked")
        total += len(files)
    lines.append(f"{total} vector files checked in {base}")
    with capsys.disabled():
        print("\n" + "\n".join("  python vectors: " + line for line in lines))
    assert not failures, f"{len(failures)} failing vectors:\n" + "\n".join(failures)
