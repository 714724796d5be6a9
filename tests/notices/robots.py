"""A stand-in WeCom / DingTalk group robot on 127.0.0.1 (http.server in a thread).

It checks each request as the real robot would: the JSON payload's shape for its kind, and for
DingTalk the timestamp and signature (recomputed here from the secret, independently of the
app's code). It counts the requests and answers as the robots do: {"errcode": 0, "errmsg":
"ok"}, or an errcode with the problem. `fail_first` answers HTTP 500 to the first n requests;
`hold` seconds makes it wait before answering (the message has arrived, the sender waits).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RobotServer:
    def __init__(self, kind: str, *, secret: str = "", fail_first: int = 0, hold: float = 0):
        assert kind in ("wecom", "dingtalk")
        self.kind, self.secret, self.fail_first, self.hold = kind, secret, fail_first, hold
        self.requests: list[dict] = []
        self.problems: list[str] = []
        self.received = threading.Event()
        self._lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                status, answer = robot._answer(self.path, self.headers, raw)
                if robot.hold:
                    time.sleep(robot.hold)
                body = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender was killed while waiting for the answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        if self.kind == "wecom":
            return f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=test-key"
        return f"http://127.0.0.1:{port}/robot/send?access_token=test-token"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _answer(self, path: str, headers, raw: bytes) -> tuple[int, dict]:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        with self._lock:
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            self.requests.append({"path": path, "query": query, "payload": payload,
                                  "content_type": headers.get("Content-Type", "")})
            number = len(self.requests)
        self.received.set()
        if number <= self.fail_first:
            return 500, {"errcode": -1, "errmsg": "system busy"}
        problem = self._problem(query, payload, headers)
        if problem:
            with self._lock:
                self.problems.append(problem)
            return 200, {"errcode": 310000, "errmsg": problem}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _problem(self, query: dict, payload, headers) -> str | None:
        if not headers.get("Content-Type", "").startswith("application/json"):
            return "not JSON"
        if not isinstance(payload, dict) or payload.get("msgtype") != "markdown":
            return "msgtype is not markdown"
        markdown = payload.get("markdown")
        if set(payload) != {"msgtype", "markdown"} or not isinstance(markdown, dict):
            return "unexpected keys"
        if self.kind == "wecom":
            content = markdown.get("content")
            if set(markdown) != {"content"} or not isinstance(content, str) or not content:
                return "markdown.content missing"
            if len(content.encode()) > 4096:
                return "content exceeds 4096 bytes"
            if query.get("key") != ["test-key"]:
                return "invalid webhook url"
            return None
        if set(markdown) != {"title", "text"} or not markdown["title"] or not markdown["text"]:
            return "markdown.title and markdown.text required"
        if query.get("access_token") != ["test-token"]:
            return "token is not exist"
        if self.secret:
            timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
            if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
                return "invalid timestamp"
            expected = base64.b64encode(hmac.new(
                self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
            ).digest()).decode()
            if not hmac.compare_digest(sign, expected):
                return "sign not match"
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
