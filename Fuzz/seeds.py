#!/usr/bin/env python3
"""Writes the seed inputs of one fuzz target into a folder: the shapes the tests send.

Usage: Fuzz/seeds.py TARGET FOLDER
"""
import os
import struct
import sys


def record(kind, request_id, content=b""):
    padding = (8 - len(content) % 8) % 8
    return struct.pack("!BBHHBx", 1, kind, request_id, len(content), padding) + content + b"\0" * padding


def pairs(items):
    out = b""
    for name, value in items:
        for length in (len(name), len(value)):
            out += bytes([length]) if length < 128 else struct.pack("!I", length | 0x80000000)
        out += name + value
    return out


def fastcgi_records():
    body = b"leads%5Badd%5D%5B0%5D%5Bid%5D=1&leads%5Badd%5D%5B0%5D%5Bname%5D=Lead"
    params = [(b"REQUEST_METHOD", b"POST"), (b"SCRIPT_NAME", b"/kommo-webhook"), (b"CONTENT_LENGTH", str(len(body)).encode()),
              (b"HTTP_X_LONG", b"x" * 200)]

    def request(request_id, keep):
        return (record(1, request_id, struct.pack("!HB5x", 1, 1 if keep else 0)) + record(4, request_id, pairs(params))
                + record(4, request_id) + record(5, request_id, body) + record(5, request_id))

    # The first byte of each input picks where the fuzzer splits it into two reads.
    return {
        "request": b"\x07" + request(1, False),
        "two-kept-requests": b"\x30" + request(1, True) + request(1, True),
        "multiplexed": b"\x00" + record(1, 1, struct.pack("!HB5x", 1, 1)) + record(1, 2, struct.pack("!HB5x", 1, 0)),
        "aborted": b"\x00" + record(1, 1, struct.pack("!HB5x", 1, 1)) + record(2, 1),
        "get-values": b"\x03" + record(9, 0, pairs([(b"FCGI_MPXS_CONNS", b""), (b"FCGI_MAX_CONNS", b"")])),
        "unknown-type": b"\x00" + record(42, 0),
    }


KOMMO_FORM = (b"leads%5Bstatus%5D%5B0%5D%5Bid%5D=25399013&leads%5Bstatus%5D%5B0%5D%5Bname%5D=Deal+%2B+more"
              b"&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=ref_ABC"
              b"&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B2%5D%5Bvalues%5D%5B0%5D=1625086800"
              b"&account%5Bsubdomain%5D=unirock&account%5Bid%5D=29085730")
KNOWLARITY_JSON = (b'{"uuid":"a1","customer_number":"+918019858999","start_time":"2025-12-06 11:11:21+05:30",'
                   b'"call_duration":"7","nested":{"list":[1,2.5e3,-0,true,false,null,"\\u0041\\ud83d\\ude80"]}}')


def form_tree():
    return {"kommo-status": KOMMO_FORM, "appends": b"tag[]=a&tag[]=b&tag[5]=c&tag[]=d", "malformed": b"a=1&&b[x=3&c[d]e=4&=skip&%ZZ=5",
            "deep": b"a" + b"[x]" * 20 + b"=1"}


def json_body():
    return {"knowlarity": KNOWLARITY_JSON, "kommo": b'{"leads":{"add":[{"id":999999,"name":"Test Lead","status_id":123}]}}',
            "duplicate-keys": b'{"a":1,"b":2,"a":3}', "deep": b"[" * 40 + b"]" * 40}


def time_text():
    return {"offset": b"2016-09-27 09:19:34.391601+05:30", "zulu": b"2025-12-06T10:00:00Z", "date": b"2024-02-29",
            "compact-offset": b"2025-01-01T01:00-0230", "bad": b"2020-13-45"}


def cgi_request():
    meta = (b"REQUEST_METHOD=POST\nSCRIPT_NAME=/kommo-webhook\nCONTENT_TYPE=application/x-www-form-urlencoded\n"
            b"CONTENT_LENGTH=%d\nHTTP_X_WEBHOOK_TOKEN=s3cret\nQUERY_STRING=token=a&b=%%20\n\n")
    json_meta = b"REQUEST_METHOD=POST\nCONTENT_TYPE=application/json\nCONTENT_LENGTH=%d\n\n"
    return {"form": meta % len(KOMMO_FORM) + KOMMO_FORM, "json": json_meta % len(KNOWLARITY_JSON) + KNOWLARITY_JSON,
            "truncated": meta % 500 + KOMMO_FORM[:20], "bad-length": b"REQUEST_METHOD=POST\nCONTENT_LENGTH=-1\n\n"}


def subscriber_url():
    return {"https": b"https://crm.example.com/webhooks/flowkick?x=1", "port": b"http://127.0.0.1:9000/hooks",
            "ipv6": b"https://[2001:db8::1]:8443/", "userinfo": b"https://user:pw@example.com/", "bare": b"https://example.com",
            "bad-port": b"https://example.com:99999/", "space": b"https://example.com/a b"}


