"""Check that every Volcengine vector is reproducible under the rules the Rust library implements.

This is an independent, stdlib-only model of those rules (written from the design doc, not from
any SDK): method upper-cased; path percent-encoded per RFC 3986 except '/', empty path -> '/';
query sorted by raw key (code points, stable for repeated keys), RFC 3986 escaping; signed
headers = `signed_headers` or the default set (content-type if present, host, x-content-sha256,
x-date, x-security-token with a token); header values trimmed; ':443'/':80' stripped from the
signed host. It fails if an official SDK's output cannot be reproduced by those rules, so that
no vector asks the library for an SDK quirk it does not implement.

Usage: python3 check_vectors.py [VECTORS_ROOT]   (default: the tests/vectors folder above this script)
"""

import datetime
import glob
import hashlib
import hmac
import json
import os
import re
import sys
from urllib.parse import quote

UNRESERVED = "-_.~"
MM_DEFAULT_HOST = {"cn-north-1": "rtc.volcengineapi.com",
                   "ap-singapore-1": "open-ap-singapore-1.volcengineapi.com"}


def enc(s, safe=""):
    return quote(s.encode("utf-8"), safe=UNRESERVED + safe)


def x_date(unix):
    return datetime.datetime.fromtimestamp(unix, tz=datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def hm(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def sign(inp, signed_names=None):
    """Return (canonical_request, string_to_sign, signing_key_hex, signature, authorization, added_headers)."""
    body = inp["body"].encode("utf-8")
    payload_hash = hashlib.sha256(body).hexdigest()
    xd = x_date(inp["time"])
    token = inp.get("session_token")
    host = inp["host"]
    for port in (":443", ":80"):
        if host.endswith(port):
            host = host[: -len(port)]
    values = {}
    for name, value in inp["headers"]:
        assert name.lower() != "host", "Host must not be in input.headers"
        values[name.lower()] = value.strip()
    values["host"] = host
    values["x-date"] = xd
    values["x-content-sha256"] = payload_hash
    if token:
        values["x-security-token"] = token
    if signed_names is None:
        signed_names = ["host", "x-content-sha256", "x-date"]
        if "content-type" in values:
            signed_names.append("content-type")
        if token:
            signed_names.append("x-security-token")
    signed_names = sorted(signed_names)
    path = inp["path"] or "/"
    query = sorted(inp["query"], key=lambda kv: kv[0])  # stable: repeated keys keep their order
    canonical = "\n".join([
        inp["method"].upper(),
        enc(path, "/"),
        "&".join(enc(k) + "=" + enc(v) for k, v in query),
        "".join("%s:%s\n" % (n, values[n]) for n in signed_names),
        ";".join(signed_names),
        payload_hash,
    ])
    scope = "%s/%s/%s/request" % (xd[:8], inp["region"], inp["service"])
    sts = "\n".join(["HMAC-SHA256", xd, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = inp["secret_access_key"].encode("utf-8")
    for part in (xd[:8], inp["region"], inp["service"], "request"):
        key = hm(key, part)
    signature = hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    auth = "HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        inp["access_key_id"], scope, ";".join(signed_names), signature)
    added = [["X-Date", xd], ["X-Content-Sha256", payload_hash]]
    if token:
        added.append(["X-Security-Token", token])
    return canonical, sts, key.hex(), signature, auth, added


def check_sign(path, v):
    inp, exp = v["input"], v["expected"]
    canonical, sts, key, signature, auth, added = sign(inp, inp["signed_headers"])
    assert canonical == exp["canonical_request"], "canonical request:\n%s\n---\n%s" % (canonical, exp["canonical_request"])
    assert sts == exp["string_to_sign"], "string to sign"
    if "signing_key" in exp:
        assert key == exp["signing_key"], "signing key"
    assert signature == exp["signature"], "signature"
    assert auth == exp["authorization"], "authorization"
    got = {k: val for k, val in exp["headers"]}
    assert len(got) == len(exp["headers"])
    want = {k: val for k, val in added}
    for k, val in got.items():
        assert want.get(k) == val, "added header %s" % k
    assert "X-Date" in got and (("X-Security-Token" in got) == bool(inp["session_token"]))
    if "X-Content-Sha256" not in got:  # only the Node SDK leaves it out, and only for an empty body
        assert v["name"].startswith("node-") and inp["body"] == "", "missing X-Content-Sha256"


def check_modify_message(path, v):
    inp, req = v["input"], v["expected"]["request"]
    p = inp["params"]
    parts = ['"AppId":%d' % int(p["app_id"]), '"ConversationShortId":%d' % int(p["conversation_short_id"]),
             '"MessageId":%d' % int(p["message_id"])]
    if p.get("ext"):
        parts.append('"Ext":' + json.dumps(p["ext"], ensure_ascii=False, separators=(",", ":")))
    if p.get("content") is not None:
        parts.append('"Content":' + json.dumps(p["content"], ensure_ascii=False))
    body = "{" + ",".join(parts) + "}"
    host = inp["host"] or MM_DEFAULT_HOST[inp["region"]]
    sinp = dict(access_key_id=inp["access_key_id"], secret_access_key=inp["secret_access_key"],
                session_token=inp["session_token"], region=inp["region"], service="rtc", method="POST",
                host=host, path="/", query=[["Action", "ModifyMessage"], ["Version", "2020-12-01"]],
                headers=[["Content-Type", "application/json"]], body=body, time=inp["time"])
    _, _, _, _, auth, added = sign(sinp)
    headers = [["Content-Type", "application/json"]] + added + [["Authorization", auth]]
    assert req["method"] == "POST"
    assert req["url"] == "https://%s/?Action=ModifyMessage&Version=2020-12-01" % host, req["url"]
    assert req["body"] == body, "body"
    assert req["headers"] == headers, "headers:\n%s\n%s" % (req["headers"], headers)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    counts = {}
    sigs = {}
    for op, fn in (("sign", check_sign), ("modify_message", check_modify_message)):
        files = sorted(glob.glob(os.path.join(root, "volcengine", op, "*.json")))
        n = 0
        for path in files:
            with open(path, encoding="utf-8") as f:
                v = json.load(f)
            stem = os.path.basename(path)[:-5]
            assert v["name"] == stem and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem), path
            if op == "modify_message" and "request" not in v["expected"]:
                continue  # error cases are not produced here
            try:
                fn(path, v)
            except AssertionError as e:
                sys.exit("FAIL %s: %s" % (path, e))
            if op == "sign":
                sigs[stem] = v["expected"]["authorization"]
            n += 1
        counts[op] = n
    aligned = [s[len("node-"):] for s in sigs if s.startswith("node-aligned-")]
    for case in aligned:
        assert sigs["node-" + case] == sigs.get("python-" + case), "aligned case differs: " + case
    print("check_vectors: all reproduced (%s); %d aligned pairs identical"
          % (", ".join("%s: %d" % kv for kv in counts.items()), len(aligned)))


if __name__ == "__main__":
    main()
