"""Write Volcengine signing vectors by executing the official Python SDK (PyPI `volcengine`).

Nothing of the SDK is re-implemented here: every expected value comes from calling
`volcengine.auth.SignerV4.SignerV4.sign` (and, for the signing key, its public
`get_signing_secret_key_v4`). The only interventions are
  * the clock: the `datetime` module seen by the signer module is replaced, in this process only,
    by one whose `datetime.now()` returns the case's time;
  * observation: `Util.sha256` / `Util.hmac_sha256` are wrapped (the originals are still called)
    to record the canonical request and the string to sign that the signer hashed.
Each result is then cross-checked with hashlib/hmac before it is written.

Usage: python gen_python.py [OUTPUT_ROOT]   (default: the tests/vectors folder above this script)
"""

import collections
import contextlib
import datetime as real_datetime
import glob
import hashlib
import hmac
import importlib
import importlib.metadata
import json
import os
import re
import sys
import types

from volcengine.ApiInfo import ApiInfo
from volcengine.Credentials import Credentials
from volcengine.ServiceInfo import ServiceInfo
from volcengine.base.Request import Request
from volcengine.base.Service import Service
from volcengine.util.Util import Util

signer_module = importlib.import_module("volcengine.auth.SignerV4")
SignerV4 = signer_module.SignerV4

HERE = os.path.dirname(os.path.abspath(__file__))
SDK_VERSION = importlib.metadata.version("volcengine")
SIGN_SOURCE = "volcengine (PyPI) %s, SignerV4.sign" % SDK_VERSION
MM_SOURCE = ("volcengine (PyPI) %s, SignerV4.sign (body per the ModifyMessage doc, "
             "https://volcengine.com/docs/6348/337137)" % SDK_VERSION)
MM_DEFAULT_HOST = {"cn-north-1": "rtc.volcengineapi.com",
                   "ap-singapore-1": "open-ap-singapore-1.volcengineapi.com"}