def salesbot_token():
    return {"hs512": b"eyJhbGciOiJIUzUxMiJ9.eyJhY2NvdW50X2lkIjo3LCJzdWJkb21haW4iOiJhY21lIiwiZXhwIjoyMDAwfQ.c2ln",
            "none": b"eyJhbGciOiJub25lIn0.e30.", "two-parts": b"a.b", "bad-base64": b"!!!.???.***"}


def http(request_line, body=b"", content_type=None, headers=()):
    """A handler target's input: a request line, header lines, an empty line, the body."""
    head = [request_line] + ([b"Content-Type: " + content_type] if content_type else []) + list(headers)
    return b"\n".join(head) + b"\n\n" + body


FORM = b"application/x-www-form-urlencoded"
JSON = b"application/json"
AMOCRM_WON = (b"leads%5Bstatus%5D%5B0%5D%5Bid%5D=25399013&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142"
              b"&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=3177727&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=15000"
              b"&leads%5Bstatus%5D%5B0%5D%5Bupdated_at%5D=1733480000&leads%5Bstatus%5D%5B0%5D%5Bname%5D=Deal"
              b"&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=utm_source"
              b"&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=ref_ABC"
              b"&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bcode%5D=UTM_CAMPAIGN"
              b"&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=kenesary_spring"
              b"&account%5Bsubdomain%5D=unirock&account%5Bid%5D=29085730")
WIDGET = (b'{"token":{"account_id":29085730,"subdomain":"unirock","client_uuid":"fuzz-client","exp":4102444800,'
          b'"iat":1700000000,"entity_id":25399013,"entity_type":2},"data":{"message":"hi"},'
          b'"return_url":"https://unirock.kommo.com/api/v4/salesbot/17/continue/42"}')


def kommo_webhook():
    return {"status": http(b"POST /kommo-webhook", KOMMO_FORM, FORM),
            "json": http(b"POST /kommo-webhook", b'{"leads":{"add":[{"id":999999,"name":"Test Lead","status_id":123,"price":"1e3",'
                         b'"last_modified":1733480000}]},"account":{"id":"29085730"}}', JSON),
            "delete": http(b"POST /kommo-webhook", b"leads%5Bdelete%5D%5B0%5D%5Bid%5D=25399013&leads%5Bdelete%5D%5B0%5D%5Bstatus_id%5D=142", FORM),
            "huge-time": http(b"POST /kommo-webhook", b"leads[update][0][id]=1&leads[update][0][updated_at]=9223372036854775807", FORM)}


def amocrm_webhook():
    return {"won": http(b"POST /webhook/amocrm", AMOCRM_WON, FORM),
            "overflow": http(b"POST /webhook/amocrm", AMOCRM_WON.replace(b"1733480000", b"9223372036854775807"), FORM),
            "price": http(b"POST /webhook/amocrm", AMOCRM_WON.replace(b"15000", b"1e308"), FORM),
            "status-page": http(b"GET /webhook/amocrm/test")}


def knowlarity_webhook():
    return {"call": http(b"POST /webhooks/knowlarity", KNOWLARITY_JSON, JSON),
            "wrapped": http(b"POST /webhooks/knowlarity", b'{"data":{"callid":"c9","caller_id":"08019858999","Call_Type":"incoming",'
                            b'"call_duration":"1e30","agent_number":"NA"}}', JSON),
            "get": http(b"GET /webhooks/knowlarity?uuid=g1&Customer_Number=%2B918019858999&start_time=2025-12-06+11:11:21%2B05:30")}


def widget_request():
    return {"signed": http(b"POST /widget-request", WIDGET, JSON),
            "expired": http(b"POST /widget-request", WIDGET.replace(b"4102444800", b"-9223372036854775808"), JSON),
            "unsigned": http(b"POST /widget-request", b'{"token":"a.b.c","return_url":"https://x.kommo.com/"}', JSON)}


def kommo_oauth():
    return {"authorize": http(b"GET /kommo-oauth?action=authorize&mode=popup"),
            "callback": http(b"GET /kommo-oauth?action=callback&code=abc&state=s&referer=unirock.kommo.com"),
            "status": http(b"GET /kommo-oauth?action=status"),
            "api-request": http(b"POST /kommo-oauth?action=api-request", b'{"account":"unirock","method":"GET","path":"/api/v4/leads?limit=250"}', JSON),
            "disabled": http(b"GET /kommo-oauth?action=disabled&client_uuid=fuzz-client&account_id=1&signature=00")}


def admin_webhook_logs():
    return {"list": http(b"GET /api/admin/webhook-logs?source=amocrm&status=error&from=2025-01-01&to=2025-12-31T10:00:00Z&limit=10&cursor=5"),
            "one": http(b"GET /api/admin/webhook-logs/amocrm:1"),
            "viewer": http(b"GET /api/admin/webhook-logs/viewer?search=ref_"),
            "replay": http(b"POST /api/admin/webhook-logs/kommo:00000000-0000-0000-0000-000000000000/replay")}


