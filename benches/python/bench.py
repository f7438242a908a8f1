"""imedit's Python wheel against the official `volcengine` (PyPI) signer, in one process.

    bash tests/vectors/generate/install.sh                 # once: the pinned official SDK
    scripts/test-python                                    # once: the wheel, in bindings/python/.venv
    bindings/python/.venv/bin/python benches/python/bench.py [ITERATIONS]

The official SDK is imported from tests/vectors/generate/.venv (added to sys.path; nothing is
installed there). Both sign the `mm_basic` ModifyMessage request (145-byte body, service `rtc`,
region `cn-north-1`). Each figure is the median of 5 runs of ITERATIONS calls (default 20,000),
in microseconds per call. Then one million calls check that memory (RSS) stays flat.
"""

from __future__ import annotations

import collections
import gc
import glob
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import imedit

ROOT = Path(__file__).resolve().parents[2]
AK = "AKLTYmQ0ZDQxYzc5ZTJkNDY0ZGI4NmE4NTZhYjM4ZjcwMmU"
SK = "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw=="
BODY = (
    '{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,'
    '"Ext":{"key":"value"},"Content":"{\\"text\\":\\"hello\\"}"}'
)
RUNS = 5


def official_sdk() -> tuple[Callable[[], object], Callable[[object], None], str]:
    """The official signer: (make_request, sign, version)."""
    for site in glob.glob(str(ROOT / "tests/vectors/generate/.venv/lib/python3*/site-packages")):
        sys.path.append(site)
    import importlib.metadata

    from volcengine import VERSION  # type: ignore[import-untyped]
    from volcengine.auth.SignerV4 import SignerV4  # type: ignore[import-untyped]
    from volcengine.base.Request import Request  # type: ignore[import-untyped]
    from volcengine.Credentials import Credentials  # type: ignore[import-untyped]

    creds = Credentials(AK, SK, "rtc", "cn-north-1")

    def make_request() -> object:
        # As volcengine.base.Service.json() builds it.
        r = Request()
        r.set_schema("https")
        r.set_method("POST")
        r.set_host("rtc.volcengineapi.com")
        r.set_path("/")
        r.set_headers(
            collections.OrderedDict(
                [
                    ("Host", "rtc.volcengineapi.com"),
                    ("User-Agent", "volc-sdk-python/" + VERSION),
                    ("Content-Type", "application/json"),
                ]
            )
        )
        r.set_query(collections.OrderedDict([("Action", "ModifyMessage"), ("Version", "2020-12-01")]))
        r.set_body(BODY)
        return r

    def sign(r: object) -> None:
        SignerV4.sign(r, creds)

    return make_request, sign, importlib.metadata.version("volcengine")


