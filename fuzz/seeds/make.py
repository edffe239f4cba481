#!/usr/bin/env python3
"""Writes the committed seed corpora (fuzz/seeds/<target>/) from signed deliveries.

Usage: python3 fuzz/seeds/make.py PATH/TO/webhook   (the CLI binary, for `webhook sign`)
The fixtures match fuzz/common/mod.rs: NOW, URL, ID, BODY and the secrets.
"""
import hashlib, json, os, subprocess, sys

CLI = sys.argv[1]
ROOT = os.path.dirname(os.path.abspath(__file__))
NOW = 1700000000
URL = "https://example.com/hook?x=1"
ID = "msg_fuzz"
BODY = b'{"id":"evt_1","type":"invoice.paid","data":{"object":{"amount":1}}}'
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WHSK = "whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
PROVIDERS = ["standard", "svix", "clerk", "resend", "stripe", "github", "github-sha1",
             "slack", "shopify", "twilio", "discord", "paddle", "linear", "zoom", "square",
             "mailgun", "sendgrid", "twitch", "intercom", "typeform", "calendly", "gitlab",
             "razorpay", "lemonsqueezy", "adyen"]
SIGN_SECRET = {"standard": WHSEC, "svix": WHSEC, "clerk": WHSEC, "resend": WHSEC,
               "gitlab": WHSEC,
               "discord": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
               "adyen": "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB"}


def sign(provider, body=BODY, secret=None):
    secret = secret or SIGN_SECRET.get(provider, "fuzz-secret")
    out = subprocess.run([CLI, "sign", "--provider", provider, "--secret", secret,
                          "--timestamp", str(NOW), "--id", ID, "--url", URL,
                          "--body-file", "-"], input=body, capture_output=True, check=True)
    return [tuple(l.split(": ", 1)) for l in out.stdout.decode().splitlines() if l]


def sig_header(provider, headers):
    # The signature header is the first one the CLI prints.
    return headers[0][1].encode()


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


signable = [p for p in PROVIDERS if p not in ("mailgun", "sendgrid")]
sigs = {p: sig_header(p, sign(p)) for p in signable}

# stripe_signature: the valid header, a rotated list, a v0 entry, uppercase hex, garbage.
s = sigs["stripe"]
write("stripe_signature", "valid", s)
write("stripe_signature", "two_v1", s + b",v1=" + b"0" * 64)
write("stripe_signature", "v0", s + b",v0=" + b"ab" * 32)
write("stripe_signature", "upper", s.upper())
write("stripe_signature", "only_t", b"t=%d" % NOW)
write("stripe_signature", "empty", b"")

# standard_signature: selector 0 HMAC, 1 svix, 2 v1a.
s = sigs["standard"]
write("standard_signature", "v1", b"\x00" + s)
write("standard_signature", "v1_list", b"\x00v1,AAAA " + s + b" v2,xyz")
write("standard_signature", "svix", b"\x01" + sigs["svix"])
write("standard_signature", "v1a", b"\x02" + sig_header("standard", sign("standard", secret=WHSK)))
write("standard_signature", "unpadded", b"\x00" + s.rstrip(b"="))

# signature_encodings: a selector byte and the valid value, for each provider.
for i, p in enumerate(PROVIDERS):
    if p in sigs:
        write("signature_encodings", p, bytes([i]) + sigs[p])

# verify_headers (selector, header values split by 0xff, body) and verify_any
# (selector, flags, now, url, `name 0xfe value` headers, body), from valid deliveries.
for i, p in enumerate(PROVIDERS):
    if p not in sigs:
        continue
    headers = sign(p)
    write("verify_headers", p, bytes([i]) + b"\xff".join(v.encode() for _, v in headers) + b"\xff" + BODY)
    sections = [str(NOW).encode(), URL.encode()] + [n.encode() + b"\xfe" + v.encode() for n, v in headers] + [BODY]
    write("verify_any", p, bytes([i, 0]) + b"\xff".join(sections))

# Mailgun and SendGrid from the published vectors (their own clocks).
vectors = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")))
for v in vectors:
    name = v["provider"]
    if name in ("mailgun", "sendgrid") and v.get("expected_valid"):
        i = PROVIDERS.index(name)
        headers = [k.lower().encode() + b"\xfe" + val.encode() for k, val in v.get("headers", {}).items()]
        sections = [str(v.get("timestamp", NOW)).encode(), URL.encode()] + headers + [v["payload"].encode()]
        write("verify_any", name, bytes([i, 0]) + b"\xff".join(sections))

# verify_signed: selector, mutation, position, xor, body.
for i, p in enumerate(PROVIDERS[:25:3]):
    write("verify_signed", p, bytes([PROVIDERS.index(p), 0, 0, 0]) + BODY)
write("verify_signed", "twilio_form", bytes([9, 2, 3, 1]) + b"To=%2B1555&Body=hello+world&From=x")
write("verify_signed", "flip_sig", bytes([4, 1, 20, 0x20]) + BODY)

# envelope: pointers (type, data, action, id) split by 0xff, 0xfe, then the body.
write("envelope", "stripe", b"/type\xff/data/object\xfe" + BODY)
write("envelope", "github", b"/action\xfe" + b'{"action":"opened","pull_request":{"id":1}}')
write("envelope", "escaped", b"/a~1b\xfe" + b'{"a/b":"x\\u0041","type":"t"}')
write("envelope", "duplicate", b"/type\xfe" + b'{"type":"a","type":"b","data":{}}')
write("envelope", "nested", b"/event/type\xff/event/data\xff/event/action\xff/id\xfe" + b'{"id":"1","event":{"type":"x","data":[1,2,{"k":null}],"action":"y"}}')
write("envelope", "numbers", b"/type\xfe" + b'{"type":"n","data":[1e400,-0,1.5e-10,12345678901234567890]}')

# token_open: bodies (sealed and opened by the target) and a few token shapes.
write("token_open", "body", BODY)
write("token_open", "dot", b"e30.AAAA")
write("token_open", "garbage", b"not a token")

# custom_template: template, newline, header.
write("custom_template", "ts_body", b"{timestamp}.{body}\nx-sig")
write("custom_template", "id_ts_body", b"{id}.{timestamp}.{body}\nx-signature")
write("custom_template", "url", b"{url}{body}\nx-sig")
write("custom_template", "ambiguous", b"{timestamp}{body}\nx-sig")
write("custom_template", "braces", b"{{}}{\nx")
