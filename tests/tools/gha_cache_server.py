#!/usr/bin/env python3
"""A loopback stand-in for the GitHub Actions cache service (tests only).

Speaks both protocol generations the gha kernel-source plugin uses, keeps
entries in memory, and checks what the reference requires of a client: the
bearer token on API calls and none on blob transfers, the v1 Accept header,
content types, the namespace version, Content-Range and sizes. Anything it
does not recognise gets 400 with the reason, so client mistakes show.

  v1: GET  /_apis/artifactcache/cache?keys=K&version=ktstr
      POST /_apis/artifactcache/caches           {"key","version"}
      PATCH /_apis/artifactcache/caches/N        (Content-Range bytes 0-L-1/*)
      POST /_apis/artifactcache/caches/N         {"size"}
  v2: POST /twirp/github.actions.results.api.v1.CacheService/{GetCacheEntryDownloadURL,
           CreateCacheEntry, FinalizeCacheEntryUpload}   (JSON bodies)
  blobs: GET /_blob/N?sig=..., PUT /_blob/N?sig=... (x-ms-blob-type: BlockBlob)
  control (no auth): GET /_ktstr/mode/<modes>  switches failure modes

Failure modes (comma-separated, --mode or the control path): none, miss
(lookups miss: v1 404, v2 ok=false), conflict (reserve/create answer 409),
rate (every API call 429), error (every request 500), truncate (blob GET
announces more bytes than it sends), cuttar (blob GET sends the first half
of the blob with a matching Content-Length), slow (sleep --slow-s first).

Prints the port on stdout (and to --port-file); logs "METHOD PATH STATUS"
per request to --log.
"""
import argparse
import hashlib
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse

V1_VERSION = "ktstr"
V2_VERSION = hashlib.sha256(b"ktstr").hexdigest()
V1_ACCEPT = "application/json;api-version=6.0-preview.1"
TWIRP = "/twirp/github.actions.results.api.v1.CacheService/"
MODES = {"none", "miss", "conflict", "rate", "error", "truncate", "cuttar", "slow"}