def per_call(fn: Callable[[int], None], n: int) -> float:
    """Median microseconds per call of `fn(n)` (which makes n calls)."""
    fn(min(n, 2000))
    runs = []
    for _ in range(RUNS):
        gc.collect()
        t0 = time.perf_counter_ns()
        fn(n)
        runs.append((time.perf_counter_ns() - t0) / 1000 / n)
    return statistics.median(runs)


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    make_request, official_sign, version = official_sdk()

    signer = imedit.Signer(imedit.Credentials(AK, SK))
    endpoint = imedit.Endpoint()
    edit = imedit.modify_message(123456, 7123456789012345678, 7234567890123456789, ext={"key": "value"}, text="hello")
    creds = imedit.Credentials(AK, SK)

    # Same request, same time: the official signature equals imedit's.
    r = make_request()
    official_sign(r)
    x_date = r.headers["X-Date"]  # type: ignore[attr-defined]
    now = int(time.mktime(time.strptime(x_date, "%Y%m%dT%H%M%SZ")) - time.timezone)
    ours = signer.modify_message_request(endpoint, edit, now)
    assert ours.body == BODY.encode(), ours.body
    assert ours.header("Authorization") == r.headers["Authorization"], (ours, r.headers)  # type: ignore[attr-defined]

    def official_sign_only(k: int) -> None:
        requests = [make_request() for _ in range(k)]
        t0 = time.perf_counter_ns()
        for q in requests:
            official_sign(q)
        official_sign_only.elapsed = time.perf_counter_ns() - t0  # type: ignore[attr-defined]

    def official_sign_timed(k: int) -> float:
        official_sign_only(k)
        return official_sign_only.elapsed / 1000 / k  # type: ignore[attr-defined]

    def official_build_and_sign(k: int) -> None:
        for _ in range(k):
            official_sign(make_request())

    def imedit_request(k: int) -> None:
        t = int(time.time())
        for _ in range(k):
            signer.modify_message_request(endpoint, edit, t)

    def imedit_pythonic(k: int) -> None:
        t = int(time.time())
        for _ in range(k):
            e = imedit.modify_message(
                123456, 7123456789012345678, 7234567890123456789, ext={"key": "value"}, text="hello"
            )
            signer.modify_message_request(endpoint, e, t)

    generated = getattr(imedit.Signer, "_generated_modify_message_request", imedit.Signer.modify_message_request)

    def imedit_generated(k: int) -> None:
        t = int(time.time())
        for _ in range(k):
            generated(signer, endpoint, edit, t)

    def imedit_handle(k: int) -> None:
        t = int(time.time())
        for _ in range(k):
            signer.modify_message(endpoint, edit, t)

    def imedit_cold(k: int) -> None:
        t = int(time.time())
        for _ in range(k):
            imedit.build_modify_message_request(creds, endpoint, edit, t).request()

    token = imedit.AppToken("t", 0, 100)

    def ffi_primitive(k: int) -> None:
        for _ in range(k):
            token.is_expired(50)

    def ffi_string(k: int) -> None:
        for _ in range(k):
            imedit.rtc_host("cn-north-1")

    def python_noop(k: int) -> None:
        f = int
        for _ in range(k):
            f(50)

    official = statistics.median(official_sign_timed(n) for _ in range(RUNS))
    rows = [
        (f"volcengine (PyPI) {version} SignerV4.sign, request prebuilt (sign only)", official),
        (f"volcengine (PyPI) {version} Request built + SignerV4.sign", per_call(official_build_and_sign, n)),
        ("imedit Signer.modify_message_request (build + sign, HttpRequest back in Python)", per_call(imedit_request, n)),
        ("imedit modify_message(...) + modify_message_request (from Python ints/dict/str)", per_call(imedit_pythonic, n)),
        ("imedit modify_message_request through UniFFI's generated conversion", per_call(imedit_generated, n)),
        ("imedit Signer.modify_message (build + sign, SignedRequest handle only)", per_call(imedit_handle, n)),
        ("imedit build_modify_message_request(...).request() (signing key derived each time)", per_call(imedit_cold, n)),
        ("one FFI call: AppToken.is_expired(u64) -> bool", per_call(ffi_primitive, n)),
        ("one FFI call: rtc_host(str) -> str | None", per_call(ffi_string, n)),
        ("a Python builtin call, for scale: int(50)", per_call(python_noop, n)),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"Python {sys.version.split()[0]}, {n} iterations x {RUNS} runs, median µs per call")
    for name, us in rows:
        speedup = f"  ({official / us:.1f}x faster than sign only)" if name.startswith("imedit") else ""
        print(f"  {name:<{width}}  {us:7.2f}{speedup}")

    # Memory: one million build + sign calls, then one million trivial calls.
    for label, fn in [("modify_message_request", imedit_request), ("AppToken.is_expired", ffi_primitive)]:
        fn(10000)
        gc.collect()
        samples = [rss_kib()]
        for _ in range(5):
            fn(200_000)
            gc.collect()
            samples.append(rss_kib())
        print(f"  RSS over 1,000,000 {label} calls (KiB, every 200,000): {samples}")
    print(json.dumps({"official_sign_only_us": round(official, 2), "imedit_build_sign_us": round(rows[2][1], 2)}))


if __name__ == "__main__":
    main()
