#!/usr/bin/env python3
"""Counts the Redis round trips (top-level commands, seen by MONITOR) of each step of a
full QR login (create, scan, confirm, status, redeem) driven through the HTTP API of a
`qrlogin serve --demo --store redis://...`. Usage: redis_round_trips.py HTTP_PORT REDIS_PORT [N]"""
import json, re, socket, sys, threading, time, urllib.request

http, rport = int(sys.argv[1]), int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
base = f"http://127.0.0.1:{http}"

def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")

def redis(*args):
    s = socket.create_connection(("127.0.0.1", rport))
    s.sendall(("*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args)).encode())
    buf = b""
    while True:
        chunk = s.recv(65536)
        buf += chunk
        if buf.startswith(b"$"):
            ln = int(buf[1:buf.index(b"\r\n")])
            if len(buf) >= buf.index(b"\r\n") + 2 + ln + 2:
                break
        elif buf.endswith(b"\r\n"):
            break
    s.close()
    return buf.decode(errors="replace")

lines = []
def monitor():
    m = socket.create_connection(("127.0.0.1", rport))
    m.sendall(b"*1\r\n$7\r\nMONITOR\r\n")
    buf = b""
    while True:
        chunk = m.recv(65536)
        if not chunk:
            return
        buf += chunk
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            lines.append(line.decode(errors="replace"))
threading.Thread(target=monitor, daemon=True).start()
time.sleep(0.3)

def mark(name):
    redis("ECHO", "mark:" + name)
    time.sleep(0.05)

def split():
    """Top-level commands per step (commands run inside a script are marked lua)."""
    out, cur = {}, None
    for l in lines:
        m = re.search(r'"ECHO" "mark:(\w+)"', l)
        if m:
            cur = m.group(1); out.setdefault(cur, {}); continue
        if cur is None or "lua]" in l or not l.startswith("+"):
            continue
        cmd = re.search(r'\] "(\w+)"', l)
        if cmd:
            c = cmd.group(1).lower()
            out[cur][c] = out[cur].get(c, 0) + 1
    return out

phone = call("POST", "/api/v1/auth/login", {"username": "alice", "password": "alice-demo",
             "device": {"id": "count-phone", "type": "ios", "name": "counter"}})
ph = {"Authorization": "Bearer " + phone["access_token"], "X-Device-Id": "count-phone"}
steps = ["create", "scan", "confirm", "status", "redeem"]
for _ in range(n):
    mark("create")
    qr = call("POST", "/api/v1/qr", {"device": {"type": "web", "name": "counter"}})
    pc = {"Authorization": "Bearer " + qr["poll_token"]}
    mark("scan")
    sc = call("POST", f"/api/v1/qr/{qr['qr_id']}/scan", {}, ph)
    mark("confirm")
    call("POST", f"/api/v1/qr/{qr['qr_id']}/confirm", {"scan_ticket": sc["scan_ticket"]}, ph)
    mark("status")
    st = call("GET", f"/api/v1/qr/{qr['qr_id']}", None, pc); assert st["state"] == "confirmed", st
    mark("redeem")
    call("POST", f"/api/v1/qr/{qr['qr_id']}/redeem", None, pc)
    mark("end")
time.sleep(0.3)
per = split()
total = 0
for step in steps:
    # Not the request's: TIME (the clock refresh, 1/s), PING (readiness), SCRIPT LOAD (once).
    cmds = {k: v / n for k, v in sorted(per.get(step, {}).items()) if k not in ("time", "ping", "script")}
    s = sum(cmds.values()); total += s
    print(f"{step:8} {s:5.2f}  {cmds}")
print(f"{'total':8} {total:5.2f} Redis round trips (top-level commands) per login (mean of {n})")