def x_date(unix):
    return real_datetime.datetime.fromtimestamp(unix, tz=real_datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


@contextlib.contextmanager
def frozen_clock(unix):
    fixed = real_datetime.datetime.fromtimestamp(unix, tz=real_datetime.timezone.utc)

    class FrozenDateTime(real_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed.astimezone(tz) if tz is not None else fixed.replace(tzinfo=None)

    saved = signer_module.datetime
    signer_module.datetime = types.SimpleNamespace(datetime=FrozenDateTime)
    try:
        yield
    finally:
        signer_module.datetime = saved


@contextlib.contextmanager
def recording():
    """Record what the signer hashes, while still running the SDK's own functions."""
    rec = {"sha256": [], "hmac": []}
    orig_sha256 = Util.__dict__["sha256"]
    orig_hmac = Util.__dict__["hmac_sha256"]

    def sha256(content):
        rec["sha256"].append(content)
        return orig_sha256.__func__(content)

    def hmac_sha256(key, content):
        rec["hmac"].append((key, content))
        return orig_hmac.__func__(key, content)

    Util.sha256 = staticmethod(sha256)
    Util.hmac_sha256 = staticmethod(hmac_sha256)
    try:
        yield rec
    finally:
        Util.sha256 = orig_sha256
        Util.hmac_sha256 = orig_hmac


def expand_body(body):
    if isinstance(body, str):
        return body
    out = []
    for seg in body:
        out.append(seg if isinstance(seg, str) else seg["repeat"] * seg["times"])
    return "".join(out)


def parse_authorization(auth):
    assert auth.startswith("HMAC-SHA256 Credential="), auth
    parts = dict(p.split("=", 1) for p in auth[len("HMAC-SHA256 "):].split(", "))
    return parts["Credential"], parts["SignedHeaders"], parts["Signature"]


def check_chain(canonical, sts, signing_key, signature, unix, signed_headers):
    lines = sts.split("\n")
    assert lines[0] == "HMAC-SHA256" and lines[1] == x_date(unix), sts
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == lines[3], "canonical request hash"
    assert hmac.new(signing_key, sts.encode("utf-8"), hashlib.sha256).hexdigest() == signature, "signature"
    assert canonical.split("\n")[-2] == signed_headers, "SignedHeaders line"


def sign_with_sdk(inp, body):
    """Build the request as volcengine.base.Service does and call SignerV4.sign."""
    r = Request()
    r.set_schema("https")
    r.set_method(inp["method"])
    r.set_host(inp["host"])
    r.set_path(inp["path"])
    headers = collections.OrderedDict()
    headers["Host"] = inp["host"]
    for k, v in inp["headers"]:
        headers[k] = v
    r.set_headers(headers)
    query = collections.OrderedDict()
    for k, v in inp["query"]:
        if k in query:
            if not isinstance(query[k], list):
                query[k] = [query[k]]
            query[k].append(v)
        else:
            query[k] = v
    r.set_query(query)
    r.set_body(body)
    creds = Credentials(inp["access_key_id"], inp["secret_access_key"], inp["service"], inp["region"],
                        inp["session_token"] or "")
    before = list(headers.keys())
    with frozen_clock(inp["time"]), recording() as rec:
        SignerV4.sign(r, creds)
    return r, before, rec


def sign_case(defaults, case):
    inp = dict(defaults)
    inp.update(case["input"])
    body = expand_body(inp["body"])
    r, before, rec = sign_with_sdk(inp, body)

    auth = r.headers["Authorization"]
    _, signed, signature = parse_authorization(auth)
    canonical = rec["sha256"][-1]
    sts = rec["hmac"][-1][1]
    xd = r.headers["X-Date"]
    assert xd == x_date(inp["time"]), (xd, inp["time"])
    signing_key = SignerV4.get_signing_secret_key_v4(inp["secret_access_key"], xd[:8], inp["region"],
                                                     inp["service"])
    check_chain(canonical, sts, signing_key, signature, inp["time"], signed)

    input_headers = [list(h) for h in inp["headers"]]
    added = []
    for k, v in r.headers.items():
        if k in before or k == "Authorization":
            continue
        if k == "Content-Type":  # the SDK's default Content-Type: it is part of what was signed
            input_headers.append([k, v])
            continue
        added.append([k, v])

    default_set = {"host", "x-content-sha256", "x-date"}
    if any(k.lower() == "content-type" for k, _ in input_headers):
        default_set.add("content-type")
    if inp["session_token"]:
        default_set.add("x-security-token")
    actual = signed.split(";")
    signed_headers = None if sorted(default_set) == actual else actual

    name = "python-" + case["name"]
    vec = collections.OrderedDict()
    vec["name"] = name
    vec["description"] = case["description"]
    vec["source"] = SIGN_SOURCE
    vi = collections.OrderedDict()
    for key in ("access_key_id", "secret_access_key", "session_token", "region", "service", "method",
                "host", "path", "query"):
        vi[key] = inp[key]
    vi["headers"] = input_headers
    vi["body"] = body
    vi["time"] = inp["time"]
    vi["signed_headers"] = signed_headers
    vec["input"] = vi
    ve = collections.OrderedDict()
    ve["canonical_request"] = canonical
    ve["string_to_sign"] = sts
    ve["signing_key"] = signing_key.hex()
    ve["signature"] = signature
    ve["authorization"] = auth
    ve["headers"] = added
    vec["expected"] = ve
    return name, vec


def mm_body(params):
    """ModifyMessage body per the doc: compact JSON, ids as bare integers, then Ext, then Content."""
    parts = []
    for key, field in (("AppId", "app_id"), ("ConversationShortId", "conversation_short_id"),
                       ("MessageId", "message_id")):
        parts.append('"%s":%d' % (key, int(params[field])))
    ext = params.get("ext")
    if ext:
        parts.append('"Ext":' + json.dumps(ext, ensure_ascii=False, separators=(",", ":")))
    if params.get("content") is not None:
        parts.append('"Content":' + json.dumps(params["content"], ensure_ascii=False))
    return "{" + ",".join(parts) + "}"


def modify_message_case(defaults, case):
    inp = collections.OrderedDict()
    for key in ("access_key_id", "secret_access_key", "session_token"):
        inp[key] = case["input"].get(key, defaults[key])
    inp["region"] = case["input"]["region"]
    inp["host"] = case["input"].get("host")
    inp["time"] = case["input"].get("time", defaults["time"])
    inp["params"] = case["input"]["params"]
    host = inp["host"] or MM_DEFAULT_HOST[inp["region"]]
    body = mm_body(inp["params"])

    # Exactly the steps of volcengine.base.Service.json(), without sending.
    creds = Credentials("", "", "rtc", inp["region"], inp["session_token"] or "")
    api = ApiInfo("POST", "/", {"Action": "ModifyMessage", "Version": "2020-12-01"}, {}, {})
    svc = Service(ServiceInfo(host, {}, creds, 5, 5, scheme="https"), {"ModifyMessage": api})
    svc.set_ak(inp["access_key_id"])
    svc.set_sk(inp["secret_access_key"])
    r = svc.prepare_request(api, {})
    r.headers["Content-Type"] = "application/json"
    r.body = body
    with frozen_clock(inp["time"]), recording() as rec:
        SignerV4.sign(r, svc.service_info.credentials)
    url = r.build()

    _, signed, signature = parse_authorization(r.headers["Authorization"])
    want = "content-type;host;x-content-sha256;x-date" + (";x-security-token" if inp["session_token"] else "")
    assert signed == want, signed
    assert r.headers["X-Date"] == x_date(inp["time"])
    key = SignerV4.get_signing_secret_key_v4(inp["secret_access_key"], r.headers["X-Date"][:8], inp["region"], "rtc")
    check_chain(rec["sha256"][-1], rec["hmac"][-1][1], key, signature, inp["time"], signed)

    headers = [["Content-Type", r.headers["Content-Type"]], ["X-Date", r.headers["X-Date"]],
               ["X-Content-Sha256", r.headers["X-Content-Sha256"]]]
    if inp["session_token"]:
        headers.append(["X-Security-Token", r.headers["X-Security-Token"]])
    headers.append(["Authorization", r.headers["Authorization"]])

    vec = collections.OrderedDict()
    vec["name"] = case["name"]
    vec["description"] = case["description"]
    vec["source"] = MM_SOURCE
    vec["input"] = inp
    vec["expected"] = {"request": collections.OrderedDict(
        [("method", r.method), ("url", url), ("headers", headers), ("body", r.body)])}
    return case["name"], vec


PAIR = re.compile(r'\[\n\s+("(?:[^"\\]|\\.)*"),\n\s+("(?:[^"\\]|\\.)*")\n\s+\]')


def write(path, vec):
    text = json.dumps(vec, ensure_ascii=False, indent=2)
    text = PAIR.sub(r"[\1, \2]", text)  # [name, value] pairs on one line
    assert json.loads(text) == json.loads(json.dumps(vec))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def main():
    out_root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(HERE)
    with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f, object_pairs_hook=collections.OrderedDict)
    defaults = cases["defaults"]

    sign_dir = os.path.join(out_root, "volcengine", "sign")
    os.makedirs(sign_dir, exist_ok=True)
    for stale in glob.glob(os.path.join(sign_dir, "python-*.json")):
        os.remove(stale)
    n = 0
    for case in cases["sign"]:
        if "python" not in case["sdks"]:
            continue
        name, vec = sign_case(defaults, case)
        write(os.path.join(sign_dir, name + ".json"), vec)
        n += 1

    mm_dir = os.path.join(out_root, "volcengine", "modify_message")
    os.makedirs(mm_dir, exist_ok=True)
    m = 0
    for case in cases["modify_message"]:
        name, vec = modify_message_case(defaults, case)
        write(os.path.join(mm_dir, name + ".json"), vec)
        m += 1
    print("gen_python: %s wrote %d sign vectors and %d modify_message vectors" % (SIGN_SOURCE, n, m))


if __name__ == "__main__":
    main()
