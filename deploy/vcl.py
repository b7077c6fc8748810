"""How the edge is configured: deploy/varnish/bunko.vcl, the same everywhere, and beside it a generated
bunko-site.vcl with what differs per site: the app instances (each probed at /healthz), the addresses allowed to
purge and the secret a purge must carry (EDGE_PURGE_SECRET), the TLS terminators trusted to say a request came
over HTTPS, and the outage page served when no instance answers.
"""

import re
from pathlib import Path

VCL = Path(__file__).resolve().parent / "varnish" / "bunko.vcl"
HOST = "127.0.0.1"
# varnishd's parameters beyond its defaults. A feed or list names every essay, tag and author it shows, twice
# (Surrogate-Key, xkey): room for long keys.
VARNISHD_PARAMETERS = [
    "-p", "default_keep=0", "-p", "thread_pool_min=20",
    "-p", "http_resp_hdr_len=64k", "-p", "http_resp_size=256k", "-p", "workspace_backend=512k",
]  # fmt: skip


def site_vcl(backends, purgers, outage_page, purge_secret, tls_terminators=(), host_header=HOST, probe="/healthz"):
    """The per-site part of the VCL: `backends` are (host, port) pairs, `purgers` and `tls_terminators`
    addresses or networks.

    Each instance is probed at `probe` (/healthz: it answers 503 when its database or cache is away).
    """
    if not re.fullmatch(r"[A-Za-z0-9_.~+/=-]{16,}", purge_secret or ""):
        raise ValueError("The purge secret must be at least 16 letters, digits or -_.~+/= (secrets.token_urlsafe).")
    lines = []
    for number, (host, port) in enumerate(backends, 1):
        lines += [
            f"backend app{number} {{",
            f'    .host = "{host}";',
            f'    .port = "{port}";',
            "    .connect_timeout = 1s;",
            "    .first_byte_timeout = 30s;",
            "    .probe = {",
            f'        .request = "GET {probe} HTTP/1.1" "Host: {host_header}" "Connection: close";',
            "        .interval = 1s; .timeout = 1s; .window = 3; .threshold = 2; .initial = 2;",
            "    }",
            "}",
        ]
    for name, addresses in (("purgers", purgers), ("tls_terminators", tls_terminators)):
        lines.append(f"acl {name} {{")
        # An ACL needs an entry: with none, one that no client has (the unspecified address).
        lines += [f'    "{address}";' for address in addresses or ["0.0.0.0"]]
        lines.append("}")
    lines += [
        "",
        "sub bunko_purge_secret {",
        f'    if (req.http.Purge-Secret != "{purge_secret}") {{',
        '        return (synth(403, "Forbidden"));',
        "    }",
        "}",
    ]
    lines += ["", "sub vcl_init {", "    new app = directors.round_robin();"]
    lines += [f"    app.add_backend(app{number});" for number in range(1, len(backends) + 1)]
    lines += ["}", "", "sub bunko_outage_page {", f'    synthetic(std.fileread("{outage_page}"));', "}", ""]
    return "\n".join(lines)


def outage_page_html():
    """Bunko's own 503 page (templates/503.html), as Django renders it; needs Django set up."""
    from django.template.loader import render_to_string

    return render_to_string("503.html")


def write_config(
    folder, backends, purge_secret, *, purgers=(HOST,), tls_terminators=(), outage_html=None, probe="/healthz"
):
    """Write bunko-site.vcl and the outage page into `folder`."""
    folder = Path(folder)
    outage = folder / "503.html"
    outage.write_text(outage_html or outage_page_html())
    vcl = site_vcl(backends, purgers, outage, purge_secret, tls_terminators, probe=probe)
    (folder / "bunko-site.vcl").write_text(vcl)
