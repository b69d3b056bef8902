"""A small OParl server on localhost for the tests: serves the documents a test writes.

Single objects are served as written; lists are paginated (PER_PAGE objects a page, `links.next`)
and honour `modified_since` like a real OParl server (objects modified at or after it, deleted ones
included). Every request is recorded with its query, and a test can make a path answer with error
statuses first (`fail(path, 503)`).
"""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

PER_PAGE = 2


class OParlServer:
    def __init__(self):
        self.documents: dict[str, dict] = {}
        self.lists: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, dict]] = []
        self.failures: dict[str, list[int]] = {}
        self.redirects: dict[str, str] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def fail(self, path: str, *statuses: int) -> None:
        """Answer the next requests for `path` with these HTTP statuses."""
        self.failures.setdefault(path, []).extend(statuses)

    def requested(self, path: str) -> list[dict]:
        """Return the queries of the requests for `path`, in order."""
        return [query for requested, query in self.requests if requested == path]

    def put(self, path: str, item: dict) -> None:
        """Add or replace the object with item's id in the list at `path`."""
        items = self.lists.setdefault(path, [])
        items[:] = [existing for existing in items if existing["id"] != item["id"]] + [item]

    def _page(self, path: str, query: dict) -> dict:
        items = self.lists[path]
        since = query.get("modified_since")
        if since:
            limit = dt.datetime.fromisoformat(since)
            items = [item for item in items if dt.datetime.fromisoformat(item["modified"]) >= limit]
        page = int(query.get("page", "1"))
        total_pages = max(1, -(-len(items) // PER_PAGE))
        data = items[(page - 1) * PER_PAGE : page * PER_PAGE]
        links = {}
        if page < total_pages:
            links["next"] = self.url(path) + "?" + urlencode({**query, "page": page + 1})
        return {
            "data": data,
            "pagination": {
                "totalElements": len(items),
                "elementsPerPage": PER_PAGE,
                "currentPage": page,
                "totalPages": total_pages,
            },
            "links": links,
        }

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                server.requests.append((parts.path, query))
                pending = server.failures.get(parts.path)
                if pending:
                    self._send(pending.pop(0), {"error": "unavailable"})
                elif parts.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[parts.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif parts.path in server.lists:
                    self._send(200, server._page(parts.path, query))
                elif parts.path in server.documents:
                    self._send(200, server.documents[parts.path])
                else:
                    self._send(404, {"error": "not found"})

            def _send(self, status: int, payload: dict):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