class Store:
    """Entries by key; uploads by id until committed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.next_id = 1
        self.reserved = {}   # id -> {"key", "data", "proto"}
        self.entries = {}    # key -> (id, bytes)
        self.modes = set()

    def reserve(self, key, proto):
        with self.lock:
            if key in self.entries or any(r["key"] == key for r in self.reserved.values()):
                return None
            cid = self.next_id
            self.next_id += 1
            self.reserved[cid] = {"key": key, "data": None, "proto": proto}
            return cid


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "gha-cache-test/1"

    # ---- plumbing ----
    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        path = urllib.parse.urlsplit(self.path).path
        with self.server.log_lock:
            if self.server.log_file:
                self.server.log_file.write(f"{self.command} {path} {status}\n")
                self.server.log_file.flush()

    def reply(self, status, body=b"", ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
            ctype = "text/plain"
        self.note(status)
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if status != 204:
            self.wfile.write(body)
        self.close_connection = True

    def bad(self, why):
        self.reply(400, f"bad request: {why}\n")

    def body(self):
        n = self.headers.get("Content-Length")
        if n is None:
            raise ValueError("no Content-Length")
        return self.rfile.read(int(n))

    def json_body(self):
        ctype = self.headers.get("Content-Type", "")
        if ctype.split(";")[0].strip() != "application/json":
            raise ValueError(f"Content-Type {ctype!r}, want application/json")
        doc = json.loads(self.body())
        if not isinstance(doc, dict):
            raise ValueError("JSON body is not an object")
        return doc

    def authorized(self):
        return self.headers.get("Authorization") == f"Bearer {self.server.token}"

    def blob_url(self, cid):
        host, port = self.server.server_address
        return f"http://{host}:{port}/_blob/{cid}?sig=secret-sas-{cid}"

    # ---- dispatch ----
    def handle_any(self):
        store = self.server.store
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_ktstr/mode/"):
            modes = set(m for m in path[len("/_ktstr/mode/"):].split(",") if m)
            if not modes <= MODES:
                return self.bad(f"unknown mode in {sorted(modes)}")
            store.modes = modes - {"none"}
            return self.reply(200, {"modes": sorted(store.modes)})
        modes = store.modes
        if "slow" in modes:
            time.sleep(self.server.slow_s)
        if "error" in modes:
            return self.reply(500, "internal error (test mode)\n")
        try:
            if path.startswith("/_blob/"):
                return self.blob(path, modes)
            if not self.authorized():
                return self.reply(401, "missing or wrong bearer token\n")
            if "rate" in modes:
                return self.reply(429, "rate limited (test mode)\n")
            if path.startswith("/_apis/artifactcache/"):
                return self.v1(path, modes)
            if path.startswith(TWIRP) and self.command == "POST":
                return self.v2(path[len(TWIRP):], modes)
            return self.bad(f"unknown path {path}")
        except (ValueError, KeyError, TypeError) as e:
            return self.bad(str(e))

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

    # ---- blobs (signed URLs: no bearer token) ----
    def blob(self, path, modes):
        if "Authorization" in self.headers:
            return self.bad("blob URLs are signed; an Authorization header leaks the token")
        m = re.fullmatch(r"/_blob/(\d+)", path)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if not m or query.get("sig") != [f"secret-sas-{m.group(1)}"]:
            return self.bad("unknown blob or bad signature")
        cid = int(m.group(1))
        store = self.server.store
        if self.command == "PUT":
            if self.headers.get("x-ms-blob-type") != "BlockBlob":
                return self.bad("x-ms-blob-type must be BlockBlob")
            r = store.reserved.get(cid)
            if r is None or r["proto"] != 2:
                return self.bad(f"no v2 upload {cid}")
            r["data"] = self.body()
            return self.reply(201)
        if self.command != "GET":
            return self.bad(f"{self.command} on a blob")
        data = next((d for i, d in store.entries.values() if i == cid), None)
        if data is None:
            return self.reply(404, "no such blob\n")
        if "truncate" in modes or "cuttar" in modes:
            half = data[: len(data) // 2]
            self.note(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data) if "truncate" in modes else len(half)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(half)
            self.wfile.flush()
            self.close_connection = True
            return None
        return self.reply(200, data, "application/octet-stream")

    # ---- v1 REST ----
    def v1(self, path, modes):
        store = self.server.store
        if self.headers.get("Accept") != V1_ACCEPT:
            return self.bad(f"Accept must be {V1_ACCEPT}")
        if path == "/_apis/artifactcache/cache" and self.command == "GET":
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            if q.get("version") != [V1_VERSION] or len(q.get("keys", [])) != 1:
                return self.bad("want keys=K&version=ktstr")
            key = q["keys"][0]
            if "miss" in modes or key not in store.entries:
                return self.reply(404 if "miss" in modes else 204)
            cid, _ = store.entries[key]
            return self.reply(200, {"cacheKey": key, "scope": "refs/heads/main",
                                    "archiveLocation": self.blob_url(cid)})
        if path == "/_apis/artifactcache/caches" and self.command == "POST":
            doc = self.json_body()
            if doc.get("version") != V1_VERSION or not isinstance(doc.get("key"), str):
                return self.bad('reserve wants {"key":K,"version":"ktstr"}')
            cid = None if "conflict" in modes else store.reserve(doc["key"], 1)
            if cid is None:
                return self.reply(409, {"message": "Cache already exists."})
            return self.reply(201, {"cacheId": cid})
        m = re.fullmatch(r"/_apis/artifactcache/caches/(\d+)", path)
        if not m:
            return self.bad(f"unknown v1 request {self.command} {path}")
        cid = int(m.group(1))
        r = store.reserved.get(cid)
        if r is None or r["proto"] != 1:
            return self.bad(f"no v1 reservation {cid}")
        if self.command == "PATCH":
            if self.headers.get("Content-Type") != "application/octet-stream":
                return self.bad("PATCH wants Content-Type application/octet-stream")
            data = self.body()
            want = f"bytes 0-{len(data) - 1}/*"
            if self.headers.get("Content-Range") != want:
                return self.bad(f"Content-Range {self.headers.get('Content-Range')!r}, want {want!r}")
            r["data"] = data
            return self.reply(204)
        if self.command == "POST":
            doc = self.json_body()
            if r["data"] is None or doc.get("size") != len(r["data"]):
                return self.bad("commit size does not match the uploaded bytes")
            with store.lock:
                store.entries[r["key"]] = (cid, r["data"])
                del store.reserved[cid]
            return self.reply(204)
        return self.bad(f"unknown v1 request {self.command} {path}")

    # ---- v2 Twirp (JSON) ----
    def v2(self, method, modes):
        store = self.server.store
        doc = self.json_body()
        if doc.get("version") != V2_VERSION or not isinstance(doc.get("key"), str):
            return self.bad("v2 wants key and version = hex sha256(\"ktstr\")")
        key = doc["key"]
        if method == "GetCacheEntryDownloadURL":
            if doc.get("restore_keys") != []:
                return self.bad("restore_keys must be []")
            if "miss" in modes or key not in store.entries:
                return self.reply(200, {"ok": False, "signed_download_url": "", "matched_key": ""})
            cid, _ = store.entries[key]
            return self.reply(200, {"ok": True, "signed_download_url": self.blob_url(cid),
                                    "matched_key": key})
        if method == "CreateCacheEntry":
            if "conflict" in modes:
                return self.reply(409, {"code": "already_exists", "msg": "cache entry exists"})
            cid = store.reserve(key, 2)
            if cid is None:
                return self.reply(200, {"ok": False, "signed_upload_url": ""})
            return self.reply(200, {"ok": True, "signed_upload_url": self.blob_url(cid)})
        if method == "FinalizeCacheEntryUpload":
            size = doc.get("size_bytes")
            r = next(((i, r) for i, r in store.reserved.items()
                      if r["key"] == key and r["proto"] == 2), None)
            if r is None or r[1]["data"] is None or int(size) != len(r[1]["data"]):
                return self.bad("finalize: no upload of that size for the key")
            with store.lock:
                store.entries[key] = (r[0], r[1]["data"])
                del store.reserved[r[0]]
            return self.reply(200, {"ok": True, "entry_id": str(r[0])})
        return self.bad(f"unknown Twirp method {method}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--token", required=True, help="the bearer token clients must send")
    ap.add_argument("--mode", default="none", help="comma-separated failure modes")
    ap.add_argument("--slow-s", type=float, default=5.0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    args = ap.parse_args()
    modes = set(args.mode.split(","))
    if not modes <= MODES:
        ap.error(f"unknown mode in {args.mode}; known: {sorted(MODES)}")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.store = Store()
    srv.store.modes = modes - {"none"}
    srv.token = args.token
    srv.slow_s = args.slow_s
    srv.log_lock = threading.Lock()
    srv.log_file = open(args.log, "a", encoding="utf-8") if args.log else None
    port = srv.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w", encoding="utf-8") as f:
            f.write(f"{port}\n")
        os.rename(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
