"""Time the official Python signer (PyPI volcengine, SignerV4.sign) on the mm_basic ModifyMessage request.

    tests/vectors/generate/.venv/bin/python benches/official/sign_python.py [ITERATIONS]
(default 20000; 3 runs, median reported). Uses the venv made by tests/vectors/generate/regenerate.sh.
The request is built as volcengine.base.Service.json() builds it (Host, User-Agent, Content-Type,
query, body) and signed with SignerV4.sign and the real clock.
"""
import collections
import importlib.metadata
import json
import statistics
import sys
import time

from volcengine import VERSION
from volcengine.Credentials import Credentials
from volcengine.auth.SignerV4 import SignerV4
from volcengine.base.Request import Request

BODY = ('{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,'
        '"Ext":{"key":"value"},"Content":"{\\"text\\":\\"hello\\"}"}')
CREDS = Credentials("AKLTYmQ0ZDQxYzc5ZTJkNDY0ZGI4NmE4NTZhYjM4ZjcwMmU",
                    "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw==", "rtc", "cn-north-1")
RUNS = 3


def make_request():
    r = Request()
    r.set_schema("https")
    r.set_method("POST")
    r.set_host("rtc.volcengineapi.com")
    r.set_path("/")
    r.set_headers(collections.OrderedDict([("Host", "rtc.volcengineapi.com"),
                                           ("User-Agent", "volc-sdk-python/" + VERSION),
                                           ("Content-Type", "application/json")]))
    r.set_query(collections.OrderedDict([("Action", "ModifyMessage"), ("Version", "2020-12-01")]))
    r.set_body(BODY)
    return r


def run(n):
    requests = [make_request() for _ in range(n)]  # built outside the timed loop
    sign = SignerV4.sign
    t0 = time.perf_counter_ns()
    for r in requests:
        sign(r, CREDS)
    t1 = time.perf_counter_ns()
    assert requests[-1].headers["Authorization"].startswith("HMAC-SHA256 ")
    return (t1 - t0) / 1000 / n


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    run(min(n, 2000))  # warm-up
    runs = [run(n) for _ in range(RUNS)]
    print(json.dumps({"signer": "volcengine (PyPI) %s" % importlib.metadata.version("volcengine"),
                      "us_per_sign": round(statistics.median(runs), 2),
                      "runs": [round(x, 2) for x in runs], "iterations": n}, separators=(",", ":")))


if __name__ == "__main__":
    main()
