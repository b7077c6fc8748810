vcl 4.1;

# Bunko's edge, for Debian's varnish 7.1 with varnish-modules (xkey).
#
# Keeps exactly what the origin marks as shared (`Cache-Control: ... s-maxage=N`, and static files that say
# `public`), labelled by its `xkey` header (the keys its page shows, blog.caching.edge); forgets every page
# with a key when an allowed address sends `PURGE /` with `xkey: <keys>` and the shared purge secret. Serves
# stale pages while every app instance is down (grace), balances over the instances, and retries a request an
# instance failed. Query parameters a page does not read never reach the cache key, and only the TLS
# terminator in front says whether a request came over HTTPS.
#
# bunko-site.vcl is written per site by `python -m deploy.edge` (deploy/edge.py): the backends, the
# `app` director over them, the `purgers` and `tls_terminators` ACLs, the purge secret check
# (bunko_purge_secret) and the outage page. Run varnishd with `-p vcl_path=<its folder>:<this folder>`.

import directors;
import proxy;
import std;
import xkey;

include "bunko-site.vcl";

sub vcl_recv {
    set req.backend_hint = app.backend();
    # Whether the reader came over HTTPS is for the TLS terminator in front to say (over the PROXY protocol, or
    # in X-Forwarded-Proto from a `tls_terminators` address), never for the reader: a client's own header would
    # make the origin write https:// links into a page every reader is then served (TRUST_X_FORWARDED_PROTO).
    unset req.http.X-Forwarded-Ssl;  # Bunko reads only X-Forwarded-Proto
    if (proxy.is_ssl()) {
        set req.http.X-Forwarded-Proto = "https";
    } elsif (client.ip !~ tls_terminators || req.http.X-Forwarded-Proto != "https") {
        set req.http.X-Forwarded-Proto = "http";
    }
    if (req.method == "PURGE") {
        # The address alone is not enough: a TLS terminator on this host without the PROXY protocol makes every
        # reader's address a local one. The secret is EDGE_PURGE_SECRET, which Bunko's purges carry.
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        call bunko_purge_secret;
        if (!req.http.xkey) {
            return (synth(400, "Name the keys to purge in the xkey header"));
        }
        if (req.http.Purge-Mode == "hard") {
            # A retraction (unpublished, deleted, back to draft): gone for good, never served from grace.
            set req.http.n-gone = xkey.purge(req.http.xkey);
        } else {
            # Soft: a purged page stays for grace, served only while no instance answers (see req.grace below).
            set req.http.n-gone = xkey.softpurge(req.http.xkey);
        }
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors (a session) and visitors with a message waiting see what others must not.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # With an instance up, a purged or expired page is fetched again before anyone sees it: readers never get
    # the version before an edit. With none up, whatever is cached is better than an error.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    # Only the query parameters a public page reads reach the cache key, sorted, as at the origin
    # (blog.reading.urls, `reads`): utm_*, fbclid, gclid and any other would each store one more copy.
    if (req.url ~ "\?") {
        if (req.url ~ "^/(en|ja|zh-hans)/search/") {
            set req.url = regsuball(req.url, "(?<=[?&])(?!(?:q|page|lang)=)[^&]*(&|$)", "");
        } elsif (req.url ~ "^/sitemap-") {
            set req.url = regsuball(req.url, "(?<=[?&])(?!p=)[^&]*(&|$)", "");
        } elsif (req.url ~ "^/(en|ja|zh-hans)/") {  # settings.LANGUAGES
            set req.url = regsuball(req.url, "(?<=[?&])(?!(?:page|lang)=)[^&]*(&|$)", "");
        }
        set req.url = std.querysort(regsub(req.url, "[?&]+$", ""));
    }
    # Cookies (the language choice, a CSRF token) do not change shared pages; the origin says when one would.
    return (hash);
}

sub vcl_hash {
    # A page asked for over HTTPS prints https:// links: it is kept apart from the http:// one.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_fetch {
    if (!bereq.uncacheable) {
        # Cached objects are fetched whole: a 304 from the origin carries no keys to label them with.
        unset bereq.http.If-None-Match;
        unset bereq.http.If-Modified-Since;
    }
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Set-Cookie
        || !(beresp.http.Cache-Control ~ "s-maxage" || (bereq.url ~ "^/static/" && beresp.http.Cache-Control ~ "public"))) {
        # Private (admin, previews, the redirect at /, errors): never kept; later requests go straight through.
        set beresp.uncacheable = true;
        set beresp.ttl = 60s;
        return (deliver);
    }
    # Varnish takes the TTL from s-maxage; grace lets the page outlive an outage of every instance.
    set beresp.grace = 24h;
    return (deliver);
}

sub vcl_backend_error {
    # An instance that died mid-request: the director sends the retry to another one.
    if (bereq.retries < 2 && bereq.method ~ "^(GET|HEAD)$") {
        return (retry);
    }
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "30";
    set beresp.http.Cache-Control = "no-store";
    # Never kept: a stale page in grace stays what the next reader gets while the instances are down.
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    call bunko_outage_page;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for this cache only.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