def export():
    return {"csv": http(b"GET /api/admin/export/kommo_leads/csv?createdAfter=2025-01-01&limit=5"),
            "json": http(b"GET /api/admin/export/webhook_logs/json?source=amocrm&fields=id,source"),
            "ndjson": http(b"GET /api/admin/export/leads_master/ndjson?createdBefore=2030-01-01T00:00:00%2B05:30"),
            "users": http(b"GET /api/admin/users?page=2&limit=50&sortBy=firstName&sortOrder=desc&search=a&optedIn=whatsapp"),
            "person": http(b"GET /api/admin/users/1"),
            "consent": http(b"POST /api/admin/users/1/consents", b'{"channel":"sms","granted":true,"source":"fuzz"}', JSON),
            "person-export": http(b"POST /api/admin/users/1/export", b'{"emails":["a@example.com"]}', JSON),
            "erase": http(b"POST /api/admin/users/1/erase", b'{"emails":["a@example.com"],"reason":"fuzz"}', JSON)}


def leads():
    return {"list": http(b"GET /api/leads?is_deleted=false&pipeline_id=7&updated_since=2025-01-01&q=acme&limit=10"),
            "page": http(b"GET /api/leads?cursor=2026-01-01T00:00:00.000Z_0b6f1c1e-1f0e-4c1a-9d6b-2d9e0f6a7b8c"),
            "one": http(b"GET /api/leads/9223372036854775807?account_id=1"),
            "preflight": http(b"OPTIONS /api/leads", headers=[b"Origin: http://localhost:5173", b"Access-Control-Request-Method: GET"])}


def dashboard():
    return {"stats": http(b"GET /api/admin/stats?from=2026-11-01&to=2026-11-30&bucket=day"),
            "weeks": http(b"GET /api/admin/stats?from=2020-01-01&to=2026-12-31&bucket=week"),
            "default": http(b"GET /api/admin/stats"), "page": http(b"GET /api/admin/dashboard")}


def metrics():
    return {"scrape": http(b"GET /metrics", headers=[b"Accept: text/plain"]), "head": http(b"HEAD /metrics"), "elsewhere": http(b"GET /metrics/x")}


def webhook_subscriptions():
    return {"create": http(b"POST /api/admin/webhooks", b'{"url":"https://hooks.example.com/leadwire","events":["lead.created","sale.recorded"],'
                           b'"description":"fuzz","timeoutMs":5000,"retryCount":3}', JSON),
            "list": http(b"GET /api/admin/webhooks"),
            "patch": http(b"PATCH /api/admin/webhooks/wh_1", b'{"active":false,"timeoutMs":99999999999999999999}', JSON),
            "retry": http(b"POST /api/admin/webhooks/wh_1/deliveries/9223372036854775807/retry")}


def allowlist_entry():
    return {"v4-range": b"195.201.0.0/16", "v4": b"203.0.113.7", "v6-range": b"2a01:4f8::/32", "mapped": b"::ffff:1.2.3.4/120",
            "zero": b"0.0.0.0/0", "plus": b"10.0.0.0/+8"}


def settings_file():
    return {"example": b'# Kommo\nexport LEADWIRE_KOMMO_WEBHOOK_TOKEN="s3cret"\nLEADWIRE_PORT=8080\n\n',
            "windows": b"LEADWIRE_PORT=8080\r\nLEADWIRE_DATABASE='/var/lib/leadwire/leadwire.sqlite3'\r\n",
            "bad-name": b"LEADWIRE_PORT=1\nHOME=/root\n", "quotes": b"LEADWIRE_A=\"'\"\nLEADWIRE_B=''x''\n\tLEADWIRE_C =  \" x \" \n"}


def health():
    return {"get": http(b"GET /health"), "head": http(b"HEAD /health"), "post": http(b"POST /health", b"x")}


SEEDS = {"fastcgi-records": fastcgi_records, "form-tree": form_tree, "json-body": json_body, "time-text": time_text,
         "cgi-request": cgi_request, "subscriber-url": subscriber_url,
         "salesbot-token": salesbot_token, "allowlist-entry": allowlist_entry, "settings-file": settings_file, "kommo-webhook": kommo_webhook, "amocrm-webhook": amocrm_webhook,
         "knowlarity-webhook": knowlarity_webhook, "widget-request": widget_request, "kommo-oauth": kommo_oauth,
         "admin-webhook-logs": admin_webhook_logs, "export": export, "leads": leads, "dashboard": dashboard, "metrics": metrics, "webhook-subscriptions": webhook_subscriptions, "health": health}

if __name__ == "__main__":
    target, folder = sys.argv[1], sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    for name, data in SEEDS[target]().items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
